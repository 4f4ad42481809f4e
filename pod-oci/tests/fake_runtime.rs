//! The runtime client and the monitor against fake runtimes (shell scripts); no root
//! needed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{ctr, eventually, monitor, ppid, script};
use pod_core::{CreateOptions, OciRuntime, RuntimeStatus, Signal};
use pod_oci::client::{CreateOpts, DeleteOpts, GlobalOptions, KillOpts};
use pod_oci::logs::{read_log, Stream};
use pod_oci::{OciError, OciRuntimeCli, RuntimeClient, RuntimeConfig, RuntimeKind};

/// A fake runc: records each argv as a line in `DIR/argv.log`; `state`/`list` print
/// canned JSON; `create` starts a background "container" that waits for `start`, prints
/// to stdout and stderr and exits 7 (id `fail-*`: create fails like runc does).
const FAKE: &str = r#"#!/bin/sh
here=$(dirname "$0")
echo "$*" >> "$here/argv.log"
root=
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2;;
    --rootless=*|--systemd-cgroup) shift;;
    --log) shift 2;;
    *) break;;
  esac
done
cmd=$1; shift
case "$cmd" in
create)
  while [ $# -gt 1 ]; do
    case "$1" in --bundle) bundle=$2; shift 2;; --pid-file) pidfile=$2; shift 2;; *) shift;; esac
  done
  id=$1
  if grep -q '"/nope"' "$bundle/config.json"; then
    echo 'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH"' >&2
    exit 1
  fi
  [ -f "$bundle/config.json" ] || { echo "no config.json in $bundle" >&2; exit 1; }
  mkdir -p "$root/$id"
  (
    while [ ! -e "$root/$id/started" ]; do sleep 0.01; done
    echo "hello from the container"
    echo "second line"
    printf 'no newline' >&2
    exit 7
  ) &
  echo $! > "$pidfile"
  ;;
start) mkdir -p "$root/$1"; touch "$root/$1/started";;
state)
  if [ -e "$root/$1/stopped" ]; then set -- gone; fi
  case "$1" in
    missing) echo "container \"$1\" does not exist" >&2; exit 1;;
    gone) echo "{\"ociVersion\":\"1.0.2\",\"id\":\"gone\",\"pid\":0,\"status\":\"stopped\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"2026-01-01T00:00:00.5Z\"}";;
    *) echo "{\"ociVersion\":\"1.0.2\",\"id\":\"$1\",\"pid\":4242,\"status\":\"running\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"2026-01-01T00:00:00.5Z\",\"owner\":\"\"}";;
  esac;;
kill)
  for last; do :; done
  for a; do
    [ -e "$root/$a/stopped" ] && { echo "container not running" >&2; exit 1; }
    [ -e "$root/$a/busy" ] && { echo "permission denied" >&2; exit 1; }
  done
  case "$*" in *busy*) echo "permission denied" >&2; exit 1;; esac;;
delete)
  for id; do :; done
  case "$id" in missing) echo "container \"$id\" does not exist" >&2; exit 1;; esac
  rm -rf "$root/$id";;
list)
  if [ -n "$(ls "$root" 2>/dev/null)" ]; then
    echo '[{"ociVersion":"1.0.2","id":"a","pid":1,"status":"paused","bundle":"/b","rootfs":"/r","created":"2026-01-01T00:00:00Z","owner":"root"}]'
  else
    echo null
  fi;;
pause|resume) ;;
*) echo "unknown command $cmd" >&2; exit 1;;
esac
"#;

struct Fake {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Fake {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = script(&dir.path().join("runc"), FAKE);
        Self { dir, bin }
    }
    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }
    fn client(&self) -> RuntimeClient {
        RuntimeClient::new(
            &self.bin,
            GlobalOptions {
                root: self.root(),
                rootless: false,
                log: None,
            },
        )
    }
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
    fn runtime(&self, exit_command: Vec<String>) -> OciRuntimeCli {
        let mut cfg = RuntimeConfig::new(&self.bin, self.root(), self.dir.path().join("state"));
        cfg.monitor = monitor();
        cfg.exit_command = exit_command;
        cfg.rootless = false;
        OciRuntimeCli::new(cfg).unwrap()
    }
}

#[test]
fn kind_is_detected_from_the_file_name() {
    assert_eq!(
        RuntimeKind::detect(Path::new("/usr/bin/runc")),
        RuntimeKind::Runc
    );
    assert_eq!(
        RuntimeKind::detect(Path::new("/usr/local/bin/crun")),
        RuntimeKind::Crun
    );
    assert_eq!(
        RuntimeKind::detect(Path::new("/opt/x/my-runtime")),
        RuntimeKind::Runc
    );
    let cfg = RuntimeConfig::new("/usr/bin/crun", "/r", "/s");
    assert_eq!(cfg.kind(), RuntimeKind::Crun);
    assert_eq!(cfg.catatonit, Path::new("/usr/bin/catatonit"));
    assert_eq!(cfg.monitor.last().map(String::as_str), Some("__monitor"));
    assert!(cfg.exit_command.is_empty());
}

#[tokio::test]
async fn client_builds_typed_command_lines() {
    let f = Fake::new();
    let c = f.client();
    let root = f.root().display().to_string();
    c.start("c1").await.unwrap();
    c.kill(&KillOpts {
        id: "c1".into(),
        signal: Signal::TERM,
        all: false,
    })
    .await
    .unwrap();
    c.kill(&KillOpts {
        id: "c1".into(),
        signal: Signal::KILL,
        all: true,
    })
    .await
    .unwrap();
    c.pause("c1").await.unwrap();
    c.resume("c1").await.unwrap();
    c.delete(&DeleteOpts {
        id: "c1".into(),
        force: true,
    })
    .await
    .unwrap();
    c.delete(&DeleteOpts {
        id: "c1".into(),
        force: false,
    })
    .await
    .unwrap();
    assert_eq!(
        f.calls(),
        [
            format!("--root {root} start c1"),
            format!("--root {root} kill c1 15"),
            format!("--root {root} kill --all c1 9"),
            format!("--root {root} pause c1"),
            format!("--root {root} resume c1"),
            format!("--root {root} delete --force c1"),
            format!("--root {root} delete c1"),
        ]
    );
    let rootless = RuntimeClient::new(
        &f.bin,
        GlobalOptions {
            root: f.root(),
            rootless: true,
            log: Some("/tmp/l.json".into()),
        },
    );
    let argv: Vec<String> = rootless
        .create_argv(&CreateOpts {
            id: "x".into(),
            bundle: "/b".into(),
            pid_file: "/b/pid".into(),
            no_pivot: true,
        })
        .into_iter()
        .map(|s| s.into_string().unwrap())
        .collect();
    assert_eq!(
        argv,
        [
            f.bin.display().to_string(),
            "--root".into(),
            root,
            "--rootless=true".into(),
            "--log".into(),
            "/tmp/l.json".into(),
            "create".into(),
            "--bundle".into(),
            "/b".into(),
            "--pid-file".into(),
            "/b/pid".into(),
            "--no-pivot".into(),
            "x".into(),
        ]
    );
}

#[tokio::test]
async fn client_parses_state_and_list() {
    let f = Fake::new();
    let c = f.client();
    let st = c.state("c1").await.unwrap().unwrap();
    assert_eq!(st.id, "c1");
    assert_eq!(st.pid, 4242);
    assert_eq!(st.status, RuntimeStatus::Running);
    assert_eq!(st.bundle, Path::new("/b"));
    assert!(st.created.is_some());
    assert_eq!(
        c.state("gone").await.unwrap().unwrap().status,
        RuntimeStatus::Stopped
    );
    // unknown container: None, and delete of it is fine
    assert!(c.state("missing").await.unwrap().is_none());
    c.delete(&DeleteOpts {
        id: "missing".into(),
        force: false,
    })
    .await
    .unwrap();
    // runc prints `null` for an empty list
    assert!(c.list().await.unwrap().is_empty());
    std::fs::create_dir_all(f.root().join("a")).unwrap();
    let l = c.list().await.unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].status, RuntimeStatus::Paused);
    assert!(f.calls().last().unwrap().ends_with("list --format json"));
}

#[tokio::test]
async fn failures_carry_status_stdout_and_stderr() {
    let c = RuntimeClient::new(
        "/bin/false",
        GlobalOptions {
            root: "/nonexistent-root".into(),
            ..Default::default()
        },
    );
    match c.start("c1").await.unwrap_err() {
        OciError::Command {
            cmd,
            status,
            stderr,
            stdout,
        } => {
            assert_eq!(status.code(), Some(1));
            assert_eq!(cmd, "/bin/false --root /nonexistent-root start c1");
            assert!(stderr.is_empty() && stdout.is_empty());
        }
        e => panic!("unexpected {e:?}"),
    }
    let f = Fake::new();
    let c = f.client();
    let e = c
        .kill(&KillOpts {
            id: "busy".into(),
            signal: Signal::TERM,
            all: false,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OciError::Command { status, .. } if status.code() == Some(1)),
        "{e:?}"
    );
    assert!(e.to_string().contains("permission denied"), "{e}");
    assert!(e.to_string().contains("kill busy 15"), "{e}");
    let missing = RuntimeClient::new("/nonexistent/runc", GlobalOptions::default());
    let e = missing.start("x").await.unwrap_err();
    assert!(matches!(e, OciError::Spawn { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/runc"), "{e}");
}

#[test]
fn runtime_error_messages_are_cleaned_up() {
    use pod_oci::client::runtime_error_message;
    assert_eq!(
        runtime_error_message(
            "time=\"2026\" level=error msg=\"runc create failed: exec: \\\"x\\\": not found\"\n"
        ),
        "runc create failed: exec: \"x\": not found"
    );
    assert_eq!(
        runtime_error_message("{\"level\":\"error\",\"msg\":\"boom\",\"time\":\"t\"}\nplain\n"),
        "boom\nplain"
    );
    assert_eq!(runtime_error_message(""), "");
}

#[tokio::test]
async fn kill_of_an_exited_container_is_ok_other_failures_are_not() {
    let f = Fake::new();
    let rt = f.runtime(Vec::new());
    let id = pod_core::ContainerId::random();
    std::fs::create_dir_all(f.root().join(id.as_str())).unwrap();
    rt.kill(&id, Signal::TERM, false).await.unwrap();
    // exited meanwhile: the runtime refuses, state says stopped → Ok
    std::fs::write(f.root().join(id.as_str()).join("stopped"), "").unwrap();
    rt.kill(&id, Signal::TERM, false).await.unwrap();
    assert_eq!(
        rt.state(&id).await.unwrap().unwrap().status,
        RuntimeStatus::Stopped
    );
    assert_eq!(rt.state(&id).await.unwrap().unwrap().pid, None);
    // refused while running → the error
    std::fs::remove_file(f.root().join(id.as_str()).join("stopped")).unwrap();
    std::fs::write(f.root().join(id.as_str()).join("busy"), "").unwrap();
    let e = rt.kill(&id, Signal::TERM, false).await.unwrap_err();
    assert!(e.to_string().contains("permission denied"), "{e}");
}

async fn monitor_gone(rt: &OciRuntimeCli, id: &pod_core::ContainerId) -> bool {
    for _ in 0..3000 {
        if !rt.monitor_alive(id).await.unwrap() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn monitor_runs_create_copies_output_records_exit_and_runs_exit_command() {
    let f = Fake::new();
    let marker = f.dir.path().join("exit-command.out");
    let exit_cmd = script(
        &f.dir.path().join("on-exit"),
        &format!(
            "#!/bin/sh\necho \"$@\" > {m}.tmp\nls {dir}/state/containers/$3/exit >> {m}.tmp\ngrep -E '^Sig(Blk|Ign)' /proc/self/status >> {m}.tmp\nmv {m}.tmp {m}\n",
            m = marker.display(),
            dir = f.dir.path().display()
        ),
    );
    let rt = f.runtime(vec![
        exit_cmd.display().to_string(),
        "container".into(),
        "cleanup".into(),
    ]);
    let rootfs = tempfile::tempdir().unwrap();
    let c = ctr(Some(rootfs.path()), &["/bin/app"]);
    let pid = rt.create(&c, &CreateOptions::default()).await.unwrap();
    assert!(pid > 0);
    let dir = rt.container_dir(&c.id);
    assert!(dir.join("config.json").is_file());
    // the monitor is detached: alive, not our child, in its own session
    assert!(rt.monitor_alive(&c.id).await.unwrap());
    let mpid = rt.monitor_pid(&c.id).unwrap();
    assert_ne!(ppid(mpid), Some(std::process::id() as i32));
    assert_eq!(
        common::session(mpid),
        Some(mpid),
        "the monitor leads its own session"
    );
    // the container is the monitor's child (reparented to the subreaper)
    assert_eq!(ppid(pid), Some(mpid));
    // the monitor holds none of our fds: stdin/stdout on /dev/null, stderr its own log,
    // otherwise only its signalfd, the container's output pipes and ctr.log
    let ours: Vec<_> = (0..3)
        .filter_map(|fd| std::fs::read_link(format!("/proc/self/fd/{fd}")).ok())
        .collect();
    let mut fds = Vec::new();
    for e in std::fs::read_dir(format!("/proc/{mpid}/fd")).unwrap() {
        let e = e.unwrap();
        let target = std::fs::read_link(e.path()).unwrap();
        fds.push((
            e.file_name().into_string().unwrap().parse::<i32>().unwrap(),
            target,
        ));
    }
    fds.sort();
    assert_eq!(fds[0], (0, PathBuf::from("/dev/null")));
    assert_eq!(fds[1], (1, PathBuf::from("/dev/null")));
    assert_eq!(fds[2], (2, dir.join("monitor.log")));
    for (fd, t) in &fds[3..] {
        let s = t.display().to_string();
        assert!(
            s == "anon_inode:[signalfd]" || s.starts_with("pipe:") || *t == rt.log_path(&c.id),
            "unexpected fd {fd} -> {s}"
        );
        assert!(
            !ours.contains(t) || !s.starts_with("pipe:"),
            "monitor holds our fd {fd} -> {s}"
        );
    }
    assert!(fds.len() <= 3 + 4, "{fds:?}");
    assert_eq!(rt.exit_info(&c.id).await.unwrap(), None);
    assert_eq!(
        rt.wait(&c.id, Some(Duration::from_millis(50)))
            .await
            .unwrap(),
        None
    );

    rt.start(&c.id).await.unwrap();
    let exit = rt
        .wait(&c.id, Some(Duration::from_secs(30)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code, 7);
    assert!(!exit.oom_killed);
    assert_eq!(rt.exit_info(&c.id).await.unwrap(), Some(exit));

    let lines = read_log(&rt.log_path(&c.id)).unwrap();
    let v: Vec<_> = lines
        .iter()
        .map(|l| (l.stream, l.partial, l.text.as_str()))
        .collect();
    assert!(
        v.contains(&(Stream::Stdout, false, "hello from the container")),
        "{v:?}"
    );
    assert!(v.contains(&(Stream::Stdout, false, "second line")), "{v:?}");
    assert!(v.contains(&(Stream::Stderr, true, "no newline")), "{v:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(rt.log_path(&c.id))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // exit command: argv + id, run after the exit file was written
    assert!(
        eventually(30, || marker.exists()),
        "exit command did not run"
    );
    let out = std::fs::read_to_string(&marker).unwrap();
    let mut it = out.lines();
    assert_eq!(it.next().unwrap(), format!("container cleanup {}", c.id));
    assert!(it.next().unwrap().ends_with("/exit"), "{out}");
    // exec'd with no blocked signals and SIGPIPE not ignored
    let mask = |name: &str| {
        let l = out.lines().find(|l| l.starts_with(name)).unwrap();
        u64::from_str_radix(l.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    assert_eq!(mask("SigBlk:"), 0, "{out}");
    assert_eq!(
        mask("SigIgn:") & (1 << (13 - 1)),
        0,
        "SIGPIPE ignored: {out}"
    );
    assert!(monitor_gone(&rt, &c.id).await);

    // delete keeps the log and the exit, drops the bundle
    rt.delete(&c.id, false).await.unwrap();
    assert!(!dir.join("config.json").exists());
    assert!(rt.log_path(&c.id).exists());
    assert_eq!(rt.exit_info(&c.id).await.unwrap().map(|e| e.code), Some(7));
    rt.remove_container_dir(&c.id).unwrap();
    assert!(!dir.exists());
    rt.remove_container_dir(&c.id).unwrap();
}

#[tokio::test]
async fn create_failure_carries_the_runtime_message_and_wait_does_not_hang() {
    let f = Fake::new();
    let rt = f.runtime(Vec::new());
    let rootfs = tempfile::tempdir().unwrap();
    let c = ctr(Some(rootfs.path()), &["/nope"]);
    let e = rt.create(&c, &CreateOptions::default()).await.unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("cannot create container {}", c.id))
            && msg.contains("runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH"),
        "{msg}"
    );
    assert!(!msg.contains("level=error"), "{msg}");
    assert!(!rt.monitor_alive(&c.id).await.unwrap());
    assert_eq!(rt.exit_info(&c.id).await.unwrap(), None);
    let e = rt.wait(&c.id, None).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("is not running and no exit was recorded"),
        "{e}"
    );
    // a bad monitor command is reported too
    let mut cfg = rt.config().clone();
    cfg.monitor = vec!["/bin/false".into()];
    let rt2 = OciRuntimeCli::new(cfg).unwrap();
    let c2 = ctr(Some(rootfs.path()), &["/bin/app"]);
    let e = rt2
        .create(&c2, &CreateOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("without reporting a pid"), "{e}");
    cfg = rt.config().clone();
    cfg.monitor = Vec::new();
    assert!(OciRuntimeCli::new(cfg).is_err());
}
