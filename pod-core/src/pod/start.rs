//! `pod_start`: init containers first (oldest first, each run to completion), then
//! every other container as soon as all its dependencies run, concurrently.

use std::collections::HashSet;

use crate::container::{live_map, lock_live, record_exit, start_jobs, Live, Step};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{Container, ContainerId, ContainerState, EventKind, InitType, PodConfig};

impl Engine {
    pub(crate) async fn pod_start_impl(&self, pod: &str) -> Result<PodConfig> {
        let pod = self.store.lookup_pod(pod).await?;
        let _lock = self.store.lock_pod(&pod.id).await?;
        self.start_locked(&pod, "start").await?;
        self.event(EventKind::Start, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }

    /// Starts the pod; the caller holds the pod lock.
    pub(crate) async fn start_locked(&self, pod: &PodConfig, op: &'static str) -> Result<()> {
        let ctrs = self.synced_pod_containers(&pod.id).await?;
        let graph = DepGraph::build(pod, &ctrs)?;
        graph.check_roots()?;
        if !pod.cgroup_parent.is_empty() {
            self.cgroups.create_pod_cgroup(&pod.cgroup_parent).await?;
        }
        let live = live_map(&ctrs);
        let partial = |errors| Error::Partial {
            op,
            pod: pod.name.to_string(),
            errors,
        };

        // Init containers, oldest first; first what they depend on (the infra).
        let mut inits: Vec<&Container> = ctrs
            .iter()
            .filter(|c| c.config.init_type.is_some())
            .collect();
        inits.sort_by_key(|c| c.config.created);
        if !inits.is_empty() {
            let needed: HashSet<ContainerId> = inits
                .iter()
                .flat_map(|c| graph.transitive_dependencies(c.id()))
                .collect();
            let set: Vec<&Container> = ctrs
                .iter()
                .filter(|c| c.config.init_type.is_none() && needed.contains(c.id()))
                .collect();
            let errors = self
                .run_steps(Some(pod), &live, start_jobs(&graph, &set), Step::Start)
                .await;
            if !errors.is_empty() {
                return Err(partial(errors));
            }
            for init in inits {
                self.run_init(pod, &live, init.id())
                    .await
                    .map_err(|e| match e {
                        e @ Error::InitFailed(..) => e,
                        e => partial([(init.name().to_string(), e)].into()),
                    })?;
            }
        }

        let rest: Vec<&Container> = ctrs
            .iter()
            .filter(|c| c.config.init_type.is_none())
            .collect();
        let errors = self
            .run_steps(Some(pod), &live, start_jobs(&graph, &rest), Step::Start)
            .await;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(partial(errors))
        }
    }

    /// Runs one init container to completion: start, wait, release; a non-zero exit is
    /// [`Error::InitFailed`]; a `once` container is removed after success.
    async fn run_init(&self, pod: &PodConfig, live: &Live, id: &ContainerId) -> Result<()> {
        let (mut c, infra_pid) = {
            let map = lock_live(live);
            let c = map
                .get(id)
                .cloned()
                .ok_or_else(|| Error::NoSuchContainer(id.to_string()))?;
            let infra_pid = pod
                .infra_container_id
                .as_ref()
                .and_then(|i| map.get(i))
                .and_then(crate::container::infra_pid_of);
            (c, infra_pid)
        };
        if c.status.state == ContainerState::Paused {
            return Err(Error::invalid_state(&c, "run init container"));
        }
        // A still running init container (from an interrupted start) is waited for as
        // it is; anything else is (re-)created and started.
        self.start_step(&mut c, Some(pod), infra_pid).await?;
        let exit = self.runtime.wait(c.id(), None).await?.ok_or_else(|| {
            Error::runtime(format!(
                "waiting for init container {} returned without an exit",
                c.name()
            ))
        })?;
        record_exit(&mut c.status, &exit);
        c.status.state = ContainerState::Stopped;
        self.cleanup_step(&mut c).await?;
        self.ctr_event(EventKind::Died, &c).await;
        if exit.code != 0 {
            return Err(Error::InitFailed(c.name().to_string(), exit.code));
        }
        if c.config.init_type == Some(InitType::Once) {
            self.store.remove_container(c.id()).await?;
            self.ctr_event(EventKind::Remove, &c).await;
            lock_live(live).remove(c.id());
        } else {
            lock_live(live).insert(c.id().clone(), c);
        }
        Ok(())
    }
}
