//! Reads: `pod_status`, `pod_summary`, `pod_list`. They never take the pod lock; the
//! container states are reconciled with the runtime in memory (exit files and monitor
//! liveness only), the store is left to the locked operations and the monitors.

use std::collections::{BTreeMap, HashMap};

use crate::engine::{Engine, PodSummary};
use crate::error::Result;
use crate::model::{Container, ContainerId, ContainerState, PodConfig, PodId, PodStatus};

/// The pod status of containers, init containers excluded.
pub(crate) fn pod_status_of(ctrs: &[Container]) -> PodStatus {
    PodStatus::from_states(
        ctrs.iter()
            .filter(|c| c.config.init_type.is_none())
            .map(|c| c.status.state),
    )
}

impl Engine {
    /// Containers reconciled concurrently (reads).
    pub(crate) async fn reconciled(&self, ctrs: Vec<Container>) -> Vec<Container> {
        futures::future::join_all(ctrs.into_iter().map(|c| self.reconcile_view(c))).await
    }

    /// One pod with its reconciled containers (reads).
    pub(crate) async fn pod_view(&self, pod: &str) -> Result<(PodConfig, Vec<Container>)> {
        let pod = self.store.lookup_pod(pod).await?;
        let ctrs = self.store.pod_containers(&pod.id).await?;
        Ok((pod, self.reconciled(ctrs).await))
    }

    pub(crate) async fn pod_status_impl(
        &self,
        pod: &str,
    ) -> Result<BTreeMap<ContainerId, ContainerState>> {
        let (_, ctrs) = self.pod_view(pod).await?;
        Ok(ctrs
            .into_iter()
            .filter(|c| c.config.init_type.is_none())
            .map(|c| (c.config.id, c.status.state))
            .collect())
    }

    pub(crate) async fn pod_summary_impl(&self, pod: &str) -> Result<PodSummary> {
        let (config, containers) = self.pod_view(pod).await?;
        Ok(PodSummary {
            status: pod_status_of(&containers),
            config,
            containers,
        })
    }

    pub(crate) async fn pod_list_impl(&self) -> Result<Vec<PodSummary>> {
        let pods = self.store.list_pods().await?;
        // One query for every container, not one per pod.
        let all = self.store.list_containers().await?;
        let all = self.reconciled(all).await;
        let mut by_pod: HashMap<PodId, Vec<Container>> = HashMap::new();
        for c in all {
            if let Some(p) = c.config.pod.clone() {
                by_pod.entry(p).or_default().push(c);
            }
        }
        Ok(pods
            .into_iter()
            .map(|config| {
                let containers = by_pod.remove(&config.id).unwrap_or_default();
                PodSummary {
                    status: pod_status_of(&containers),
                    config,
                    containers,
                }
            })
            .collect())
    }
}
