//! The `container_*` operations: each takes the container's pod lock (when in a pod)
//! and runs the container-level steps of the parent module.

use std::collections::{HashSet, VecDeque};

use crate::container::{
    create_options, has_process, infra_pid_of, live_map, lock_live, pod_shares_infra, start_jobs,
    Step,
};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{
    format_time, Container, ContainerId, ContainerInspect, ContainerInspectConfig,
    ContainerInspectState, ContainerState, EventKind, PodConfig, RestartPolicy, Signal, ZERO_TIME,
};

/// Is this a container whose exit counts for the pod's exit policy?
fn counts_for_exit_policy(c: &Container) -> bool {
    c.config.pod.is_some() && !c.config.is_infra && c.config.init_type.is_none()
}

impl Engine {
    /// The container's pod, if any.
    async fn pod_of(&self, c: &Container) -> Result<Option<PodConfig>> {
        match &c.config.pod {
            Some(p) => Ok(Some(self.store.pod(p).await?)),
            None => Ok(None),
        }
    }

    /// The pid of the pod's infra container to join, or `InfraNotRunning` (members of a
    /// pod whose infra shares namespaces only; `None` otherwise).
    async fn required_infra_pid(
        &self,
        c: &Container,
        pod: Option<&PodConfig>,
    ) -> Result<Option<i32>> {
        let Some(pod) = pod else { return Ok(None) };
        if c.config.is_infra || !pod_shares_infra(pod) {
            return Ok(None);
        }
        let Some(infra_id) = &pod.infra_container_id else {
            return Ok(None);
        };
        let infra = self.synced_container(infra_id).await?;
        infra_pid_of(&infra)
            .map(Some)
            .ok_or_else(|| Error::InfraNotRunning(pod.name.to_string()))
    }

    pub(crate) async fn container_init_impl(&self, ctr: &str) -> Result<Container> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        let pod = self.pod_of(&c).await?;
        if !c.status.state.can_init() {
            return Err(Error::invalid_state(&c, "init"));
        }
        let infra_pid = self.required_infra_pid(&c, pod.as_ref()).await?;
        // Validate the options before touching the runtime.
        create_options(&c.config, pod.as_ref(), infra_pid)?;
        self.init_step(&mut c, pod.as_ref(), infra_pid).await?;
        self.ctr_event(EventKind::Init, &c).await;
        Ok(c)
    }

    pub(crate) async fn container_start_impl(&self, ctr: &str) -> Result<Container> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let pod = self.pod_of(&found).await?;
        let id = found.id().clone();

        // The containers involved: the pod's, or the chain of dependencies of a
        // container outside any pod.
        let (ctrs, graph) = match &pod {
            Some(p) => {
                let ctrs = self.synced_pod_containers(&p.id).await?;
                let graph = DepGraph::build(p, &ctrs)?;
                (ctrs, graph)
            }
            None => {
                let mut ctrs = vec![self.synced_container(&id).await?];
                let mut seen: HashSet<ContainerId> = HashSet::from([id.clone()]);
                let mut queue: VecDeque<ContainerId> =
                    found.config.dependencies.iter().cloned().collect();
                while let Some(d) = queue.pop_front() {
                    if !seen.insert(d.clone()) {
                        continue;
                    }
                    let dep = self.synced_container(&d).await?;
                    queue.extend(dep.config.dependencies.iter().cloned());
                    ctrs.push(dep);
                }
                let graph = DepGraph::standalone(ctrs.iter().map(|c| &c.config))?;
                (ctrs, graph)
            }
        };
        let target = ctrs
            .iter()
            .find(|c| c.id() == &id)
            .cloned()
            .ok_or_else(|| Error::NoSuchContainer(ctr.to_owned()))?;
        match target.status.state {
            ContainerState::Running => return Ok(target),
            state @ (ContainerState::Paused
            | ContainerState::Stopping
            | ContainerState::Removing) => {
                return Err(Error::InvalidState {
                    container: target.name().to_string(),
                    state,
                    action: "start",
                })
            }
            _ => {}
        }
        let infra_id = pod
            .as_ref()
            .filter(|p| pod_shares_infra(p))
            .and_then(|p| p.infra_container_id.clone());
        if let (Some(p), Some(infra_id)) = (&pod, &infra_id) {
            if !target.config.is_infra {
                let running = ctrs
                    .iter()
                    .find(|c| c.id() == infra_id)
                    .and_then(infra_pid_of)
                    .is_some();
                if !running {
                    return Err(Error::InfraNotRunning(p.name.to_string()));
                }
            }
        }

        // The target and its dependencies that do not run yet, in dependency order
        // (the infra container runs, checked above).
        let mut wanted: HashSet<ContainerId> = graph
            .transitive_dependencies(&id)
            .into_iter()
            .filter(|d| Some(d) != infra_id.as_ref())
            .collect();
        wanted.insert(id.clone());
        let set: Vec<&Container> = ctrs.iter().filter(|c| wanted.contains(c.id())).collect();
        let live = live_map(&ctrs);
        let errors = self
            .run_steps(pod.as_ref(), &live, start_jobs(&graph, &set), Step::Start)
            .await;
        let started = lock_live(&live).get(&id).cloned();
        if errors.is_empty() {
            return started.ok_or_else(|| Error::NoSuchContainer(ctr.to_owned()));
        }
        let mut errors = errors;
        if errors.len() == 1 {
            if let Some(e) = errors.remove(target.name().as_str()) {
                return Err(e);
            }
        }
        Err(Error::Partial {
            op: "start",
            pod: pod
                .map(|p| p.name.to_string())
                .unwrap_or_else(|| target.name().to_string()),
            errors,
        })
    }

    pub(crate) async fn container_stop_impl(
        &self,
        ctr: &str,
        timeout: Option<u64>,
    ) -> Result<Container> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        let was_active = has_process(c.status.state);
        self.stop_step(&mut c, timeout).await?;
        if was_active && counts_for_exit_policy(&c) {
            if let Some(p) = &c.config.pod {
                if let Err(e) = self.apply_exit_policy(p).await {
                    tracing::warn!(pod = %p, error = %e, "cannot apply the pod's exit policy");
                }
            }
        }
        Ok(c)
    }

    pub(crate) async fn container_kill_impl(&self, ctr: &str, signal: Signal) -> Result<Container> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        self.kill_step(&mut c, signal).await?;
        Ok(c)
    }

    pub(crate) async fn container_pause_impl(&self, ctr: &str) -> Result<Container> {
        self.check_pause_allowed()?;
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        self.pause_step(&mut c).await?;
        Ok(c)
    }

    pub(crate) async fn container_unpause_impl(&self, ctr: &str) -> Result<Container> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        self.unpause_step(&mut c).await?;
        Ok(c)
    }

    pub(crate) async fn container_wait_impl(&self, ctr: &str) -> Result<i32> {
        // No lock: waiting must not block the pod's other operations.
        let found = self.store.lookup_container(ctr).await?;
        let c = self.reconcile_view(found).await;
        match c.status.state {
            s if has_process(s) => match self.runtime.wait(c.id(), None).await? {
                Some(exit) => Ok(exit.code),
                None => Err(Error::runtime(format!(
                    "waiting for container {} returned without an exit",
                    c.name()
                ))),
            },
            ContainerState::Stopped | ContainerState::Exited => Ok(c.status.exit_code.unwrap_or(0)),
            state => Err(Error::InvalidState {
                container: c.name().to_string(),
                state,
                action: "wait",
            }),
        }
    }

    pub(crate) async fn container_rm_impl(
        &self,
        ctr: &str,
        force: bool,
        timeout: Option<u64>,
    ) -> Result<ContainerId> {
        let found = self.store.lookup_container(ctr).await?;
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = self.synced_container(found.id()).await?;
        let pod = self.pod_of(&c).await?;
        if c.config.is_infra {
            if let Some(p) = &pod {
                return Err(Error::InvalidArgument(format!(
                    "container {} is the infra container of pod {} and cannot be removed without removing the pod",
                    c.name(),
                    p.name
                )));
            }
        }
        let others = match &pod {
            Some(p) => self.store.pod_containers(&p.id).await?,
            None => self.store.list_containers().await?,
        };
        let dependents: Vec<String> = others
            .iter()
            .filter(|o| o.id() != c.id() && o.config.dependencies.contains(c.id()))
            .map(|o| o.name().to_string())
            .collect();
        if !dependents.is_empty() {
            return Err(Error::HasDependents(
                c.name().to_string(),
                dependents.join(", "),
            ));
        }
        let was_active = !c.status.state.can_remove();
        if was_active {
            if !force {
                return Err(Error::ContainerActive(c.name().to_string()));
            }
            self.stop_step(&mut c, timeout).await?;
        }
        self.remove_step(&c).await?;
        if was_active && counts_for_exit_policy(&c) {
            if let Some(p) = &pod {
                if let Err(e) = self.apply_exit_policy(&p.id).await {
                    tracing::warn!(pod = %p.name, error = %e, "cannot apply the pod's exit policy");
                }
            }
        }
        Ok(c.config.id)
    }

    pub(crate) async fn container_inspect_impl(&self, ctr: &str) -> Result<ContainerInspect> {
        let found = self.store.lookup_container(ctr).await?;
        let c = self.reconcile_view(found).await;
        Ok(inspect(&c))
    }

    pub(crate) async fn container_list_impl(&self) -> Result<Vec<Container>> {
        let ctrs = self.store.list_containers().await?;
        Ok(futures::future::join_all(ctrs.into_iter().map(|c| self.reconcile_view(c))).await)
    }

    pub(crate) async fn container_cleanup_impl(&self, ctr: &str) -> Result<()> {
        let found = match self.store.lookup_container(ctr).await {
            Ok(c) => c,
            Err(Error::NoSuchContainer(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let _lock = self.lock_ctr_pod(&found).await?;
        let mut c = match self.store.container(found.id()).await {
            Ok(c) => c,
            Err(Error::NoSuchContainer(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        match c.status.state {
            s if has_process(s) => match self.runtime.exit_info(c.id()).await? {
                Some(exit) => {
                    crate::container::record_exit(&mut c.status, &exit);
                    c.status.state = ContainerState::Stopped;
                    self.cleanup_step(&mut c).await?;
                    self.ctr_event(EventKind::Died, &c).await;
                }
                // No exit for the current run: a late call about an earlier run.
                None => return Ok(()),
            },
            ContainerState::Stopped => {
                self.cleanup_step(&mut c).await?;
                self.ctr_event(EventKind::Cleanup, &c).await;
            }
            _ => {}
        }
        if counts_for_exit_policy(&c) {
            if let Some(p) = &c.config.pod {
                self.apply_exit_policy(p).await?;
            }
        }
        Ok(())
    }
}

fn time_or_zero(t: Option<&chrono::DateTime<chrono::Utc>>) -> String {
    t.map(format_time).unwrap_or_else(|| ZERO_TIME.to_owned())
}

fn restart_policy_name(p: RestartPolicy) -> &'static str {
    match p {
        RestartPolicy::No => "no",
        RestartPolicy::Always => "always",
        RestartPolicy::OnFailure => "on-failure",
        RestartPolicy::UnlessStopped => "unless-stopped",
    }
}

/// Container inspect output of a (reconciled) container.
pub(crate) fn inspect(c: &Container) -> ContainerInspect {
    let cfg = &c.config;
    let st = &c.status;
    let state = st.state;
    ContainerInspect {
        id: cfg.id.to_string(),
        name: cfg.name.to_string(),
        created: format_time(&cfg.created),
        path: cfg.command.first().cloned().unwrap_or_default(),
        args: cfg.command.iter().skip(1).cloned().collect(),
        state: ContainerInspectState {
            status: state.as_str().to_owned(),
            running: matches!(state, ContainerState::Running | ContainerState::Paused),
            paused: state == ContainerState::Paused,
            restarting: false,
            oom_killed: st.oom_killed,
            dead: false,
            pid: if has_process(state) {
                st.pid.unwrap_or(0)
            } else {
                0
            },
            exit_code: st.exit_code.unwrap_or(0),
            error: st.error.clone().unwrap_or_default(),
            started_at: time_or_zero(st.started_at.as_ref()),
            finished_at: time_or_zero(st.finished_at.as_ref()),
        },
        pod: cfg.pod.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        config: ContainerInspectConfig {
            cmd: cfg.command.clone(),
            env: cfg.env.clone(),
            working_dir: cfg.workdir.clone().unwrap_or_default(),
            user: cfg.user.clone().unwrap_or_default(),
            labels: cfg.labels.clone(),
            stop_signal: cfg.stop_signal.name(),
            stop_timeout: cfg.stop_timeout,
        },
        rootfs: cfg
            .rootfs
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        is_infra: cfg.is_infra,
        dependencies: cfg.dependencies.iter().map(|d| d.to_string()).collect(),
        init_container_type: cfg
            .init_type
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        restart_policy: restart_policy_name(cfg.restart_policy).to_owned(),
    }
}
