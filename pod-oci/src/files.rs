//! The files of a container directory, atomic writes and the exit file.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use pod_core::ExitInfo;
use serde::Deserialize;

use crate::error::OciError;

/// The bundle's OCI spec.
pub const CONFIG: &str = "config.json";
/// The container's init pid, written by the runtime.
pub const PID_FILE: &str = "pidfile";
/// The recorded exit (JSON), written by the monitor.
pub const EXIT_FILE: &str = "exit";
/// The container's stdout/stderr in k8s-file format.
pub const LOG_FILE: &str = "ctr.log";
/// The monitor's pid.
pub const MONITOR_PID: &str = "monitor.pid";
/// The monitor's own stderr.
pub const MONITOR_LOG: &str = "monitor.log";
/// The infra container's (empty) root filesystem.
pub const ROOTFS: &str = "rootfs";
/// The runtime binary that created the container (its path as configured).
pub const RUNTIME: &str = "runtime.path";

/// Creates a directory and its parents, mode 0700 for the ones it creates.
pub fn create_private_dir(path: &Path) -> Result<(), OciError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| OciError::io("create directory", path, e))
}

/// Writes `data` to `path` atomically: a temp file in the same directory, then rename.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)?;
    f.write_all(data)?;
    drop(f);
    fs::rename(&tmp, path)
}

/// Removes a file; a missing file is no error.
pub fn remove_file_if_exists(path: &Path) -> Result<(), OciError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OciError::io("remove", path, e)),
    }
}

/// The exit file's JSON, as the monitor writes it.
pub fn exit_json(code: i32, finished_at: &DateTime<Utc>, oom_killed: bool) -> String {
    format!(
        "{{\"exit_code\":{code},\"finished_at\":\"{}\",\"oom_killed\":{oom_killed}}}\n",
        finished_at.to_rfc3339_opts(SecondsFormat::Nanos, true)
    )
}

#[derive(Deserialize)]
struct ExitFile {
    exit_code: i32,
    finished_at: DateTime<Utc>,
    #[serde(default)]
    oom_killed: bool,
}

/// Reads an exit file; `None` when there is none (yet).
pub fn read_exit_file(path: &Path) -> Result<Option<ExitInfo>, OciError> {
    let data = match fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OciError::io("read exit file", path, e)),
    };
    let f: ExitFile = serde_json::from_slice(&data).map_err(|source| OciError::Json {
        what: format!("exit file {}", path.display()),
        source,
    })?;
    Ok(Some(ExitInfo {
        code: f.exit_code,
        finished_at: f.finished_at,
        oom_killed: f.oom_killed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn exit_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(EXIT_FILE);
        assert_eq!(read_exit_file(&p).unwrap(), None);
        let t = DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        write_atomic(&p, exit_json(137, &t, true).as_bytes(), 0o600).unwrap();
        let e = read_exit_file(&p).unwrap().unwrap();
        assert_eq!(
            e,
            ExitInfo {
                code: 137,
                finished_at: t,
                oom_killed: true
            }
        );
        let raw = fs::read_to_string(&p).unwrap();
        assert!(
            raw.contains("\"finished_at\":\"2026-03-04T05:06:07.123456789Z\""),
            "{raw}"
        );
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // no temp file left behind
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn broken_exit_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(EXIT_FILE);
        fs::write(&p, "{\"exit_code\":").unwrap();
        let e = read_exit_file(&p).unwrap_err().to_string();
        assert!(
            e.contains("exit file") && e.contains(&p.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn private_dirs_are_0700() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b");
        create_private_dir(&p).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o700
        );
        create_private_dir(&p).unwrap();
        remove_file_if_exists(&p.join("nope")).unwrap();
    }
}
