//! Pod and container configuration, as stored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ContainerId, ContainerStatus, Name, PodId, Signal};
use crate::error::Error;

/// A kernel namespace a pod can share between its containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Namespace {
    /// cgroup namespace.
    Cgroup,
    /// IPC namespace.
    Ipc,
    /// Network namespace.
    Net,
    /// PID namespace.
    Pid,
    /// UTS (hostname) namespace.
    Uts,
}

impl Namespace {
    /// Every shareable namespace.
    pub const ALL: [Namespace; 5] = [Self::Cgroup, Self::Ipc, Self::Net, Self::Pid, Self::Uts];

    /// podman's default: `ipc,net,uts`.
    pub fn default_shared() -> BTreeSet<Namespace> {
        [Self::Ipc, Self::Net, Self::Uts].into_iter().collect()
    }

    /// The name used by `--share` and in inspect output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cgroup => "cgroup",
            Self::Ipc => "ipc",
            Self::Net => "net",
            Self::Pid => "pid",
            Self::Uts => "uts",
        }
    }

    /// The file name under `/proc/PID/ns/`.
    pub fn proc_name(self) -> &'static str {
        self.as_str()
    }

    /// Parses a `--share` value: a comma list of namespaces, `none` or empty for none.
    pub fn parse_list(s: &str) -> Result<BTreeSet<Namespace>, Error> {
        let mut out = BTreeSet::new();
        let t = s.trim();
        if t.is_empty() || t == "none" {
            return Ok(out);
        }
        for part in t.split(',') {
            let p = part.trim();
            let ns = Self::ALL
                .into_iter()
                .find(|n| n.as_str() == p)
                .ok_or_else(|| {
                    Error::InvalidArgument(format!("invalid kernel namespace to share: {p}"))
                })?;
            out.insert(ns);
        }
        Ok(out)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a pod does when its last non-infra container exits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExitPolicy {
    /// Keep the pod (and its infra container) running.
    #[default]
    Continue,
    /// Stop the pod, infra included.
    Stop,
}

impl ExitPolicy {
    /// `continue` or `stop`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Continue => "continue",
            Self::Stop => "stop",
        }
    }

    /// Parses `continue` or `stop`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "continue" => Ok(Self::Continue),
            "stop" => Ok(Self::Stop),
            other => Err(Error::InvalidArgument(format!(
                "invalid pod exit policy: \"{other}\": must be one of [continue stop]"
            ))),
        }
    }
}

/// The kind of an init container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitType {
    /// Runs at the first pod start, then is removed.
    Once,
    /// Runs at every pod start.
    Always,
}

impl InitType {
    /// `once` or `always`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Once => "once",
            Self::Always => "always",
        }
    }

    /// Parses `once` or `always`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "once" => Ok(Self::Once),
            "always" => Ok(Self::Always),
            other => Err(Error::InvalidArgument(format!(
                "init-ctr value must be 'always' or 'once': {other:?} is not valid"
            ))),
        }
    }
}

/// A container's restart policy, as podman's `--restart`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    /// Never restart.
    #[default]
    No,
    /// Restart whenever it exits.
    Always,
    /// Restart on a non-zero exit.
    OnFailure,
    /// Like always, unless it was stopped by the user.
    UnlessStopped,
}

/// A stored pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodConfig {
    /// Id.
    pub id: PodId,
    /// Unique name.
    pub name: Name,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Hostname of the shared uts namespace (defaults to the pod name).
    pub hostname: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// The argv that created it.
    pub create_command: Vec<String>,
    /// Exit policy.
    pub exit_policy: ExitPolicy,
    /// Namespaces shared through the infra container.
    pub shared_namespaces: BTreeSet<Namespace>,
    /// The infra container, when the pod has one.
    pub infra_container_id: Option<ContainerId>,
    /// The cgroup parent of the pod's containers.
    pub cgroup_parent: String,
}

/// A stored container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerConfig {
    /// Id.
    pub id: ContainerId,
    /// Unique name.
    pub name: Name,
    /// The pod it belongs to.
    pub pod: Option<PodId>,
    /// Root filesystem directory, used in place. `None` for an infra container, whose
    /// rootfs the runtime layer makes (empty, with catatonit bind-mounted).
    pub rootfs: Option<PathBuf>,
    /// Command and arguments.
    pub command: Vec<String>,
    /// Environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// Working directory inside the container.
    pub workdir: Option<String>,
    /// User (`uid[:gid]`).
    pub user: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Signal sent by stop.
    pub stop_signal: Signal,
    /// Seconds stop waits before SIGKILL.
    pub stop_timeout: u64,
    /// Containers (same pod) that must run before this one.
    pub dependencies: Vec<ContainerId>,
    /// Init container kind.
    pub init_type: Option<InitType>,
    /// Is this the pod's infra container?
    pub is_infra: bool,
    /// Restart policy.
    pub restart_policy: RestartPolicy,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// The argv that created it.
    pub create_command: Vec<String>,
}

/// A container with its runtime record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    /// Configuration.
    pub config: ContainerConfig,
    /// Runtime record.
    pub status: ContainerStatus,
}

impl Container {
    /// Shortcut for the id.
    pub fn id(&self) -> &ContainerId {
        &self.config.id
    }

    /// Shortcut for the name.
    pub fn name(&self) -> &Name {
        &self.config.name
    }
}

/// What `pod create` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSpec {
    /// Name; generated when `None`.
    pub name: Option<Name>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Hostname; the pod name when `None`.
    pub hostname: Option<String>,
    /// Exit policy.
    pub exit_policy: ExitPolicy,
    /// Namespaces to share; `None` = the default `ipc,net,uts`.
    pub share: Option<BTreeSet<Namespace>>,
    /// Create an infra container (ignored, i.e. false, when nothing is shared).
    pub infra: bool,
    /// Infra container name; `<podid[..12]>-infra` when `None`.
    pub infra_name: Option<Name>,
    /// Infra command; `["/catatonit", "-P"]` when empty.
    pub infra_command: Vec<String>,
    /// The argv that created it.
    pub create_command: Vec<String>,
    /// The cgroup parent; `/podctl/pod_<id>` style default when `None`.
    pub cgroup_parent: Option<String>,
}

/// What `create` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerSpec {
    /// Name; generated when `None`.
    pub name: Option<Name>,
    /// Pod name or id.
    pub pod: Option<String>,
    /// Root filesystem directory.
    pub rootfs: PathBuf,
    /// Command and arguments (must not be empty).
    pub command: Vec<String>,
    /// Environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// Working directory.
    pub workdir: Option<String>,
    /// User.
    pub user: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Stop signal (default TERM).
    pub stop_signal: Option<Signal>,
    /// Stop timeout in seconds (default 10).
    pub stop_timeout: Option<u64>,
    /// Names or ids of containers it requires.
    pub requires: Vec<String>,
    /// Init container kind.
    pub init_type: Option<InitType>,
    /// Restart policy.
    pub restart_policy: RestartPolicy,
    /// The argv that created it.
    pub create_command: Vec<String>,
}

/// Kind of a recorded event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// Created.
    Create,
    /// Initialized in the runtime.
    Init,
    /// Started.
    Start,
    /// Stopped.
    Stop,
    /// Signalled.
    Kill,
    /// Paused.
    Pause,
    /// Unpaused.
    Unpause,
    /// Restarted.
    Restart,
    /// Exited on its own.
    Died,
    /// Runtime resources released.
    Cleanup,
    /// Removed.
    Remove,
}

/// A recorded event about a pod or a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When.
    pub time: DateTime<Utc>,
    /// What.
    pub kind: EventKind,
    /// The pod concerned.
    pub pod: Option<PodId>,
    /// The container concerned (none for a pod event).
    pub container: Option<ContainerId>,
    /// Name of the pod or container.
    pub name: String,
}

/// Options for creating a container in the runtime, computed by the core.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOptions {
    /// Hostname (set when the container owns or shares the uts namespace of its pod).
    pub hostname: Option<String>,
    /// Namespaces to join, each by `/proc/PID/ns/<ns>` of the given pid.
    pub join: Vec<(Namespace, i32)>,
    /// Namespaces this container creates for others to join (the infra container's).
    pub shared: Vec<Namespace>,
    /// The cgroup parent path.
    pub cgroup_parent: Option<String>,
    /// The pod id, when in a pod.
    pub pod: Option<PodId>,
}

/// What the runtime reports for a container (`runc state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeStatus {
    /// Being created.
    Creating,
    /// Created, not started.
    Created,
    /// Running.
    Running,
    /// Frozen.
    Paused,
    /// Its process is gone.
    Stopped,
}

/// A container as the runtime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeInfo {
    /// Status.
    pub status: RuntimeStatus,
    /// Init pid (0 or absent when stopped).
    pub pid: Option<i32>,
}

/// An exit recorded by the monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitInfo {
    /// Exit code; 128+N when killed by signal N.
    pub code: i32,
    /// When it exited.
    pub finished_at: DateTime<Utc>,
    /// Killed by the OOM killer.
    pub oom_killed: bool,
}

/// Cgroup hierarchy of the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CgroupMode {
    /// cgroup v2 only.
    Unified,
    /// v1 controllers with a v2 hierarchy beside them.
    Hybrid,
    /// cgroup v1 only.
    Legacy,
}

impl CgroupMode {
    /// Is this cgroup v2 (unified)?
    pub fn is_v2(self) -> bool {
        self == Self::Unified
    }
}

/// CPU and memory usage of a cgroup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CgroupStats {
    /// Total CPU time in nanoseconds.
    pub cpu_usage_ns: u64,
    /// Memory in use, bytes.
    pub memory_bytes: u64,
    /// Memory limit, bytes (0 = none).
    pub memory_limit: u64,
    /// Number of processes.
    pub pids: u64,
}
