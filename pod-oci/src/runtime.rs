//! [`OciRuntimeCli`]: pod-core's [`OciRuntime`] over runc/crun and the monitor.

use std::ffi::OsString;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pod_core::{
    ContainerConfig, ContainerId, CreateOptions, ExitInfo, OciRuntime, RuntimeInfo, RuntimeStatus,
    Signal,
};
use tokio::io::AsyncReadExt;

use crate::bundle::{self, BundleParams, HostInfo};
use crate::client::{
    display_argv, CreateOpts, DeleteOpts, GlobalOptions, KillOpts, RuntimeClient, RuntimeKind,
};
use crate::direct;
use crate::error::OciError;
use crate::files;
use crate::monitor::MonitorArgs;

/// Default path of the static catatonit (Debian package `catatonit`).
pub const DEFAULT_CATATONIT: &str = "/usr/bin/catatonit";

/// How podctl runs containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The runc or crun binary.
    pub binary: PathBuf,
    /// `--root` of the runtime (e.g. `/run/podctl/runtime`), created 0700.
    pub root: PathBuf,
    /// Per-container directories live in `state_dir/containers/<id>/`; created 0700.
    pub state_dir: PathBuf,
    /// argv prefix that runs the monitor, e.g. `["/usr/bin/podctl", "__monitor"]`.
    pub monitor: Vec<String>,
    /// argv the monitor execs after recording an exit, with the container id appended;
    /// empty = none.
    pub exit_command: Vec<String>,
    /// Rootless: `--rootless=true`, a user namespace, no cgroup path on cgroup v1.
    pub rootless: bool,
    /// The static catatonit bind-mounted into infra containers.
    pub catatonit: PathBuf,
}

impl RuntimeConfig {
    /// A config with defaults: the monitor is `<current exe> __monitor`, no exit
    /// command, rootless when the effective uid is not 0, catatonit at
    /// [`DEFAULT_CATATONIT`].
    pub fn new(
        binary: impl Into<PathBuf>,
        root: impl Into<PathBuf>,
        state_dir: impl Into<PathBuf>,
    ) -> Self {
        let exe = std::env::current_exe()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "podctl".to_owned());
        Self {
            binary: binary.into(),
            root: root.into(),
            state_dir: state_dir.into(),
            monitor: vec![exe, "__monitor".to_owned()],
            exit_command: Vec::new(),
            rootless: !nix::unistd::geteuid().is_root(),
            catatonit: PathBuf::from(DEFAULT_CATATONIT),
        }
    }

    /// The runtime kind, from the binary's name.
    pub fn kind(&self) -> RuntimeKind {
        RuntimeKind::detect(&self.binary)
    }
}

/// pod-core's [`OciRuntime`] on runc/crun, with one monitor process per container.
#[derive(Clone, Debug)]
pub struct OciRuntimeCli {
    cfg: RuntimeConfig,
    client: RuntimeClient,
    host: HostInfo,
}

impl OciRuntimeCli {
    /// Checks the config and creates the runtime root and state directories (0700).
    pub fn new(cfg: RuntimeConfig) -> Result<Self, OciError> {
        if cfg.monitor.is_empty() || cfg.monitor[0].is_empty() {
            return Err(OciError::Config("the monitor command is empty".into()));
        }
        if cfg.binary.as_os_str().is_empty() {
            return Err(OciError::Config("the runtime binary is empty".into()));
        }
        files::create_private_dir(&cfg.root)?;
        files::create_private_dir(&cfg.state_dir.join("containers"))?;
        let client = RuntimeClient::new(
            cfg.binary.clone(),
            GlobalOptions {
                root: cfg.root.clone(),
                rootless: cfg.rootless,
                log: None,
            },
        );
        Ok(Self {
            cfg,
            client,
            host: HostInfo::probe(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.cfg
    }

    /// The runc/crun client.
    pub fn client(&self) -> &RuntimeClient {
        &self.client
    }

    /// The container's directory: bundle, exit file, log, monitor pid.
    pub fn container_dir(&self, id: &ContainerId) -> PathBuf {
        self.cfg.state_dir.join("containers").join(id.as_str())
    }

    /// The container's log file (k8s-file format, see [`crate::logs`]).
    pub fn log_path(&self, id: &ContainerId) -> PathBuf {
        self.container_dir(id).join(files::LOG_FILE)
    }

    /// The container's exit file.
    pub fn exit_path(&self, id: &ContainerId) -> PathBuf {
        self.container_dir(id).join(files::EXIT_FILE)
    }

    /// Removes the container's directory with everything in it (log included), for
    /// when the container is removed. Call it after [`OciRuntime::delete`].
    pub fn remove_container_dir(&self, id: &ContainerId) -> Result<(), OciError> {
        let dir = self.container_dir(id);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(OciError::io("remove", dir, e)),
        }
    }

    /// The monitor's pid, when its pid file is there.
    pub fn monitor_pid(&self, id: &ContainerId) -> Option<i32> {
        std::fs::read_to_string(self.container_dir(id).join(files::MONITOR_PID))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The container's init pid, from the pid file the runtime wrote at create.
    fn container_pid(&self, id: &ContainerId) -> Option<i32> {
        std::fs::read_to_string(self.container_dir(id).join(files::PID_FILE))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// May the direct operations stand in for the runtime on this container? Only when
    /// the configured runtime is the one that created it: with another one configured
    /// (say a broken or missing binary), every operation goes through that runtime, and
    /// its errors are the caller's.
    fn direct_allowed(&self, id: &ContainerId) -> bool {
        std::fs::read(self.container_dir(id).join(files::RUNTIME))
            .is_ok_and(|b| b == self.cfg.binary.as_os_str().as_encoded_bytes())
    }

    /// The container's freezer, written directly by pause and resume instead of
    /// running `runtime pause`/`resume`; `None` when it cannot be found for sure.
    fn freezer(&self, id: &ContainerId) -> Option<direct::Freezer> {
        if !self.direct_allowed(id) {
            return None;
        }
        let pid = self.container_pid(id)?;
        direct::locate_freezer(pid, id.as_str(), self.host.cgroup_v2)
    }

    /// Signals the container's init directly (no runtime process) when that does what
    /// `runtime kill` would: one process, or with `all` a SIGKILL to the init of the
    /// container's own pid namespace (which takes every process of it along). `true`
    /// when done (sent, or the container is gone); `false` leaves it to the runtime.
    fn kill_direct(&self, id: &ContainerId, signal: Signal, all: bool) -> bool {
        if all && signal != Signal::KILL || !self.direct_allowed(id) {
            return false;
        }
        let (Some(pid), Some(monitor)) = (self.container_pid(id), self.monitor_pid(id)) else {
            return false;
        };
        match direct::signal_init(pid, monitor, signal.number(), all) {
            direct::Signalled::Sent | direct::Signalled::Gone => true,
            direct::Signalled::NotDone => false,
        }
    }

    /// Releases a stopped runc container directly; `false` leaves it to the runtime.
    fn delete_direct(&self, id: &ContainerId) -> bool {
        if self.client.kind() != RuntimeKind::Runc || !self.direct_allowed(id) {
            return false;
        }
        match direct::delete_stopped_runc(&self.cfg.root, id.as_str()) {
            Ok(done) => done,
            Err(e) => {
                tracing::debug!(container = %id, error = %e, "cannot release the container directly, asking the runtime");
                false
            }
        }
    }

    async fn pause_impl(&self, id: &ContainerId) -> Result<(), OciError> {
        if let Some(f) = self.freezer(id) {
            match f.freeze().await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::debug!(container = %id, error = %e, "cannot freeze the cgroup directly, asking the runtime");
                }
            }
        }
        self.client.pause(id.as_str()).await
    }

    async fn resume_impl(&self, id: &ContainerId) -> Result<(), OciError> {
        if let Some(f) = self.freezer(id) {
            match f.thaw() {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::debug!(container = %id, error = %e, "cannot thaw the cgroup directly, asking the runtime");
                }
            }
        }
        self.client.resume(id.as_str()).await
    }

    fn is_monitor_alive(&self, id: &ContainerId) -> bool {
        let Some(pid) = self.monitor_pid(id) else {
            return false;
        };
        if pid <= 0 || nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err() {
            return false;
        }
        // Guard against pid reuse: the monitor's argv names the container.
        match std::fs::read(format!("/proc/{pid}/cmdline")) {
            Ok(cmd) => cmd.split(|b| *b == 0).any(|a| a == id.as_str().as_bytes()),
            Err(_) => false,
        }
    }

    /// Writes the bundle and has a new monitor run the runtime's `create` (or, when
    /// `run`, `run --detach`); returns the container's pid the monitor reports.
    async fn create_impl(
        &self,
        ctr: &ContainerConfig,
        opts: &CreateOptions,
        run: bool,
    ) -> Result<i32, OciError> {
        let id = &ctr.id;
        let dir = self.container_dir(id);
        files::create_private_dir(&dir)?;
        // A stale runtime container with this id (an earlier run): remove it first.
        if self.client.has_state_dir(id.as_str()) {
            self.client
                .delete(&DeleteOpts {
                    id: id.to_string(),
                    force: true,
                })
                .await?;
        }
        for f in [files::EXIT_FILE, files::PID_FILE, files::MONITOR_PID] {
            files::remove_file_if_exists(&dir.join(f))?;
        }
        let params = BundleParams {
            dir: &dir,
            catatonit: &self.cfg.catatonit,
            rootless: self.cfg.rootless,
            host: self.host,
        };
        bundle::write_bundle(ctr, opts, &params)?;
        // Which runtime manages the container: the direct operations (see `direct`)
        // stand in for this runtime only.
        let runtime_file = dir.join(files::RUNTIME);
        files::write_atomic(
            &runtime_file,
            self.cfg.binary.as_os_str().as_encoded_bytes(),
            0o600,
        )
        .map_err(|e| OciError::io("write", &runtime_file, e))?;

        let create_opts = CreateOpts {
            id: id.to_string(),
            bundle: dir.clone(),
            pid_file: dir.join(files::PID_FILE),
            no_pivot: false,
        };
        let runtime_argv = if run {
            self.client.run_detached_argv(&create_opts)
        } else {
            self.client.create_argv(&create_opts)
        };
        let margs = MonitorArgs {
            id: id.to_string(),
            dir: dir.clone(),
            exit_command: self.cfg.exit_command.clone(),
            runtime: runtime_argv
                .into_iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        };
        let mut argv: Vec<OsString> = self.cfg.monitor[1..].iter().map(OsString::from).collect();
        argv.extend(margs.to_args());
        let log_path = dir.join(files::MONITOR_LOG);
        let mlog = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&log_path)
            .map_err(|e| OciError::io("open", &log_path, e))?;
        let mut child = tokio::process::Command::new(&self.cfg.monitor[0])
            .args(&argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(mlog))
            .spawn()
            .map_err(|source| OciError::Spawn {
                cmd: self.cfg.monitor[0].clone(),
                source,
            })?;
        let mut out = String::new();
        if let Some(mut so) = child.stdout.take() {
            so.read_to_string(&mut out)
                .await
                .map_err(|e| OciError::io("read the monitor's sync pipe of", &dir, e))?;
        }
        let status = child
            .wait()
            .await
            .map_err(|e| OciError::io("wait for the monitor of", &dir, e))?;
        if let Some(pid) = out.strip_prefix("ok ") {
            if let Ok(pid) = pid.trim().parse::<i32>() {
                // The runtime writes its pid file with the caller's umask: owner only,
                // like every other file of the container directory. (Not an error: the
                // container exists now, and its directory is private anyway.)
                let pid_file = dir.join(files::PID_FILE);
                if let Err(e) =
                    std::fs::set_permissions(&pid_file, std::fs::Permissions::from_mode(0o600))
                {
                    tracing::warn!(file = %pid_file.display(), error = %e, "cannot make the pid file private");
                }
                return Ok(pid);
            }
        }
        let message = match out.strip_prefix("err ") {
            Some(m) => m.trim().to_owned(),
            None => {
                let tail = std::fs::read_to_string(&log_path).unwrap_or_default();
                let tail: Vec<&str> = tail.lines().rev().take(5).collect();
                format!(
                    "the monitor ({}) exited with {status} without reporting a pid{}{}",
                    display_argv(&[OsString::from(&self.cfg.monitor[0])]),
                    if tail.is_empty() { "" } else { ": " },
                    tail.into_iter().rev().collect::<Vec<_>>().join("; ")
                )
            }
        };
        Err(OciError::Create {
            id: id.to_string(),
            message,
        })
    }

    async fn kill_impl(&self, id: &ContainerId, signal: Signal, all: bool) -> Result<(), OciError> {
        if self.kill_direct(id, signal, all) {
            return Ok(());
        }
        let r = self
            .client
            .kill(&KillOpts {
                id: id.to_string(),
                signal,
                all,
            })
            .await;
        match r {
            Ok(()) => Ok(()),
            Err(e) => {
                // Nothing left to signal (it exited meanwhile, or the runtime forgot it):
                // not an error.
                match self.client.state(id.as_str()).await {
                    Ok(None) => Ok(()),
                    Ok(Some(st)) if st.status == RuntimeStatus::Stopped => Ok(()),
                    _ => Err(e),
                }
            }
        }
    }

    async fn delete_impl(&self, id: &ContainerId, force: bool) -> Result<(), OciError> {
        // Without state under the runtime's root the runtime does not know the
        // container (already deleted, e.g. by the stop before this start): `runtime
        // delete` would only fail with "does not exist". A stopped runc container is
        // released without running runc (see `direct::delete_stopped_runc`); anything
        // else by `runtime delete`.
        if self.client.has_state_dir(id.as_str()) && !self.delete_direct(id) {
            self.client
                .delete(&DeleteOpts {
                    id: id.to_string(),
                    force,
                })
                .await?;
        }
        // A forced delete killed the container: let its monitor record the exit.
        if force && self.is_monitor_alive(id) {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !self.exit_path(id).exists() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        let dir = self.container_dir(id);
        for f in [files::CONFIG, files::PID_FILE] {
            files::remove_file_if_exists(&dir.join(f))?;
        }
        let rootfs = dir.join(files::ROOTFS);
        match std::fs::remove_dir_all(&rootfs) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(OciError::io("remove", rootfs, e)),
        }
    }

    async fn wait_impl(
        &self,
        id: &ContainerId,
        timeout: Option<Duration>,
    ) -> Result<Option<ExitInfo>, OciError> {
        let path = self.exit_path(id);
        let start = Instant::now();
        // A killed container is usually gone within milliseconds: poll every
        // millisecond for the first 100 ms (a stat of a missing file each), then back
        // off to 50 ms.
        let mut delay = Duration::from_millis(1);
        let mut last_alive_check = Instant::now();
        loop {
            if let Some(e) = files::read_exit_file(&path)? {
                return Ok(Some(e));
            }
            // Every 200 ms: a dead monitor will never write the exit file.
            if last_alive_check.elapsed() >= Duration::from_millis(200) {
                last_alive_check = Instant::now();
                if !self.is_monitor_alive(id) {
                    return match files::read_exit_file(&path)? {
                        Some(e) => Ok(Some(e)),
                        None => Err(OciError::MonitorGone(id.to_string())),
                    };
                }
            }
            let mut sleep = delay;
            if let Some(t) = timeout {
                let elapsed = start.elapsed();
                if elapsed >= t {
                    return Ok(None);
                }
                sleep = sleep.min(t - elapsed);
            }
            tokio::time::sleep(sleep).await;
            if start.elapsed() >= Duration::from_millis(100) {
                delay = (delay * 2).min(Duration::from_millis(50));
            }
        }
    }
}

fn info(st: crate::client::State) -> RuntimeInfo {
    RuntimeInfo {
        status: st.status,
        pid: (st.pid > 0).then_some(st.pid),
    }
}

#[async_trait]
impl OciRuntime for OciRuntimeCli {
    async fn create(&self, ctr: &ContainerConfig, opts: &CreateOptions) -> pod_core::Result<i32> {
        Ok(self.create_impl(ctr, opts, false).await?)
    }

    /// `runtime run --detach` under a new monitor: one runtime process instead of two
    /// (`create`, then `start`).
    async fn run_detached(
        &self,
        ctr: &ContainerConfig,
        opts: &CreateOptions,
    ) -> pod_core::Result<Option<i32>> {
        Ok(Some(self.create_impl(ctr, opts, true).await?))
    }

    async fn start(&self, id: &ContainerId) -> pod_core::Result<()> {
        Ok(self.client.start(id.as_str()).await?)
    }

    async fn state(&self, id: &ContainerId) -> pod_core::Result<Option<RuntimeInfo>> {
        Ok(self.client.state(id.as_str()).await?.map(info))
    }

    async fn kill(&self, id: &ContainerId, signal: Signal, all: bool) -> pod_core::Result<()> {
        Ok(self.kill_impl(id, signal, all).await?)
    }

    async fn pause(&self, id: &ContainerId) -> pod_core::Result<()> {
        Ok(self.pause_impl(id).await?)
    }

    async fn resume(&self, id: &ContainerId) -> pod_core::Result<()> {
        Ok(self.resume_impl(id).await?)
    }

    async fn delete(&self, id: &ContainerId, force: bool) -> pod_core::Result<()> {
        Ok(self.delete_impl(id, force).await?)
    }

    async fn wait(
        &self,
        id: &ContainerId,
        timeout: Option<Duration>,
    ) -> pod_core::Result<Option<ExitInfo>> {
        Ok(self.wait_impl(id, timeout).await?)
    }

    async fn exit_info(&self, id: &ContainerId) -> pod_core::Result<Option<ExitInfo>> {
        Ok(files::read_exit_file(&self.exit_path(id))?)
    }

    async fn monitor_alive(&self, id: &ContainerId) -> pod_core::Result<bool> {
        Ok(self.is_monitor_alive(id))
    }
}
