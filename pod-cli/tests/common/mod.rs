//! Shared helpers of the end-to-end tests: a busybox rootfs, per-test state dirs, a
//! `podctl` runner, and a guard that removes every pod and runtime container at the end
//! of the test, even when it fails.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// Generous timeout of one podctl invocation.
pub const CMD_TIMEOUT: Duration = Duration::from_secs(120);

/// Applets linked into the test rootfs.
const APPLETS: &[&str] = &[
    "sh", "sleep", "echo", "cat", "hostname", "readlink", "true", "false", "ls", "id", "env",
    "date", "touch", "rm", "mkdir", "wc", "printf", "kill", "trap", "ps", "top", "seq", "pwd",
    "grep", "stat",
];

/// Why the real-runc tests cannot run here, if they cannot.
pub fn skip_reason() -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not running as root".into());
    }
    for (what, path) in [
        ("runc", "/usr/bin/runc"),
        ("catatonit", "/usr/bin/catatonit"),
        ("busybox", "/bin/busybox"),
    ] {
        if which(what).is_none() && !Path::new(path).exists() {
            return Some(format!("{what} is not installed"));
        }
    }
    None
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The result of one podctl run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Stdout.
    pub stdout: String,
    /// Stderr.
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Stdout, trimmed.
    pub fn out(&self) -> &str {
        self.stdout.trim()
    }

    /// Stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// One test's world: its own state dirs and rootfs.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub runroot: PathBuf,
    pub rootfs: PathBuf,
}

/// Starts a test, or prints why it is skipped and returns `None`.
#[macro_export]
macro_rules! env_or_skip {
    () => {
        match common::Env::new() {
            Some(e) => e,
            None => return,
        }
    };
}

impl Env {
    /// A new world, or `None` (with the reason printed) when the host cannot run it.
    pub fn new() -> Option<Self> {
        if let Some(r) = skip_reason() {
            eprintln!("SKIPPED: {r}");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("podctl-e2e-")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().join("root");
        let runroot = dir.path().join("run");
        let rootfs = dir.path().join("rootfs");
        build_rootfs(&rootfs);
        Some(Self {
            dir,
            root,
            runroot,
            rootfs,
        })
    }

    /// The rootfs path as a string.
    pub fn rootfs(&self) -> String {
        self.rootfs.display().to_string()
    }

    /// A `podctl` command with this test's `--root`, `--runroot` and an empty config.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("podctl").expect("podctl binary");
        c.arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .timeout(CMD_TIMEOUT);
        c
    }

    /// Runs podctl with these arguments.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run podctl"))
    }

    /// Runs podctl with stdin.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        Run::from(
            self.cmd(args)
                .write_stdin(stdin.to_owned())
                .output()
                .expect("run podctl"),
        )
    }

    /// Runs podctl, asserting exit 0; returns trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "podctl {args:?} exited {}\nstdout: {}\nstderr: {}",
            r.code, r.stdout, r.stderr
        );
        r.out().to_owned()
    }

    /// Runs podctl, asserting the exit code; returns the run.
    pub fn fails(&self, args: &[&str], code: i32) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "podctl {args:?}: want exit {code}, got {}\nstdout: {}\nstderr: {}",
            r.code, r.stdout, r.stderr
        );
        r
    }

    /// `pod create --name NAME` plus extra flags; returns the pod id.
    pub fn pod(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["pod", "create", "--name", name];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    /// `create --pod POD --name NAME [extra] --rootfs R CMD…`; returns the container id.
    pub fn ctr(&self, pod: &str, name: &str, extra: &[&str], cmd: &[&str]) -> String {
        let rootfs = self.rootfs();
        let mut args = vec!["create", "--name", name, "--rootfs", rootfs.as_str()];
        if !pod.is_empty() {
            args.extend_from_slice(&["--pod", pod]);
        }
        args.extend_from_slice(extra);
        args.extend_from_slice(cmd);
        self.ok(&args)
    }

    /// The pod's status as `pod ps` shows it.
    pub fn pod_status(&self, pod: &str) -> String {
        self.ok(&["pod", "inspect", pod, "--format", "{{.State}}"])
    }

    /// A container's state name.
    pub fn ctr_state(&self, ctr: &str) -> String {
        self.ok(&["inspect", ctr, "--format", "{{.State.Status}}"])
    }

    /// Polls `f` until it returns true or `timeout` passes; returns whether it did.
    pub fn wait_until(&self, timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if f() {
                return true;
            }
            if Instant::now() > end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Ids the runtime knows under this test's runtime root.
    pub fn runtime_containers(&self) -> Vec<String> {
        let out = std::process::Command::new("runc")
            .arg("--root")
            .arg(self.runroot.join("runtime"))
            .args(["list", "-q"])
            .output();
        match out {
            Ok(o) => String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.is_empty())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// A file in the shared rootfs.
    pub fn rootfs_file(&self, rel: &str) -> PathBuf {
        self.rootfs.join(rel)
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.cmd(&["pod", "rm", "-af", "-t", "0"]).output();
        let _ = self.cmd(&["rm", "-af", "-t", "0"]).output();
        for id in self.runtime_containers() {
            let _ = std::process::Command::new("runc")
                .arg("--root")
                .arg(self.runroot.join("runtime"))
                .args(["delete", "--force", &id])
                .output();
        }
    }
}

/// Copies busybox into `<dir>/bin` with applet symlinks, plus the usual top dirs.
pub fn build_rootfs(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir rootfs/bin");
    for d in ["proc", "sys", "dev", "etc", "tmp", "root", "data"] {
        std::fs::create_dir_all(dir.join(d)).expect("mkdir rootfs dir");
    }
    std::fs::copy("/bin/busybox", bin.join("busybox")).expect("copy busybox");
    for a in APPLETS {
        std::os::unix::fs::symlink("busybox", bin.join(a)).expect("symlink applet");
    }
    std::fs::write(dir.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")
        .expect("write passwd");
    std::fs::write(dir.join("etc/group"), "root:x:0:\n").expect("write group");
}

// ---- helpers of the reliability, bad-input and security suites ------------------------

/// The `podctl` binary cargo built for the tests.
pub fn podctl_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("podctl")
}

/// What `pod ps` and `ps -a` say, as JSON: compared before and after a command that
/// must leave the state unchanged.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    /// `pod ps --format json`.
    pub pods: serde_json::Value,
    /// `ps -a --format json`.
    pub ctrs: serde_json::Value,
    /// Entries of `<root>/containers` (container ids).
    pub dirs: Vec<String>,
}

impl Env {
    /// A `std::process::Command` running podctl with this test's dirs (for spawning
    /// processes the test kills or runs many of at once).
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(podctl_bin());
        c.arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .stdin(std::process::Stdio::null());
        c
    }

    /// The state as the CLI reports it, plus the container directories.
    pub fn snapshot(&self) -> Snapshot {
        let json = |args: &[&str]| -> serde_json::Value {
            let out = self.ok(args);
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
        };
        let mut dirs: Vec<String> = std::fs::read_dir(self.root.join("containers"))
            .map(|rd| {
                rd.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        Snapshot {
            pods: json(&["pod", "ps", "--format", "json"]),
            ctrs: json(&["ps", "-a", "--format", "json"]),
            dirs,
        }
    }

    /// The runtime's containers under this test's runtime root: id → status.
    pub fn runtime_states(&self) -> std::collections::BTreeMap<String, String> {
        let out = std::process::Command::new("runc")
            .arg("--root")
            .arg(self.runroot.join("runtime"))
            .args(["list", "--format", "json"])
            .output();
        let Ok(out) = out else {
            return Default::default();
        };
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some((
                    c["id"].as_str()?.to_owned(),
                    c["status"].as_str()?.to_owned(),
                ))
            })
            .collect()
    }

    /// The runtime's containers with their init pids.
    pub fn runtime_pids(&self) -> Vec<i32> {
        let out = std::process::Command::new("runc")
            .arg("--root")
            .arg(self.runroot.join("runtime"))
            .args(["list", "--format", "json"])
            .output();
        let Ok(out) = out else { return Vec::new() };
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["pid"].as_i64())
            .filter(|p| *p > 0)
            .map(|p| p as i32)
            .collect()
    }

    /// Every container as `ps -a --format json` reports it: full id → state.
    pub fn store_states(&self) -> std::collections::BTreeMap<String, String> {
        let out = self.ok(&["ps", "-a", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("ps json");
        v.as_array()
            .expect("ps json array")
            .iter()
            .map(|c| {
                (
                    c["Id"].as_str().expect("Id").to_owned(),
                    c["State"].as_str().expect("State").to_owned(),
                )
            })
            .collect()
    }

    /// Differences between what the CLI reports and what the runtime runs; empty when
    /// consistent. Running, paused and created in the store must be so in the runtime;
    /// running in the runtime must be running in the store (or `stopping`, a stop an
    /// interrupted CLI began); a container the store does not know must not run.
    pub fn inconsistencies(&self) -> Vec<String> {
        let store = self.store_states();
        let rt = self.runtime_states();
        let mut bad = Vec::new();
        for (id, st) in &store {
            let r = rt.get(id).map(String::as_str).unwrap_or("absent");
            let ok = match st.as_str() {
                "running" | "paused" | "created" => r == st,
                "stopping" => r == "running" || r == "paused",
                // the monitor died: the runtime may still run it, that is what it says
                "unknown" => true,
                _ => r != "running" && r != "paused" && r != "created",
            };
            if !ok {
                bad.push(format!("{id}: store {st}, runtime {r}"));
            }
        }
        for (id, r) in &rt {
            if !store.contains_key(id) && (r == "running" || r == "paused" || r == "created") {
                bad.push(format!("{id}: unknown to the store, runtime {r}"));
            }
        }
        bad
    }
}

/// Is the process gone (no such pid, or a zombie nobody reaped yet)?
pub fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(true),
    }
}

/// Polls `f` every 100 ms until true or `timeout`; returns whether it became true.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
