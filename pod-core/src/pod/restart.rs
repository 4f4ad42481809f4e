//! `pod_restart`: ordered stop of the running containers, then ordered start (init
//! containers of type `always` rerun). Infra never restarts under running dependents.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{EventKind, PodConfig};

impl Engine {
    pub(crate) async fn pod_restart_impl(&self, pod: &str) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        // Graph errors (and an unstartable pod) before anything is touched.
        let graph = DepGraph::build(&pod, &ctrs)?;
        graph.check_roots()?;
        let errors = self.stop_locked(&pod, &ctrs, &graph, None).await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "restart",
                pod: pod.name.to_string(),
                errors,
            });
        }
        self.event(EventKind::Stop, Some(&pod.id), None, pod.name.as_str())
            .await;
        self.start_locked(&pod, "restart").await?;
        self.event(EventKind::Start, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }
}
