//! Inspect output, serialized with podman's field names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One container in a pod's inspect output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PodInspectContainer {
    /// Full id.
    pub id: String,
    /// Name.
    pub name: String,
    /// State name (lowercase).
    pub state: String,
}

/// `pod inspect` of one pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PodInspect {
    /// Full id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Namespace (always empty, as podman's default).
    pub namespace: String,
    /// Creation time, RFC 3339 with nanoseconds.
    pub created: String,
    /// The argv that created it.
    pub create_command: Vec<String>,
    /// `continue` or `stop`.
    pub exit_policy: String,
    /// Pod status (`Running`, ...).
    pub state: String,
    /// Hostname.
    pub hostname: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Whether a cgroup is created for the pod.
    pub create_cgroup: bool,
    /// Cgroup parent.
    pub cgroup_parent: String,
    /// Cgroup path.
    pub cgroup_path: String,
    /// Whether the pod has an infra container.
    pub create_infra: bool,
    /// The infra container id, when any.
    #[serde(rename = "InfraContainerID", skip_serializing_if = "Option::is_none")]
    pub infra_container_id: Option<String>,
    /// Shared namespaces, sorted.
    pub shared_namespaces: Vec<String>,
    /// Number of containers (infra and init included).
    pub num_containers: usize,
    /// Containers sorted by name.
    pub containers: Vec<PodInspectContainer>,
}

/// The `State` object of container inspect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspectState {
    /// State name (lowercase).
    pub status: String,
    /// Running (or paused: podman reports Running=true while paused).
    pub running: bool,
    /// Paused.
    pub paused: bool,
    /// Restarting (never, podctl has no restart loop running).
    pub restarting: bool,
    /// Killed by OOM.
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    /// Dead.
    pub dead: bool,
    /// Pid (0 when not running).
    pub pid: i32,
    /// Exit code.
    pub exit_code: i32,
    /// Last error.
    pub error: String,
    /// Start time, RFC 3339 (zero time when never started).
    pub started_at: String,
    /// Finish time, RFC 3339 (zero time when never finished).
    pub finished_at: String,
}

/// The `Config` object of container inspect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspectConfig {
    /// Command.
    pub cmd: Vec<String>,
    /// Environment.
    pub env: Vec<String>,
    /// Working directory.
    pub working_dir: String,
    /// User.
    pub user: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Stop signal number... as podman: the signal name.
    pub stop_signal: String,
    /// Stop timeout, seconds.
    pub stop_timeout: u64,
}

/// `inspect` of one container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    /// Full id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Creation time.
    pub created: String,
    /// Executable.
    pub path: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// State.
    pub state: ContainerInspectState,
    /// Pod id (empty when none).
    pub pod: String,
    /// Configuration.
    pub config: ContainerInspectConfig,
    /// Root filesystem directory (empty for infra).
    pub rootfs: String,
    /// Is this an infra container?
    pub is_infra: bool,
    /// Ids of the containers it depends on.
    pub dependencies: Vec<String>,
    /// `once`, `always` or empty.
    pub init_container_type: String,
    /// Restart policy name.
    pub restart_policy: String,
}

/// The zero time podman prints for "never": `0001-01-01T00:00:00Z`.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
