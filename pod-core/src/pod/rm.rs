//! `pod_rm`: refuse active containers unless forced; forced = ordered stop, then every
//! container is removed from the runtime and the store, then the pod.

use crate::container::has_process;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{EventKind, PodId};

impl Engine {
    pub(crate) async fn pod_rm_impl(
        &self,
        pod: &str,
        force: bool,
        timeout: Option<u64>,
    ) -> Result<PodId> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let active = ctrs.iter().any(|c| !c.status.state.can_remove());
        if active && !force {
            return Err(Error::PodHasActiveContainers(pod.name.to_string()));
        }
        if ctrs.iter().any(|c| has_process(c.status.state)) {
            let graph = DepGraph::build(&pod, &ctrs)?;
            let errors = self.stop_locked(&pod, &ctrs, &graph, timeout).await;
            if !errors.is_empty() {
                return Err(Error::Partial {
                    op: "rm",
                    pod: pod.name.to_string(),
                    errors,
                });
            }
        }
        // Nothing may be left in the runtime: delete every container there, even those
        // the store believes exited.
        let mut errors = std::collections::BTreeMap::new();
        for c in ctrs.iter().rev() {
            if let Err(e) = self.runtime.delete(c.id(), true).await {
                errors.insert(c.name().to_string(), e);
            }
        }
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "rm",
                pod: pod.name.to_string(),
                errors,
            });
        }
        self.store.remove_pod(&pod.id).await?;
        self.remove_pod_cgroup(&pod).await;
        for c in ctrs.iter().rev() {
            self.ctr_event(EventKind::Remove, c).await;
        }
        self.event(EventKind::Remove, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod.id)
    }
}
