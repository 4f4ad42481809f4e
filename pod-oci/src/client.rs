//! A typed client of the runc / crun command line.
//!
//! Every subcommand is a function taking an option struct; a failure carries the
//! command line, exit status, stdout and stderr ([`OciError::Command`]). Commands run
//! with `tokio::process`, so they work on a current-thread runtime too.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use pod_core::{RuntimeStatus, Signal};
use serde::Deserialize;
use tokio::process::Command;

use crate::error::OciError;

/// Which OCI runtime a binary is; detected from its file name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RuntimeKind {
    /// runc (the default for unknown names).
    #[default]
    Runc,
    /// crun.
    Crun,
}

impl RuntimeKind {
    /// `crun` when the file name contains `crun`, else `runc`.
    pub fn detect(binary: &Path) -> Self {
        match binary.file_name().and_then(OsStr::to_str) {
            Some(name) if name.contains("crun") => Self::Crun,
            _ => Self::Runc,
        }
    }

    /// `runc` or `crun`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Runc => "runc",
            Self::Crun => "crun",
        }
    }
}

/// Options given to the runtime before the subcommand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlobalOptions {
    /// `--root`: where the runtime keeps its container state.
    pub root: PathBuf,
    /// `--rootless=true`.
    pub rootless: bool,
    /// `--log`: the runtime's own log file.
    pub log: Option<PathBuf>,
}

/// Options of `create`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateOpts {
    /// Container id.
    pub id: String,
    /// The bundle directory (holding `config.json`).
    pub bundle: PathBuf,
    /// Where the runtime writes the container's init pid.
    pub pid_file: PathBuf,
    /// `--no-pivot` (needed when the rootfs is on a ramfs).
    pub no_pivot: bool,
}

/// Options of `kill`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KillOpts {
    /// Container id.
    pub id: String,
    /// The signal.
    pub signal: Signal,
    /// `--all`: every process of the container, not just init.
    pub all: bool,
}

/// Options of `delete`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteOpts {
    /// Container id.
    pub id: String,
    /// `--force`: kill a running container first.
    pub force: bool,
}

/// A container's state as `runtime state` / `runtime list --format json` print it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct State {
    /// Container id.
    pub id: String,
    /// Init pid (0 once stopped).
    #[serde(default)]
    pub pid: i32,
    /// Status.
    pub status: RuntimeStatus,
    /// Bundle directory.
    #[serde(default)]
    pub bundle: PathBuf,
    /// Root filesystem (runc prints it; crun may not).
    #[serde(default)]
    pub rootfs: Option<PathBuf>,
    /// Creation time.
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
}

/// A runc/crun binary with its global options.
#[derive(Clone, Debug)]
pub struct RuntimeClient {
    binary: PathBuf,
    kind: RuntimeKind,
    global: GlobalOptions,
}

impl RuntimeClient {
    /// A client of `binary` (kind detected from its name) with `global` options.
    pub fn new(binary: impl Into<PathBuf>, global: GlobalOptions) -> Self {
        let binary = binary.into();
        let kind = RuntimeKind::detect(&binary);
        Self {
            binary,
            kind,
            global,
        }
    }

    /// The runtime binary.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// runc or crun.
    pub fn kind(&self) -> RuntimeKind {
        self.kind
    }

    /// The global options.
    pub fn global(&self) -> &GlobalOptions {
        &self.global
    }

    /// The full argv (binary first) of a subcommand with the global options.
    pub fn argv<I, S>(&self, sub: I) -> Vec<OsString>
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut v: Vec<OsString> = vec![self.binary.clone().into_os_string()];
        v.push("--root".into());
        v.push(self.global.root.clone().into_os_string());
        if self.global.rootless {
            v.push("--rootless=true".into());
        }
        if let Some(log) = &self.global.log {
            v.push("--log".into());
            v.push(log.clone().into_os_string());
        }
        v.extend(sub.into_iter().map(Into::into));
        v
    }

    /// The argv of `create` (the monitor runs it).
    pub fn create_argv(&self, opts: &CreateOpts) -> Vec<OsString> {
        self.create_or_run_argv(opts, false)
    }

    /// The argv of `run --detach`: `create` and `start` in one runtime process (the
    /// monitor runs it); the runtime exits once the container's process runs.
    pub fn run_detached_argv(&self, opts: &CreateOpts) -> Vec<OsString> {
        self.create_or_run_argv(opts, true)
    }

    fn create_or_run_argv(&self, opts: &CreateOpts, run: bool) -> Vec<OsString> {
        let mut sub: Vec<OsString> = if run {
            vec!["run".into(), "--detach".into()]
        } else {
            vec!["create".into()]
        };
        sub.extend([
            "--bundle".into(),
            opts.bundle.clone().into_os_string(),
            "--pid-file".into(),
            opts.pid_file.clone().into_os_string(),
        ]);
        if opts.no_pivot {
            sub.push("--no-pivot".into());
        }
        sub.push(opts.id.clone().into());
        self.argv(sub)
    }

    /// Runs `create` directly, with the container's stdio on /dev/null (no monitor).
    pub async fn create(&self, opts: &CreateOpts) -> Result<(), OciError> {
        self.run(self.create_argv(opts)).await.map(drop)
    }

    /// `start ID`.
    pub async fn start(&self, id: &str) -> Result<(), OciError> {
        self.run(self.argv(["start", id])).await.map(drop)
    }

    /// `state ID`; `None` when the runtime does not know the container.
    pub async fn state(&self, id: &str) -> Result<Option<State>, OciError> {
        match self.run(self.argv(["state", id])).await {
            Ok(out) => {
                let st = serde_json::from_str(&out).map_err(|source| OciError::Json {
                    what: format!("`{} state {id}` output", self.kind.as_str()),
                    source,
                })?;
                Ok(Some(st))
            }
            Err(e) if self.is_not_found(id, &e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `kill [--all] ID SIGNAL`.
    pub async fn kill(&self, opts: &KillOpts) -> Result<(), OciError> {
        let mut sub: Vec<OsString> = vec!["kill".into()];
        if opts.all {
            sub.push("--all".into());
        }
        sub.push(opts.id.clone().into());
        sub.push(opts.signal.number().to_string().into());
        self.run(self.argv(sub)).await.map(drop)
    }

    /// `pause ID` (freezer).
    pub async fn pause(&self, id: &str) -> Result<(), OciError> {
        self.run(self.argv(["pause", id])).await.map(drop)
    }

    /// `resume ID`.
    pub async fn resume(&self, id: &str) -> Result<(), OciError> {
        self.run(self.argv(["resume", id])).await.map(drop)
    }

    /// `delete [--force] ID`; a container the runtime does not know is no error.
    pub async fn delete(&self, opts: &DeleteOpts) -> Result<(), OciError> {
        let mut sub: Vec<OsString> = vec!["delete".into()];
        if opts.force {
            sub.push("--force".into());
        }
        sub.push(opts.id.clone().into());
        match self.run(self.argv(sub)).await {
            Ok(_) => Ok(()),
            Err(e) if self.is_not_found(&opts.id, &e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `list --format json`: every container under the root.
    pub async fn list(&self) -> Result<Vec<State>, OciError> {
        let out = self.run(self.argv(["list", "--format", "json"])).await?;
        let t = out.trim();
        if t.is_empty() || t == "null" {
            return Ok(Vec::new());
        }
        serde_json::from_str(t).map_err(|source| OciError::Json {
            what: format!("`{} list` output", self.kind.as_str()),
            source,
        })
    }

    /// Does the runtime keep state for `id` under its root?
    pub fn has_state_dir(&self, id: &str) -> bool {
        self.global.root.join(id).exists()
    }

    /// Is `e` the runtime's "no such container"?
    fn is_not_found(&self, id: &str, e: &OciError) -> bool {
        match e {
            OciError::Command { stderr, .. } => {
                stderr.contains("does not exist")
                    || stderr.contains("No such file or directory")
                    || !self.has_state_dir(id)
            }
            _ => false,
        }
    }

    /// Runs an argv, returns stdout; a non-zero exit is [`OciError::Command`].
    async fn run(&self, argv: Vec<OsString>) -> Result<String, OciError> {
        let cmd_line = display_argv(&argv);
        let (prog, args) = match argv.split_first() {
            Some(x) => x,
            None => return Err(OciError::Config("empty command".into())),
        };
        let out = Command::new(prog)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .await
            .map_err(|source| OciError::Spawn {
                cmd: prog.to_string_lossy().into_owned(),
                source,
            })?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(OciError::Command {
                cmd: cmd_line,
                status: out.status,
                stdout,
                stderr: runtime_error_message(&String::from_utf8_lossy(&out.stderr)),
            })
        }
    }
}

/// A command line for messages.
pub(crate) fn display_argv(argv: &[OsString]) -> String {
    argv.iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The useful part of a runtime's stderr: runc prints logrus lines
/// (`time="..." level=error msg="..."`) or JSON (`{"level":"error","msg":"..."}`); the
/// `msg` of each such line is kept, other lines as they are.
pub fn runtime_error_message(stderr: &str) -> String {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with('{') {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                if let Some(m) = v.get("msg").and_then(|m| m.as_str()) {
                    out.push(m.to_owned());
                    continue;
                }
            }
        }
        if let Some(m) = logrus_msg(l) {
            out.push(m);
            continue;
        }
        out.push(l.to_owned());
    }
    out.join("\n")
}

/// The `msg="..."` value of a logrus text line (unescaping `\"` and `\\`).
fn logrus_msg(line: &str) -> Option<String> {
    if !line.starts_with("time=") && !line.starts_with("level=") {
        return None;
    }
    let start = line.find("msg=\"")? + 5;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => break,
            },
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    Some(out)
}
