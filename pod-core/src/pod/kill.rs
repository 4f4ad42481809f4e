//! `pod_kill`: signal the running, stopping and paused containers, concurrently.

use crate::container::{flat_jobs, live_map, Step};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::{Container, EventKind, PodConfig, Signal};

impl Engine {
    pub(crate) async fn pod_kill_impl(&self, pod: &str, signal: Signal) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let targets: Vec<&Container> = ctrs.iter().filter(|c| c.status.state.can_kill()).collect();
        let live = live_map(&ctrs);
        // The exit is recorded by each container's monitor (container_cleanup) and
        // seen by reads before that (reconcile).
        let errors = self
            .run_steps(Some(&pod), &live, flat_jobs(&targets), Step::Kill(signal))
            .await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: "kill",
                pod: pod.name.to_string(),
                errors,
            });
        }
        self.event(EventKind::Kill, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }
}
