//! `pod_stop`, `pod_cleanup` and the exit policy `stop`: dependents stop before their
//! dependencies (the infra container last), independent containers concurrently.

use std::collections::BTreeMap;

use crate::container::{flat_jobs, has_process, live_map, stop_jobs, Step};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{Container, ContainerState, EventKind, ExitPolicy, PodConfig, PodId};

impl Engine {
    pub(crate) async fn pod_stop_impl(&self, pod: &str, timeout: Option<u64>) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let graph = DepGraph::build(&pod, &ctrs)?;
        let errors = self.stop_locked(&pod, &ctrs, &graph, timeout).await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "stop",
                pod: pod.name.to_string(),
                errors,
            });
        }
        self.event(EventKind::Stop, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }

    /// Stops every container of the pod in reverse dependency order and, when all
    /// stopped, removes the pod cgroup; the caller holds the pod lock.
    pub(crate) async fn stop_locked(
        &self,
        pod: &PodConfig,
        ctrs: &[Container],
        graph: &DepGraph,
        timeout: Option<u64>,
    ) -> BTreeMap<String, Error> {
        let live = live_map(ctrs);
        let all: Vec<&Container> = ctrs.iter().collect();
        let errors = self
            .run_steps(
                Some(pod),
                &live,
                stop_jobs(graph, &all),
                Step::Stop(timeout),
            )
            .await;
        if errors.is_empty() {
            self.remove_pod_cgroup(pod).await;
        }
        errors
    }

    /// Removes the pod cgroup (a failure is logged: the containers are stopped).
    pub(crate) async fn remove_pod_cgroup(&self, pod: &PodConfig) {
        if pod.cgroup_parent.is_empty() {
            return;
        }
        if let Err(e) = self.cgroups.remove_pod_cgroup(&pod.cgroup_parent).await {
            tracing::warn!(pod = %pod.name, error = %e, "cannot remove the pod cgroup");
        }
    }

    pub(crate) async fn pod_cleanup_impl(&self, pod: &str) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let stopped: Vec<&Container> = ctrs
            .iter()
            .filter(|c| c.status.state == ContainerState::Stopped)
            .collect();
        let live = live_map(&ctrs);
        let errors = self
            .run_steps(Some(&pod), &live, flat_jobs(&stopped), Step::Cleanup)
            .await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "cleanup",
                pod: pod.name.to_string(),
                errors,
            });
        }
        if !ctrs.iter().any(|c| has_process(c.status.state)) {
            self.remove_pod_cgroup(&pod).await;
        }
        Ok(pod)
    }

    /// The exit policy `stop`: when no container other than infra and init containers
    /// is active any more but something still is (the infra), the pod is stopped.
    /// The caller holds the pod lock.
    pub(crate) async fn apply_exit_policy(&self, pod: &PodId) -> Result<()> {
        let pod = self.store.pod(pod).await?;
        if pod.exit_policy != ExitPolicy::Stop {
            return Ok(());
        }
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let app_active = ctrs.iter().any(|c| {
            !c.config.is_infra && c.config.init_type.is_none() && c.status.state.is_active()
        });
        let any_active = ctrs.iter().any(|c| has_process(c.status.state));
        if app_active || !any_active {
            return Ok(());
        }
        tracing::debug!(pod = %pod.name, "last container exited, exit policy stop: stopping the pod");
        let graph = DepGraph::build(&pod, &ctrs)?;
        let errors = self.stop_locked(&pod, &ctrs, &graph, None).await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "stop",
                pod: pod.name.to_string(),
                errors,
            });
        }
        self.event(EventKind::Stop, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(())
    }
}
