//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use chrono::Utc;
use pod_core::{ContainerConfig, ContainerId, Name, RestartPolicy, Signal};

/// A container config with defaults.
pub fn ctr(rootfs: Option<&Path>, command: &[&str]) -> ContainerConfig {
    let id = ContainerId::random();
    ContainerConfig {
        name: Name::parse(&format!("c{}", id.short())).unwrap(),
        id,
        pod: None,
        rootfs: rootfs.map(Path::to_path_buf),
        command: command.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        workdir: None,
        user: None,
        labels: Default::default(),
        stop_signal: Signal::TERM,
        stop_timeout: 10,
        dependencies: Vec::new(),
        init_type: None,
        is_infra: false,
        restart_policy: RestartPolicy::No,
        created: Utc::now(),
        create_command: Vec::new(),
    }
}

/// Writes an executable script.
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// The monitor: this crate's `podctl-monitor`, or `$PODCTL_BIN __monitor` when that
/// variable names a podctl binary (to measure the real thing).
pub fn monitor() -> Vec<String> {
    match std::env::var("PODCTL_BIN") {
        Ok(bin) if !bin.is_empty() => vec![bin, "__monitor".into()],
        _ => vec![env!("CARGO_BIN_EXE_podctl-monitor").to_string()],
    }
}

/// Polls `f` every 10 ms up to `secs` seconds.
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    f()
}

/// Field `n` (1-based, as in proc(5): 4 = ppid, 6 = session) of `/proc/PID/stat`.
fn stat_field(pid: i32, n: usize) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(n - 3)?.parse().ok()
}

/// The parent pid of a process.
pub fn ppid(pid: i32) -> Option<i32> {
    stat_field(pid, 4)
}

/// The session id of a process.
pub fn session(pid: i32) -> Option<i32> {
    stat_field(pid, 6)
}
