//! The error type of pod-core, shared by the traits' implementations.

use std::collections::BTreeMap;

use crate::model::{Container, ContainerState};

/// A boxed error from an implementation crate (store, runtime, cgroups).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias of pod-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the pod lifecycle.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A name that does not match `[a-zA-Z0-9][a-zA-Z0-9_.-]*` (at most 253 characters).
    #[error("invalid name {0:?}: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be at most 253 characters")]
    InvalidName(String),
    /// Not a 64-hex id.
    #[error("invalid id {0:?}: must be 64 lowercase hex characters")]
    InvalidId(String),
    /// A signal that is neither a known name nor a number in 1..=64.
    #[error("invalid signal: {0}")]
    InvalidSignal(String),
    /// Any other invalid argument; the message says which.
    #[error("{0}")]
    InvalidArgument(String),
    /// No pod by that name, id or id prefix.
    #[error("no pod with name or ID {0} found: no such pod")]
    NoSuchPod(String),
    /// No container by that name, id or id prefix.
    #[error("no container with name or ID \"{0}\" found: no such container")]
    NoSuchContainer(String),
    /// An id prefix matching several pods or containers.
    #[error("more than one result for {kind} ID prefix {prefix:?}: {count} match, give more characters or the name")]
    Ambiguous {
        /// `pod` or `container`.
        kind: &'static str,
        /// The prefix given.
        prefix: String,
        /// How many matched.
        count: usize,
    },
    /// The pod name is taken.
    #[error("the pod name \"{0}\" is already in use: pod already exists")]
    PodExists(String),
    /// The container name is taken.
    #[error("the container name \"{0}\" is already in use: container already exists")]
    ContainerExists(String),
    /// A pod without any root container.
    #[error("no containers in pod {0} have no dependencies, cannot start pod")]
    NoRoots(String),
    /// Adding or starting would make a dependency cycle.
    #[error("dependency cycle in pod {pod}: container {container} would depend on itself")]
    Cycle {
        /// Pod name.
        pod: String,
        /// A container on the cycle.
        container: String,
    },
    /// A dependency that is not in the same pod.
    #[error("container {container} depends on container {dependency}, which is not in pod {pod}")]
    DependencyOutsidePod {
        /// The dependent.
        container: String,
        /// The dependency.
        dependency: String,
        /// The pod.
        pod: String,
    },
    /// An init container exited non-zero.
    #[error("init container {0} exited with code {1}")]
    InitFailed(String, i32),
    /// A dependency of this container failed to start.
    #[error("a dependency of container {0} failed to start")]
    DependencyFailed(String),
    /// A dependent of this container could not be stopped.
    #[error("a container that depends on {0} could not be stopped")]
    DependentNotStopped(String),
    /// Pause of a rootless pod on cgroup v1.
    #[error("can not pause pods containing rootless containers with cgroup V1")]
    RootlessCgroupV1Pause,
    /// An operation the container's state does not allow.
    #[error("container {container} is {state}: cannot {action}")]
    InvalidState {
        /// Container name.
        container: String,
        /// Its state.
        state: ContainerState,
        /// What was attempted.
        action: &'static str,
    },
    /// `pod rm` without force on a pod with running containers.
    #[error("pod {0} has containers that are not ready to be removed: cannot remove pod with running containers without force option")]
    PodHasActiveContainers(String),
    /// `rm` without force of an active container.
    #[error("cannot remove container {0} as it is running - running or paused containers cannot be removed without force: container state improper")]
    ContainerActive(String),
    /// Removing a container others depend on.
    #[error("container {0} has dependent containers which must be removed before it: {1}")]
    HasDependents(String, String),
    /// Init containers are only for pods.
    #[error("init containers must be created in a pod")]
    InitWithoutPod,
    /// Adding an init container to a running pod.
    #[error("cannot add init-ctr to a running pod")]
    InitToRunningPod,
    /// A container of an infra-sharing pod needs the infra container running.
    #[error("infra container of pod {0} is not running")]
    InfraNotRunning(String),
    /// Some containers failed; each one's error by container name.
    #[error("{}", partial_message(.op, .pod, .errors))]
    Partial {
        /// The operation (`start`, `stop`, ...).
        op: &'static str,
        /// Pod name.
        pod: String,
        /// Per-container errors, sorted by container name.
        errors: BTreeMap<String, Error>,
    },
    /// The state store failed.
    #[error(transparent)]
    Store(BoxError),
    /// The OCI runtime failed.
    #[error(transparent)]
    Runtime(BoxError),
    /// Cgroup handling failed.
    #[error(transparent)]
    Cgroup(BoxError),
}

fn partial_message(op: &str, pod: &str, errors: &BTreeMap<String, Error>) -> String {
    let mut s = format!("{op} of pod {pod} failed for {} container(s)", errors.len());
    for (name, e) in errors {
        s.push_str(&format!("\n  {name}: {e}"));
    }
    s
}

impl Error {
    /// True for "no such pod" / "no such container".
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NoSuchPod(_) | Self::NoSuchContainer(_))
    }

    /// "container X is STATE: cannot ACTION", for a guard that refused a transition.
    pub(crate) fn invalid_state(c: &Container, action: &'static str) -> Self {
        Self::InvalidState {
            container: c.name().to_string(),
            state: c.status.state,
            action,
        }
    }

    /// Wraps a store implementation's error.
    pub fn store(e: impl Into<BoxError>) -> Self {
        Self::Store(e.into())
    }

    /// Wraps a runtime implementation's error.
    pub fn runtime(e: impl Into<BoxError>) -> Self {
        Self::Runtime(e.into())
    }

    /// Wraps a cgroup implementation's error.
    pub fn cgroup(e: impl Into<BoxError>) -> Self {
        Self::Cgroup(e.into())
    }
}
