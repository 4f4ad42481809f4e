//! The error type of pod-oci.

use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can go wrong running containers on runc/crun.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The runtime (or another helper command) ran and failed.
    #[error("`{cmd}` failed ({status}): {}", stderr_or_stdout(.stderr, .stdout))]
    Command {
        /// The command line, for the message.
        cmd: String,
        /// Its exit status.
        status: ExitStatus,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// A command could not be started at all (binary missing, not executable...).
    #[error("cannot run {cmd}: {source}")]
    Spawn {
        /// The program.
        cmd: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was attempted (`write`, `read`, `create directory`...).
        op: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// JSON from the runtime or on disk could not be parsed.
    #[error("cannot parse {what}: {source}")]
    Json {
        /// What was parsed.
        what: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The OCI spec could not be built.
    #[error("cannot build the OCI spec of container {id}: {source}")]
    Spec {
        /// The container.
        id: String,
        /// Why.
        #[source]
        source: oci_spec::OciSpecError,
    },
    /// The infra container needs catatonit and it is not installed.
    #[error("catatonit not found at {0}: the infra container runs it, install it (Debian package `catatonit`) or configure its path")]
    CatatonitMissing(PathBuf),
    /// A user that is neither numeric nor found in the rootfs.
    #[error("{0}")]
    User(String),
    /// A configuration that cannot work.
    #[error("invalid runtime configuration: {0}")]
    Config(String),
    /// `runtime create` failed; the message carries the runtime's error text.
    #[error("cannot create container {id}: {message}")]
    Create {
        /// The container.
        id: String,
        /// The runtime's (or the monitor's) error text.
        message: String,
    },
    /// The monitor died without recording an exit.
    #[error("the monitor of container {0} is not running and no exit was recorded")]
    MonitorGone(String),
    /// A log line not in k8s-file format.
    #[error("invalid log line {line}: {reason}")]
    LogLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

fn stderr_or_stdout<'a>(stderr: &'a str, stdout: &'a str) -> &'a str {
    let e = stderr.trim();
    if e.is_empty() {
        let o = stdout.trim();
        if o.is_empty() {
            "no output"
        } else {
            o
        }
    } else {
        e
    }
}

impl OciError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

impl From<OciError> for pod_core::Error {
    fn from(e: OciError) -> Self {
        pod_core::Error::runtime(e)
    }
}
