//! Operations done on the kernel's interfaces directly instead of through a runtime
//! process: freezing and thawing a container's cgroup (what `runc pause`/`resume`
//! write), signalling its init process (what `runc kill` sends) and releasing a
//! stopped runc container (what `runc delete` removes). Each runtime
//! process costs several milliseconds of CPU for a one-line write; these cost
//! microseconds.
//!
//! Everything here is an optimization with a fallback: each function returns `None`
//! (or an error the caller treats the same) when it cannot be sure it acts on the
//! right container, and the caller then runs the runtime instead.

use std::fs;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A container's freezer: the cgroup v1 `freezer.state` or the v2 `cgroup.freeze`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Freezer {
    /// cgroup v1: the `freezer.state` file.
    V1(PathBuf),
    /// cgroup v2: the cgroup directory (`cgroup.freeze`, `cgroup.events`).
    V2(PathBuf),
}

/// How long a freeze may take before it counts as failed.
const FREEZE_TIMEOUT: Duration = Duration::from_secs(5);

/// The freezer of the cgroup process `pid` is in, from its `/proc/PID/cgroup` (`text`),
/// if that cgroup is the container's own: its last path component is `id` (runc
/// names a container's cgroup after it), which also guards against a reused pid.
/// `cgroup_root` is where the hierarchies are mounted (`/sys/fs/cgroup`); `v2` says
/// whether it is the unified hierarchy itself. The v1 freezer wins on hybrid hosts, as
/// runc uses it there.
pub(crate) fn freezer_of(text: &str, id: &str, cgroup_root: &Path, v2: bool) -> Option<Freezer> {
    let own = |path: &str| Path::new(path).file_name().is_some_and(|n| n == id);
    let mut unified = None;
    for line in text.lines() {
        let mut f = line.splitn(3, ':');
        let (_, ctrls, path) = (f.next()?, f.next()?, f.next()?);
        if ctrls.split(',').any(|c| c == "freezer") {
            if !own(path) {
                return None;
            }
            let file = cgroup_root
                .join("freezer")
                .join(path.trim_start_matches('/'))
                .join("freezer.state");
            return Some(Freezer::V1(file));
        }
        if ctrls.is_empty() && v2 && own(path) {
            unified = Some(Freezer::V2(cgroup_root.join(path.trim_start_matches('/'))));
        }
    }
    unified
}

/// The freezer of the container `id` whose init is `pid`, when it exists on this host.
pub(crate) fn locate_freezer(pid: i32, id: &str, v2: bool) -> Option<Freezer> {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let f = freezer_of(&text, id, Path::new("/sys/fs/cgroup"), v2)?;
    let probe = match &f {
        Freezer::V1(file) => file.clone(),
        Freezer::V2(dir) => dir.join("cgroup.freeze"),
    };
    probe.exists().then_some(f)
}

impl Freezer {
    /// Freezes the cgroup and waits until every process in it is frozen, as
    /// `runc pause` does (including its occasional thaw and re-freeze on v1, for tasks
    /// a freeze missed).
    pub(crate) async fn freeze(&self) -> io::Result<()> {
        let start = Instant::now();
        match self {
            Freezer::V1(file) => {
                for i in 0u32.. {
                    if i % 50 == 49 {
                        fs::write(file, "THAWED")?;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    fs::write(file, "FROZEN")?;
                    let state = fs::read_to_string(file)?;
                    match state.trim() {
                        "FROZEN" => return Ok(()),
                        "FREEZING" => {}
                        other => {
                            return Err(io::Error::other(format!(
                                "{}: unexpected state {other} after writing FROZEN",
                                file.display()
                            )))
                        }
                    }
                    if start.elapsed() > FREEZE_TIMEOUT {
                        break;
                    }
                    if i % 5 == 4 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                let _ = fs::write(file, "THAWED");
                Err(io::Error::other(format!(
                    "{}: cannot freeze within {}s",
                    file.display(),
                    FREEZE_TIMEOUT.as_secs()
                )))
            }
            Freezer::V2(dir) => {
                fs::write(dir.join("cgroup.freeze"), "1")?;
                let events = dir.join("cgroup.events");
                loop {
                    let text = fs::read_to_string(&events)?;
                    if text.lines().any(|l| l.trim() == "frozen 1") {
                        return Ok(());
                    }
                    if start.elapsed() > FREEZE_TIMEOUT {
                        let _ = fs::write(dir.join("cgroup.freeze"), "0");
                        return Err(io::Error::other(format!(
                            "{}: cannot freeze within {}s",
                            dir.display(),
                            FREEZE_TIMEOUT.as_secs()
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }

    /// Thaws the cgroup.
    pub(crate) fn thaw(&self) -> io::Result<()> {
        match self {
            Freezer::V1(file) => fs::write(file, "THAWED"),
            Freezer::V2(dir) => fs::write(dir.join("cgroup.freeze"), "0"),
        }
    }
}

/// A field of `/proc/PID/status` (`PPid`, `NSpid`...), as its text after the colon.
fn status_field(status: &str, key: &str) -> Option<String> {
    status.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k == key).then(|| v.trim().to_owned())
    })
}

/// Is the process (by its `/proc/PID/status`) a child of `parent`, and — when
/// `ns_init` — the init (pid 1) of its own pid namespace?
pub(crate) fn is_container_init(status: &str, parent: i32, ns_init: bool) -> bool {
    let ppid_ok = status_field(status, "PPid").and_then(|v| v.parse::<i32>().ok()) == Some(parent);
    // NSpid lists the pid in each namespace from the host's down: "31337 1" is the
    // init of a namespace below the host's.
    let init_ok = !ns_init
        || status_field(status, "NSpid").is_some_and(|v| {
            let f: Vec<&str> = v.split_whitespace().collect();
            f.len() > 1 && f.last() == Some(&"1")
        });
    ppid_ok && init_ok
}

/// What [`signal_init`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Signalled {
    /// The signal was sent.
    Sent,
    /// The process is gone (the container exited).
    Gone,
    /// Not done: the caller asks the runtime.
    NotDone,
}

/// Sends `signal` to the container init `pid` through a pidfd, after checking that it
/// is the child of the container's monitor `monitor` (the monitor is the subreaper the
/// init was reparented to, and it does not reap it before recording the exit) and,
/// when `whole_container`, the init of its own pid namespace: then the kernel ends
/// every other process of the container with it when the signal is SIGKILL, which is
/// what `runtime kill --all` achieves.
pub(crate) fn signal_init(pid: i32, monitor: i32, signal: i32, whole_container: bool) -> Signalled {
    if pid <= 0 || monitor <= 0 {
        return Signalled::NotDone;
    }
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return match io::Error::last_os_error().raw_os_error() {
            Some(libc::ESRCH) => Signalled::Gone,
            _ => Signalled::NotDone,
        };
    }
    // SAFETY: a fresh fd that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    // The pidfd pins the process we check here: if the pid was reused after the open,
    // the check fails or the signal goes nowhere (ESRCH).
    let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else {
        return Signalled::Gone;
    };
    if !is_container_init(&status, monitor, whole_container) {
        return Signalled::NotDone;
    }
    use std::os::fd::AsRawFd;
    // SAFETY: pidfd_send_signal with a valid pidfd, a signal number, no siginfo, no flags.
    let r = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if r == 0 {
        return Signalled::Sent;
    }
    match io::Error::last_os_error().raw_os_error() {
        Some(libc::ESRCH) => Signalled::Gone,
        _ => Signalled::NotDone,
    }
}

/// The parts of runc's `state.json` that [`delete_stopped_runc`] needs.
#[derive(serde::Deserialize)]
struct RuncState {
    init_process_pid: i32,
    init_process_start: u64,
    #[serde(default)]
    cgroup_paths: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    intel_rdt_path: Option<String>,
    config: RuncConfig,
}

#[derive(serde::Deserialize)]
struct RuncConfig {
    #[serde(default)]
    namespaces: Vec<RuncNamespace>,
    #[serde(default)]
    hooks: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct RuncNamespace {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    path: String,
}

/// The start time (field 22 of `/proc/PID/stat`, in clock ticks since boot) of `pid`.
fn start_time(pid: i32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: split after its end.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Does `runc delete` of this container only remove its cgroups and state directory?
/// So it is when the container's init is gone (runc calls it stopped: no process with
/// its pid and start time), it had its own pid namespace (so nothing of it outlived the
/// init), and it has no hooks (poststop hooks would run) and no Intel RDT group.
fn plain_stopped(st: &RuncState) -> bool {
    let own_pid_ns = st
        .config
        .namespaces
        .iter()
        .any(|n| n.kind == "NEWPID" && n.path.is_empty());
    let no_hooks = match &st.config.hooks {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::Object(m)) => m.values().all(|v| match v {
            serde_json::Value::Array(a) => a.is_empty(),
            serde_json::Value::Null => true,
            _ => false,
        }),
        Some(_) => false,
    };
    let no_rdt = st.intel_rdt_path.as_deref().unwrap_or("").is_empty();
    let init_gone = start_time(st.init_process_pid) != Some(st.init_process_start);
    own_pid_ns && no_hooks && no_rdt && init_gone
}

/// Removes a cgroup directory; a missing one is fine. Only paths below `cgroup_root`
/// whose last component is the container id are touched.
fn remove_cgroup(path: &Path, id: &str, cgroup_root: &Path) -> io::Result<()> {
    let named = path.file_name().is_some_and(|n| n == id);
    let below = path.starts_with(cgroup_root) && !path.components().any(|c| c.as_os_str() == "..");
    if !named || !below {
        return Err(io::Error::other(format!(
            "{}: not a cgroup of container {id}",
            path.display()
        )));
    }
    match fs::remove_dir(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Does what `runc delete` does for a stopped container, without running runc: removes
/// its cgroups and its state directory `runtime_root/id`. `Ok(false)` when it cannot
/// be sure that is all runc would do (see `plain_stopped`), or runc's state is not
/// there or not understood: the caller runs `runc delete` then (a cgroup removed here
/// already is no problem for it).
pub(crate) fn delete_stopped_runc(runtime_root: &Path, id: &str) -> io::Result<bool> {
    let dir = runtime_root.join(id);
    let Ok(text) = fs::read(dir.join("state.json")) else {
        return Ok(false);
    };
    let Ok(st) = serde_json::from_slice::<RuncState>(&text) else {
        return Ok(false);
    };
    if !plain_stopped(&st) {
        return Ok(false);
    }
    let cgroup_root = Path::new("/sys/fs/cgroup");
    for path in st.cgroup_paths.values() {
        if remove_cgroup(Path::new(path), id, cgroup_root).is_err() {
            // Busy (something still runs in it, or it has child cgroups): runc's delete
            // knows what to do.
            return Ok(false);
        }
    }
    match fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pid: i32, start: u64, ns: &str, hooks: &str) -> RuncState {
        serde_json::from_str(&format!(
            r#"{{"id":"x","init_process_pid":{pid},"init_process_start":{start},
                "cgroup_paths":{{"freezer":"/sys/fs/cgroup/freezer/p/x"}},
                "intel_rdt_path":"","config":{{"namespaces":[{ns}],"hooks":{hooks}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn only_a_plain_stopped_container_is_deleted_directly() {
        let own = r#"{"type":"NEWPID","path":""},{"type":"NEWNS","path":""}"#;
        let joined = r#"{"type":"NEWPID","path":"/proc/1/ns/pid"}"#;
        // our own process is alive with its start time: not stopped
        let me = std::process::id() as i32;
        let my_start = start_time(me).unwrap();
        assert!(!plain_stopped(&state(me, my_start, own, "null")));
        // same pid, other start time: the pid was reused, the init is gone
        assert!(plain_stopped(&state(me, my_start + 1, own, "null")));
        assert!(plain_stopped(&state(
            me,
            my_start + 1,
            own,
            r#"{"poststop":[]}"#
        )));
        assert!(!plain_stopped(&state(
            me,
            my_start + 1,
            own,
            r#"{"poststop":[{"path":"/bin/true"}]}"#
        )));
        // a shared pid namespace (or none): processes may outlive the init
        assert!(!plain_stopped(&state(me, my_start + 1, joined, "null")));
        assert!(!plain_stopped(&state(me, my_start + 1, "", "null")));
    }

    #[test]
    fn cgroups_outside_the_container_are_never_removed() {
        let root = Path::new("/sys/fs/cgroup");
        for p in [
            "/sys/fs/cgroup/freezer/p",
            "/tmp/x",
            "/sys/fs/cgroup/../../tmp/x",
        ] {
            assert!(remove_cgroup(Path::new(p), "x", root).is_err(), "{p}");
        }
        // named after the container and below the root, but absent: fine
        assert!(
            remove_cgroup(Path::new("/sys/fs/cgroup/freezer/nope-podctl/x"), "x", root).is_ok()
        );
    }

    #[test]
    fn unknown_or_missing_state_is_left_to_runc() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!delete_stopped_runc(dir.path(), "x").unwrap());
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/state.json"), "{}").unwrap();
        assert!(!delete_stopped_runc(dir.path(), "x").unwrap());
        assert!(dir.path().join("x").exists());
    }

    const ID: &str = "0123abcd";

    #[test]
    fn v1_freezer_wins_on_hybrid_hosts() {
        let text = format!(
            "12:pids:/podctl/pod_x/{ID}\n7:freezer:/podctl/pod_x/{ID}\n0::/podctl/pod_x/{ID}\n"
        );
        let root = Path::new("/sys/fs/cgroup");
        assert_eq!(
            freezer_of(&text, ID, root, false),
            Some(Freezer::V1(PathBuf::from(format!(
                "/sys/fs/cgroup/freezer/podctl/pod_x/{ID}/freezer.state"
            ))))
        );
        assert_eq!(
            freezer_of(&text, ID, root, true),
            freezer_of(&text, ID, root, false)
        );
    }

    #[test]
    fn v2_uses_the_unified_cgroup_only_on_a_v2_host() {
        let text = format!("0::/podctl/pod_x/{ID}\n");
        let root = Path::new("/sys/fs/cgroup");
        assert_eq!(
            freezer_of(&text, ID, root, true),
            Some(Freezer::V2(PathBuf::from(format!(
                "/sys/fs/cgroup/podctl/pod_x/{ID}"
            ))))
        );
        assert_eq!(freezer_of(&text, ID, root, false), None);
    }

    #[test]
    fn a_cgroup_not_named_after_the_container_is_not_used() {
        let root = Path::new("/sys/fs/cgroup");
        // a reused pid in some other cgroup, or a container without its own cgroup
        let text = "7:freezer:/user.slice\n0::/user.slice/session-1.scope\n";
        assert_eq!(freezer_of(text, ID, root, true), None);
        let text = format!("7:freezer:/podctl/{ID}-other\n");
        assert_eq!(freezer_of(&text, ID, root, false), None);
        assert_eq!(freezer_of("garbage", ID, root, true), None);
    }

    #[test]
    fn container_init_checks_parent_and_pid_namespace() {
        let own_ns = "Name:\tsh\nPPid:\t42\nNSpid:\t31337\t1\n";
        assert!(is_container_init(own_ns, 42, true));
        assert!(is_container_init(own_ns, 42, false));
        assert!(!is_container_init(own_ns, 43, false));
        // joined another container's pid namespace: not that namespace's init
        let shared = "PPid:\t42\nNSpid:\t31337\t7\n";
        assert!(is_container_init(shared, 42, false));
        assert!(!is_container_init(shared, 42, true));
        // the host's pid namespace
        let host = "PPid:\t42\nNSpid:\t31337\n";
        assert!(!is_container_init(host, 42, true));
        assert!(!is_container_init("", 42, false));
    }

    #[test]
    fn signal_to_a_process_that_is_not_our_child_is_not_sent() {
        // our own pid: its parent is not pid 1 here (or is, but then NSpid has one field)
        let me = std::process::id() as i32;
        assert_eq!(
            signal_init(me, 999_999, 0, true),
            Signalled::NotDone,
            "not a container init"
        );
        assert_eq!(signal_init(0, 1, 0, false), Signalled::NotDone);
    }

    #[test]
    fn signal_to_our_child_is_sent_and_a_reaped_child_is_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("1000")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let me = std::process::id() as i32;
        assert_eq!(signal_init(pid, me, libc::SIGKILL, false), Signalled::Sent);
        child.wait().unwrap();
        assert_eq!(signal_init(pid, me, libc::SIGKILL, false), Signalled::Gone);
    }
}
