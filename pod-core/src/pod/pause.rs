//! `pod_pause` / `pod_unpause`: freeze the running containers, thaw the paused ones,
//! concurrently; others are skipped.

use crate::container::{flat_jobs, live_map, Step};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::{Container, ContainerState, EventKind, PodConfig};

impl Engine {
    pub(crate) async fn pod_pause_impl(&self, pod: &str) -> Result<PodConfig> {
        // Refused before anything is looked up or touched.
        self.check_pause_allowed()?;
        self.pod_freeze(pod, true).await
    }

    pub(crate) async fn pod_unpause_impl(&self, pod: &str) -> Result<PodConfig> {
        self.pod_freeze(pod, false).await
    }

    async fn pod_freeze(&self, pod: &str, pause: bool) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let from = if pause {
            ContainerState::Running
        } else {
            ContainerState::Paused
        };
        let targets: Vec<&Container> = ctrs.iter().filter(|c| c.status.state == from).collect();
        let live = live_map(&ctrs);
        let step = if pause { Step::Pause } else { Step::Unpause };
        let errors = self
            .run_steps(Some(&pod), &live, flat_jobs(&targets), step)
            .await;
        if !errors.is_empty() {
            return Err(Error::Partial {
                op: if pause { "pause" } else { "unpause" },
                pod: pod.name.to_string(),
                errors,
            });
        }
        let kind = if pause {
            EventKind::Pause
        } else {
            EventKind::Unpause
        };
        self.event(kind, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }
}
