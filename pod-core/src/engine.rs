//! The `Engine`: every pod and container operation, over the three traits.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::Result;
use crate::model::{
    Container, ContainerConfig, ContainerId, ContainerInspect, ContainerSpec, ContainerState,
    PodConfig, PodId, PodInspect, PodSpec, PodStatus, Signal,
};
use crate::traits::{CgroupProbe, Clock, OciRuntime, StateStore, SystemClock};

/// Default bound on containers started or stopped at once.
pub const DEFAULT_PARALLELISM: usize = 8;

/// A pod with its derived status and containers, as `pod ps` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSummary {
    /// The pod.
    pub config: PodConfig,
    /// Its status (init containers excluded).
    pub status: PodStatus,
    /// All its containers (infra and init included), oldest first.
    pub containers: Vec<Container>,
}

/// The pod lifecycle engine. Cheap to clone (all parts are `Arc`s).
#[derive(Clone)]
pub struct Engine {
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) runtime: Arc<dyn OciRuntime>,
    pub(crate) cgroups: Arc<dyn CgroupProbe>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) parallelism: usize,
}

impl Engine {
    /// An engine over a store, a runtime and a cgroup probe, with the system clock.
    pub fn new(
        store: Arc<dyn StateStore>,
        runtime: Arc<dyn OciRuntime>,
        cgroups: Arc<dyn CgroupProbe>,
    ) -> Self {
        Self {
            store,
            runtime,
            cgroups,
            clock: Arc::new(SystemClock),
            parallelism: DEFAULT_PARALLELISM,
        }
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets how many containers are started or stopped at once (at least 1).
    pub fn with_parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.max(1);
        self
    }

    /// The state store.
    pub fn store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// The OCI runtime.
    pub fn runtime(&self) -> &Arc<dyn OciRuntime> {
        &self.runtime
    }

    /// The cgroup probe.
    pub fn cgroups(&self) -> &Arc<dyn CgroupProbe> {
        &self.cgroups
    }
}

// The operations below are implemented in `crate::pod` and `crate::container`; their
// signatures are the public API the CLI wires to.
impl Engine {
    /// Creates a pod (and its infra container config when it shares namespaces).
    pub async fn pod_create(&self, spec: PodSpec) -> Result<PodConfig> {
        self.pod_create_impl(spec).await
    }
    /// Starts a pod: init containers, then the rest in dependency order, concurrently.
    pub async fn pod_start(&self, pod: &str) -> Result<PodConfig> {
        self.pod_start_impl(pod).await
    }
    /// Stops a pod; `timeout` `None` = each container's own stop timeout (`-t -1`).
    pub async fn pod_stop(&self, pod: &str, timeout: Option<u64>) -> Result<PodConfig> {
        self.pod_stop_impl(pod, timeout).await
    }
    /// Releases runtime resources of the pod's stopped containers.
    pub async fn pod_cleanup(&self, pod: &str) -> Result<PodConfig> {
        self.pod_cleanup_impl(pod).await
    }
    /// Freezes the pod's running containers.
    pub async fn pod_pause(&self, pod: &str) -> Result<PodConfig> {
        self.pod_pause_impl(pod).await
    }
    /// Thaws the pod's paused containers.
    pub async fn pod_unpause(&self, pod: &str) -> Result<PodConfig> {
        self.pod_unpause_impl(pod).await
    }
    /// Ordered stop, then ordered start.
    pub async fn pod_restart(&self, pod: &str) -> Result<PodConfig> {
        self.pod_restart_impl(pod).await
    }
    /// Signals the pod's running, stopping and paused containers.
    pub async fn pod_kill(&self, pod: &str, signal: Signal) -> Result<PodConfig> {
        self.pod_kill_impl(pod, signal).await
    }
    /// Container id → state, init containers excluded.
    pub async fn pod_status(&self, pod: &str) -> Result<BTreeMap<ContainerId, ContainerState>> {
        self.pod_status_impl(pod).await
    }
    /// One pod's summary (status and containers, reconciled with the runtime).
    pub async fn pod_summary(&self, pod: &str) -> Result<PodSummary> {
        self.pod_summary_impl(pod).await
    }
    /// Every pod's summary, oldest first.
    pub async fn pod_list(&self) -> Result<Vec<PodSummary>> {
        self.pod_list_impl().await
    }
    /// Inspect output of a pod.
    pub async fn pod_inspect(&self, pod: &str) -> Result<PodInspect> {
        self.pod_inspect_impl(pod).await
    }
    /// Removes a pod (force: stop it first); returns its id.
    pub async fn pod_rm(&self, pod: &str, force: bool, timeout: Option<u64>) -> Result<PodId> {
        self.pod_rm_impl(pod, force, timeout).await
    }
    /// Creates a container (graph checked now: cycles and outside-pod dependencies refused).
    pub async fn container_create(&self, spec: ContainerSpec) -> Result<ContainerConfig> {
        self.container_create_impl(spec).await
    }
    /// Creates the container in the runtime without starting it.
    pub async fn container_init(&self, ctr: &str) -> Result<Container> {
        self.container_init_impl(ctr).await
    }
    /// Starts a container (its dependencies must run).
    pub async fn container_start(&self, ctr: &str) -> Result<Container> {
        self.container_start_impl(ctr).await
    }
    /// Stops a container; `timeout` `None` = its own stop timeout.
    pub async fn container_stop(&self, ctr: &str, timeout: Option<u64>) -> Result<Container> {
        self.container_stop_impl(ctr, timeout).await
    }
    /// Signals a container.
    pub async fn container_kill(&self, ctr: &str, signal: Signal) -> Result<Container> {
        self.container_kill_impl(ctr, signal).await
    }
    /// Freezes a container.
    pub async fn container_pause(&self, ctr: &str) -> Result<Container> {
        self.container_pause_impl(ctr).await
    }
    /// Thaws a container.
    pub async fn container_unpause(&self, ctr: &str) -> Result<Container> {
        self.container_unpause_impl(ctr).await
    }
    /// Waits for a container to exit; returns its exit code.
    pub async fn container_wait(&self, ctr: &str) -> Result<i32> {
        self.container_wait_impl(ctr).await
    }
    /// Removes a container (force: stop it first); returns its id.
    pub async fn container_rm(
        &self,
        ctr: &str,
        force: bool,
        timeout: Option<u64>,
    ) -> Result<ContainerId> {
        self.container_rm_impl(ctr, force, timeout).await
    }
    /// Inspect output of a container.
    pub async fn container_inspect(&self, ctr: &str) -> Result<ContainerInspect> {
        self.container_inspect_impl(ctr).await
    }
    /// Every container, reconciled with the runtime, oldest first.
    pub async fn container_list(&self) -> Result<Vec<Container>> {
        self.container_list_impl().await
    }
    /// The monitor's exit command: records the exit, releases runtime resources and
    /// applies the pod's exit policy.
    pub async fn container_cleanup(&self, ctr: &str) -> Result<()> {
        self.container_cleanup_impl(ctr).await
    }
}
