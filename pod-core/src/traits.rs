//! The traits pod-core drives: state store, OCI runtime, cgroups, clock.
//!
//! Each is `#[async_trait]` and mockable with mockall (feature `mock`, or in tests).

use std::any::Any;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{
    CgroupMode, CgroupStats, Container, ContainerConfig, ContainerId, ContainerStatus,
    CreateOptions, Event, ExitInfo, PodConfig, PodId, RuntimeInfo, Signal,
};

/// A held pod lock; dropping it releases the lock.
pub struct PodLock {
    _guard: Box<dyn Any + Send + Sync>,
}

impl PodLock {
    /// Wraps whatever releases the lock on drop (a locked file, a mutex guard...).
    pub fn new<G: Any + Send + Sync>(guard: G) -> Self {
        Self {
            _guard: Box::new(guard),
        }
    }

    /// A lock that guards nothing (for tests and single-process embedders).
    pub fn noop() -> Self {
        Self::new(())
    }
}

impl std::fmt::Debug for PodLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PodLock")
    }
}

/// Where pods, containers, their states and events are kept.
///
/// Lookups by `name_or_id` accept a name, a full id, or a unique id prefix; not found is
/// [`crate::Error::NoSuchPod`] / [`crate::Error::NoSuchContainer`], an ambiguous prefix is
/// [`crate::Error::Ambiguous`]. Name clashes on insert are
/// [`crate::Error::PodExists`] / [`crate::Error::ContainerExists`].
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Inserts a pod.
    async fn add_pod(&self, pod: &PodConfig) -> Result<()>;
    /// Replaces a pod's config (same id).
    async fn update_pod(&self, pod: &PodConfig) -> Result<()>;
    /// Removes a pod and all its containers.
    async fn remove_pod(&self, id: &PodId) -> Result<()>;
    /// A pod by id.
    async fn pod(&self, id: &PodId) -> Result<PodConfig>;
    /// A pod by name, full id or unique id prefix.
    async fn lookup_pod(&self, name_or_id: &str) -> Result<PodConfig>;
    /// All pods, oldest first.
    async fn list_pods(&self) -> Result<Vec<PodConfig>>;
    /// Inserts a container with its initial status.
    async fn add_container(&self, ctr: &ContainerConfig, status: &ContainerStatus) -> Result<()>;
    /// Removes a container.
    async fn remove_container(&self, id: &ContainerId) -> Result<()>;
    /// A container by id.
    async fn container(&self, id: &ContainerId) -> Result<Container>;
    /// A container by name, full id or unique id prefix.
    async fn lookup_container(&self, name_or_id: &str) -> Result<Container>;
    /// The containers of a pod, oldest first.
    async fn pod_containers(&self, pod: &PodId) -> Result<Vec<Container>>;
    /// All containers, oldest first.
    async fn list_containers(&self) -> Result<Vec<Container>>;
    /// Records a container's new status.
    async fn set_status(&self, id: &ContainerId, status: &ContainerStatus) -> Result<()>;
    /// Takes the pod's exclusive lock (cross-process for persistent stores); waits for it.
    async fn lock_pod(&self, id: &PodId) -> Result<PodLock>;
    /// Records an event.
    async fn add_event(&self, event: &Event) -> Result<()>;
    /// Events since a time (all when `None`), oldest first.
    async fn events(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Event>>;
}

/// An OCI runtime (runc, crun) with its monitor processes.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait OciRuntime: Send + Sync {
    /// Creates the container in the runtime (bundle, monitor, `runtime create`); returns
    /// the container's pid. The container is then `created`, not yet running.
    async fn create(&self, ctr: &ContainerConfig, opts: &CreateOptions) -> Result<i32>;
    /// Starts a created container.
    async fn start(&self, id: &ContainerId) -> Result<()>;
    /// Creates and starts the container in one runtime call (e.g. `runc run --detach`),
    /// saving the separate `start`; returns the container's pid, or `None` when this
    /// runtime does not do that (the caller then uses [`OciRuntime::create`] and
    /// [`OciRuntime::start`]; the default). On error the runtime keeps nothing of the
    /// container.
    async fn run_detached(
        &self,
        ctr: &ContainerConfig,
        opts: &CreateOptions,
    ) -> Result<Option<i32>> {
        let _ = (ctr, opts);
        Ok(None)
    }
    /// The runtime's view of the container; `None` when the runtime does not know it.
    async fn state(&self, id: &ContainerId) -> Result<Option<RuntimeInfo>>;
    /// Sends a signal (to all processes of the container when `all`).
    async fn kill(&self, id: &ContainerId, signal: Signal, all: bool) -> Result<()>;
    /// Freezes the container.
    async fn pause(&self, id: &ContainerId) -> Result<()>;
    /// Thaws the container.
    async fn resume(&self, id: &ContainerId) -> Result<()>;
    /// Deletes the container from the runtime and frees its bundle; no error when the
    /// runtime does not know it.
    async fn delete(&self, id: &ContainerId, force: bool) -> Result<()>;
    /// Waits up to `timeout` (forever when `None`) for the exit; `None` on timeout.
    async fn wait(&self, id: &ContainerId, timeout: Option<Duration>) -> Result<Option<ExitInfo>>;
    /// The recorded exit, if the container has exited (no waiting).
    async fn exit_info(&self, id: &ContainerId) -> Result<Option<ExitInfo>>;
    /// Is the container's monitor process alive?
    async fn monitor_alive(&self, id: &ContainerId) -> Result<bool>;
}

/// The host's cgroup setup and per-pod cgroups.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CgroupProbe: Send + Sync {
    /// The cgroup hierarchy in use.
    fn mode(&self) -> CgroupMode;
    /// Running rootless (euid ≠ 0)?
    fn rootless(&self) -> bool;
    /// The cgroup parent for a pod's containers (e.g. `/podctl/pod_<id>`).
    fn pod_cgroup_parent(&self, pod: &PodId) -> String;
    /// Creates the pod's cgroup before its containers start.
    async fn create_pod_cgroup(&self, parent: &str) -> Result<()>;
    /// Removes the pod's cgroup after its containers stopped (no error if absent).
    async fn remove_pod_cgroup(&self, parent: &str) -> Result<()>;
    /// CPU and memory usage of a container's cgroup.
    async fn stats(&self, parent: &str, container: &ContainerId) -> Result<CgroupStats>;
}

/// A source of the current time.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
