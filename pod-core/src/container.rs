//! Container-level steps, shared by the pod operations and the `container_*` methods:
//! reconcile with the runtime, create (init), start, stop (signal, timeout, SIGKILL),
//! kill, pause, unpause, cleanup, and the runtime options of a container.
//!
//! Steps take the container by `&mut` and persist every state change they make; they
//! never take a pod lock (callers hold it).

pub(crate) mod create;
pub(crate) mod ops;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{
    Container, ContainerConfig, ContainerId, ContainerState, ContainerStatus, CreateOptions,
    EventKind, ExitInfo, Namespace, PodConfig, PodId, RuntimeInfo, RuntimeStatus, Signal,
};
use crate::sched::{self, Job};
use crate::traits::PodLock;

/// How long stop waits for the exit after SIGKILL before giving up.
pub(crate) const KILL_WAIT: Duration = Duration::from_secs(10);

/// How long a locked operation waits for a monitor that is still creating a container
/// an interrupted operation asked for (see [`Engine::reconcile_with`]).
pub(crate) const ADOPT_WAIT: Duration = Duration::from_secs(10);

/// Records a run's exit in a status.
pub(crate) fn record_exit(status: &mut ContainerStatus, exit: &ExitInfo) {
    status.exit_code = Some(exit.code);
    status.finished_at = Some(exit.finished_at);
    status.oom_killed = exit.oom_killed;
    status.pid = None;
}

/// Does the container have a process in the runtime (created, running, paused,
/// stopping)? Only those are reconciled.
pub(crate) fn has_process(state: ContainerState) -> bool {
    state.is_active() || state == ContainerState::Created
}

/// The runtime options of a container: namespaces it creates or joins, hostname,
/// cgroup parent. `infra_pid` is the pid of the pod's infra container, required for a
/// member of a pod whose infra shares namespaces.
pub(crate) fn create_options(
    ctr: &ContainerConfig,
    pod: Option<&PodConfig>,
    infra_pid: Option<i32>,
) -> Result<CreateOptions> {
    let Some(pod) = pod else {
        return Ok(CreateOptions::default());
    };
    let mut opts = CreateOptions {
        cgroup_parent: (!pod.cgroup_parent.is_empty()).then(|| pod.cgroup_parent.clone()),
        pod: Some(pod.id.clone()),
        ..CreateOptions::default()
    };
    if ctr.is_infra {
        opts.shared = pod.shared_namespaces.iter().copied().collect();
        if pod.shared_namespaces.contains(&Namespace::Uts) {
            opts.hostname = Some(pod.hostname.clone());
        }
    } else if pod_shares_infra(pod) {
        let pid = infra_pid.ok_or_else(|| Error::InfraNotRunning(pod.name.to_string()))?;
        opts.join = pod.shared_namespaces.iter().map(|ns| (*ns, pid)).collect();
    }
    Ok(opts)
}

/// Does the pod have an infra container whose namespaces its members join?
pub(crate) fn pod_shares_infra(pod: &PodConfig) -> bool {
    pod.infra_container_id.is_some() && !pod.shared_namespaces.is_empty()
}

/// The infra pid usable for joining: the infra runs (or is paused) and has a pid.
pub(crate) fn infra_pid_of(infra: &Container) -> Option<i32> {
    matches!(
        infra.status.state,
        ContainerState::Running | ContainerState::Paused
    )
    .then_some(infra.status.pid)
    .flatten()
}

/// The containers an operation works on, updated by each step as it completes (so a
/// member's start sees the pid of the infra container started just before).
pub(crate) type Live = Arc<Mutex<HashMap<ContainerId, Container>>>;

/// A [`Live`] map of containers.
pub(crate) fn live_map(ctrs: &[Container]) -> Live {
    Arc::new(Mutex::new(
        ctrs.iter().map(|c| (c.id().clone(), c.clone())).collect(),
    ))
}

/// Locks a [`Live`] map (a poisoned lock is still usable: entries are whole values).
pub(crate) fn lock_live(live: &Live) -> MutexGuard<'_, HashMap<ContainerId, Container>> {
    live.lock().unwrap_or_else(|e| e.into_inner())
}

/// A container-level step run by the scheduler.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// [`Engine::start_step`].
    Start,
    /// [`Engine::stop_step`] with the timeout.
    Stop(Option<u64>),
    /// [`Engine::cleanup_step`].
    Cleanup,
    /// [`Engine::pause_step`].
    Pause,
    /// [`Engine::unpause_step`].
    Unpause,
    /// [`Engine::kill_step`].
    Kill(Signal),
}

/// Jobs that start `ids` in dependency order (each waits for its dependencies).
pub(crate) fn start_jobs(graph: &DepGraph, ctrs: &[&Container]) -> Vec<Job> {
    ctrs.iter()
        .map(|c| Job {
            id: c.id().clone(),
            name: c.name().to_string(),
            waits: graph.dependencies(c.id()),
        })
        .collect()
}

/// Jobs that stop `ids` in reverse dependency order (each waits for its dependents).
pub(crate) fn stop_jobs(graph: &DepGraph, ctrs: &[&Container]) -> Vec<Job> {
    ctrs.iter()
        .map(|c| Job {
            id: c.id().clone(),
            name: c.name().to_string(),
            waits: graph.dependents(c.id()),
        })
        .collect()
}

/// Jobs without any order between them.
pub(crate) fn flat_jobs(ctrs: &[&Container]) -> Vec<Job> {
    ctrs.iter()
        .map(|c| Job {
            id: c.id().clone(),
            name: c.name().to_string(),
            waits: Vec::new(),
        })
        .collect()
}

impl Engine {
    /// Runs `step` for every job through the scheduler (concurrently, in the jobs'
    /// order constraints), keeping `live` up to date; returns errors by container name.
    pub(crate) async fn run_steps(
        &self,
        pod: Option<&PodConfig>,
        live: &Live,
        jobs: Vec<Job>,
        step: Step,
    ) -> BTreeMap<String, Error> {
        let blocked: fn(String) -> Error = match step {
            Step::Stop(_) => Error::DependentNotStopped,
            _ => Error::DependencyFailed,
        };
        let pod = pod.cloned().map(Arc::new);
        sched::run(
            jobs,
            self.parallelism,
            |id| {
                let engine = self.clone();
                let pod = pod.clone();
                let live = live.clone();
                async move {
                    let (mut c, infra_pid) = {
                        let map = lock_live(&live);
                        let c = map
                            .get(&id)
                            .cloned()
                            .ok_or_else(|| Error::NoSuchContainer(id.to_string()))?;
                        let infra_pid = pod
                            .as_ref()
                            .and_then(|p| p.infra_container_id.as_ref())
                            .and_then(|i| map.get(i))
                            .and_then(infra_pid_of);
                        (c, infra_pid)
                    };
                    let result = match step {
                        Step::Start => engine.start_step(&mut c, pod.as_deref(), infra_pid).await,
                        Step::Stop(t) => engine.stop_step(&mut c, t).await,
                        Step::Cleanup => engine.cleanup_step(&mut c).await,
                        Step::Pause => engine.pause_step(&mut c).await,
                        Step::Unpause => engine.unpause_step(&mut c).await,
                        Step::Kill(sig) => engine.kill_step(&mut c, sig).await,
                    };
                    lock_live(&live).insert(id, c);
                    result
                }
            },
            blocked,
        )
        .await
    }

    /// Records an event; a failure to record is logged, not returned (the operation it
    /// describes already happened).
    pub(crate) async fn event(
        &self,
        kind: EventKind,
        pod: Option<&PodId>,
        ctr: Option<&ContainerId>,
        name: &str,
    ) {
        let ev = crate::model::Event {
            time: self.clock.now(),
            kind,
            pod: pod.cloned(),
            container: ctr.cloned(),
            name: name.to_owned(),
        };
        if let Err(e) = self.store.add_event(&ev).await {
            tracing::warn!(error = %e, ?kind, name, "cannot record event");
        }
    }

    /// Records a container event.
    pub(crate) async fn ctr_event(&self, kind: EventKind, c: &Container) {
        self.event(kind, c.config.pod.as_ref(), Some(c.id()), c.name().as_str())
            .await;
    }

    /// Takes the lock of the container's pod; a container outside any pod is locked
    /// under its own id (so its monitor's cleanup cannot race a start in progress).
    pub(crate) async fn lock_ctr_pod(&self, c: &Container) -> Result<Option<PodLock>> {
        let key = match &c.config.pod {
            Some(p) => p.clone(),
            None => PodId::parse(c.id().as_str())?,
        };
        Ok(Some(self.store.lock_pod(&key).await?))
    }

    /// Brings the stored state up to date with the runtime, in memory only; returns
    /// whether anything changed. For reads (`locked` false) and for operations holding
    /// the pod lock (`locked` true).
    ///
    /// - A container with a process whose exit was recorded becomes `stopped` (exit
    ///   code and time recorded, runtime resources not yet released); one without exit
    ///   whose monitor is gone becomes `unknown` with an error.
    /// - A `created` one that the runtime runs meanwhile becomes `running` (a CLI killed
    ///   between the runtime's start and the store update left it so).
    /// - Under the lock, a `stopping` one that still runs is `running` again: the
    ///   operation that was stopping it died (it would hold the lock otherwise).
    /// - A container without a process in the store whose monitor is alive was created
    ///   in the runtime by a CLI killed before it recorded that: it is adopted with the
    ///   runtime's state (`created`, `running`, `paused`), so that the next stop, start
    ///   or rm handles it instead of leaving an orphan in the runtime.
    ///
    /// `runtime.state` is asked only in the last three cases; the common paths use the
    /// exit file and the monitor's liveness only.
    pub(crate) async fn reconcile_with(&self, c: &mut Container, locked: bool) -> Result<bool> {
        let state = c.status.state;
        if !has_process(state) {
            return self.adopt(c, locked).await;
        }
        if let Some(exit) = self.runtime.exit_info(c.id()).await? {
            record_exit(&mut c.status, &exit);
            c.status.state = ContainerState::Stopped;
            return Ok(true);
        }
        if !self.runtime.monitor_alive(c.id()).await? {
            c.status.state = ContainerState::Unknown;
            c.status.pid = None;
            c.status.error = Some(format!("monitor of container {} died", c.name()));
            return Ok(true);
        }
        let stale_stopping = locked && state == ContainerState::Stopping;
        if state != ContainerState::Created && !stale_stopping {
            return Ok(false);
        }
        let Some(info) = self.runtime_state_quiet(c).await else {
            return Ok(false);
        };
        let new = match (state, info.status) {
            (ContainerState::Created, RuntimeStatus::Running) => ContainerState::Running,
            (ContainerState::Created, RuntimeStatus::Paused) => ContainerState::Paused,
            (ContainerState::Stopping, RuntimeStatus::Running) => ContainerState::Running,
            (ContainerState::Stopping, RuntimeStatus::Paused) => ContainerState::Paused,
            _ => return Ok(false),
        };
        tracing::debug!(container = %c.name(), from = %state, to = %new, "state left by an interrupted operation");
        if state == ContainerState::Created {
            c.status.started_at = Some(self.clock.now());
        }
        c.status.state = new;
        c.status.pid = info.pid.or(c.status.pid);
        c.status.error = None;
        Ok(true)
    }

    /// The runtime's view of a container; an error is logged and counts as unknown.
    async fn runtime_state_quiet(&self, c: &Container) -> Option<RuntimeInfo> {
        match self.runtime.state(c.id()).await {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!(container = %c.name(), error = %e, "cannot read the runtime state");
                None
            }
        }
    }

    /// The adoption case of [`Engine::reconcile_with`]: a container the store believes
    /// has no process, while its monitor lives and has not recorded an exit.
    async fn adopt(&self, c: &mut Container, locked: bool) -> Result<bool> {
        if c.status.state == ContainerState::Removing {
            return Ok(false);
        }
        if !self.runtime.monitor_alive(c.id()).await?
            || self.runtime.exit_info(c.id()).await?.is_some()
        {
            return Ok(false);
        }
        let mut info = self.runtime_state_quiet(c).await;
        if locked {
            // The monitor may still be running the runtime's `create`: wait for it, so
            // that the container does not appear in the runtime after this operation.
            let deadline = std::time::Instant::now() + ADOPT_WAIT;
            while !matches!(&info, Some(i) if i.status != RuntimeStatus::Creating)
                && std::time::Instant::now() < deadline
                && self.runtime.monitor_alive(c.id()).await?
                && self.runtime.exit_info(c.id()).await?.is_none()
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
                info = self.runtime_state_quiet(c).await;
            }
        }
        let Some(info) = info else { return Ok(false) };
        let new = match info.status {
            RuntimeStatus::Created => ContainerState::Created,
            RuntimeStatus::Running => ContainerState::Running,
            RuntimeStatus::Paused => ContainerState::Paused,
            RuntimeStatus::Creating | RuntimeStatus::Stopped => return Ok(false),
        };
        tracing::debug!(container = %c.name(), from = %c.status.state, to = %new, "adopting a container left in the runtime by an interrupted operation");
        c.status.state = new;
        c.status.pid = info.pid;
        c.status.error = None;
        c.status.exit_code = None;
        c.status.oom_killed = false;
        if new != ContainerState::Created {
            c.status.started_at = Some(self.clock.now());
        }
        Ok(true)
    }

    /// [`Engine::reconcile_with`] for reads: a runtime error leaves the stored state as is.
    pub(crate) async fn reconcile_view(&self, mut c: Container) -> Container {
        if let Err(e) = self.reconcile_with(&mut c, false).await {
            tracing::warn!(container = %c.name(), error = %e, "cannot reconcile container state");
        }
        c
    }

    /// [`Engine::reconcile_with`] and persist the change (callers hold the pod lock).
    pub(crate) async fn sync(&self, c: &mut Container) -> Result<()> {
        if self.reconcile_with(c, true).await? {
            self.store.set_status(c.id(), &c.status).await?;
        }
        Ok(())
    }

    /// The pod's containers, oldest first, synced with the runtime.
    pub(crate) async fn synced_pod_containers(&self, pod: &PodId) -> Result<Vec<Container>> {
        let mut ctrs = self.store.pod_containers(pod).await?;
        for c in &mut ctrs {
            self.sync(c).await?;
        }
        Ok(ctrs)
    }

    /// The stored container by id, synced with the runtime.
    pub(crate) async fn synced_container(&self, id: &ContainerId) -> Result<Container> {
        let mut c = self.store.container(id).await?;
        self.sync(&mut c).await?;
        Ok(c)
    }

    /// Creates the container in the runtime (it must not exist there); state `created`.
    pub(crate) async fn create_step(
        &self,
        c: &mut Container,
        pod: Option<&PodConfig>,
        infra_pid: Option<i32>,
    ) -> Result<()> {
        let opts = create_options(&c.config, pod, infra_pid)?;
        self.create_with(c, &opts).await
    }

    /// [`Engine::create_step`] with the runtime options worked out.
    async fn create_with(&self, c: &mut Container, opts: &CreateOptions) -> Result<()> {
        match self.runtime.create(&c.config, opts).await {
            Ok(pid) => {
                let before = c.status.clone();
                c.status.state = ContainerState::Created;
                c.status.pid = Some(pid);
                c.status.error = None;
                if let Err(e) = self.store.set_status(c.id(), &c.status).await {
                    // Not recorded: do not leave an unknown container in the runtime.
                    if let Err(de) = self.runtime.delete(c.id(), true).await {
                        tracing::warn!(container = %c.name(), error = %de, "cannot delete unrecorded container");
                    }
                    c.status = before;
                    return Err(e);
                }
                Ok(())
            }
            Err(e) => {
                self.record_create_failure(c, &e).await;
                Err(e)
            }
        }
    }

    /// A failed create (or one-step run): a configured container stays so, any other
    /// becomes `exited`; the error is recorded.
    async fn record_create_failure(&self, c: &mut Container, e: &Error) {
        if c.status.state != ContainerState::Configured {
            c.status.state = ContainerState::Exited;
        }
        c.status.pid = None;
        c.status.error = Some(e.to_string());
        self.persist_best_effort(c).await;
    }

    /// Brings a container without a runtime container (`configured`, `stopped`,
    /// `exited`, `unknown`; the old runtime container is released first) to `running`
    /// in one runtime call when the runtime can ([`OciRuntime::run_detached`]: one
    /// process instead of `create` + `start`), returning `true`; otherwise creates it
    /// (state `created`) and returns `false`, leaving the start to the caller.
    async fn run_or_create(
        &self,
        c: &mut Container,
        pod: Option<&PodConfig>,
        infra_pid: Option<i32>,
    ) -> Result<bool> {
        if c.status.state != ContainerState::Configured {
            self.runtime.delete(c.id(), true).await?;
        }
        let opts = create_options(&c.config, pod, infra_pid)?;
        let pid = match self.runtime.run_detached(&c.config, &opts).await {
            Ok(Some(pid)) => pid,
            Ok(None) => return self.create_with(c, &opts).await.map(|()| false),
            Err(e) => {
                self.record_create_failure(c, &e).await;
                return Err(e);
            }
        };
        let before = c.status.clone();
        c.status.state = ContainerState::Running;
        c.status.pid = Some(pid);
        c.status.started_at = Some(self.clock.now());
        c.status.exit_code = None;
        c.status.oom_killed = false;
        c.status.error = None;
        if let Err(e) = self.store.set_status(c.id(), &c.status).await {
            // Not recorded: do not leave an unknown container in the runtime.
            if let Err(de) = self.runtime.delete(c.id(), true).await {
                tracing::warn!(container = %c.name(), error = %de, "cannot delete unrecorded container");
            }
            c.status = before;
            return Err(e);
        }
        self.ctr_event(EventKind::Start, c).await;
        Ok(true)
    }

    async fn persist_best_effort(&self, c: &Container) {
        if let Err(e) = self.store.set_status(c.id(), &c.status).await {
            tracing::warn!(container = %c.name(), error = %e, "cannot record container status");
        }
    }

    /// Creates the container in the runtime from `configured`, `stopped`, `exited`
    /// (after releasing the old runtime container); the `init` of a single container.
    pub(crate) async fn init_step(
        &self,
        c: &mut Container,
        pod: Option<&PodConfig>,
        infra_pid: Option<i32>,
    ) -> Result<()> {
        match c.status.state {
            ContainerState::Configured => {}
            ContainerState::Stopped | ContainerState::Exited | ContainerState::Unknown => {
                self.runtime.delete(c.id(), true).await?;
            }
            state => {
                return Err(Error::InvalidState {
                    container: c.name().to_string(),
                    state,
                    action: "init",
                })
            }
        }
        self.create_step(c, pod, infra_pid).await
    }

    /// Brings a container to running: running and paused ones are left alone, a created
    /// one is started, a configured one created and started, a stopped, exited or
    /// unknown one released from the runtime, re-created and started.
    pub(crate) async fn start_step(
        &self,
        c: &mut Container,
        pod: Option<&PodConfig>,
        infra_pid: Option<i32>,
    ) -> Result<()> {
        match c.status.state {
            ContainerState::Running | ContainerState::Paused => return Ok(()),
            ContainerState::Created => {}
            ContainerState::Configured
            | ContainerState::Stopped
            | ContainerState::Exited
            | ContainerState::Unknown => {
                if self.run_or_create(c, pod, infra_pid).await? {
                    return Ok(());
                }
            }
            state @ (ContainerState::Stopping | ContainerState::Removing) => {
                return Err(Error::InvalidState {
                    container: c.name().to_string(),
                    state,
                    action: "start",
                })
            }
        }
        if let Err(e) = self.runtime.start(c.id()).await {
            if let Err(de) = self.runtime.delete(c.id(), true).await {
                tracing::warn!(container = %c.name(), error = %de, "cannot delete container after failed start");
            }
            c.status.state = ContainerState::Exited;
            c.status.pid = None;
            c.status.error = Some(e.to_string());
            self.persist_best_effort(c).await;
            return Err(e);
        }
        c.status.state = ContainerState::Running;
        c.status.started_at = Some(self.clock.now());
        c.status.exit_code = None;
        c.status.oom_killed = false;
        c.status.error = None;
        self.store.set_status(c.id(), &c.status).await?;
        self.ctr_event(EventKind::Start, c).await;
        Ok(())
    }

    /// Sends a signal; a failure is no error when the container already exited.
    async fn signal_step(&self, c: &Container, signal: Signal, all: bool) -> Result<()> {
        match self.runtime.kill(c.id(), signal, all).await {
            Ok(()) => Ok(()),
            Err(e) => match self.runtime.exit_info(c.id()).await {
                Ok(Some(_)) => Ok(()),
                _ => Err(e),
            },
        }
    }

    /// Stops a container: a paused one is thawed first; the stop signal is sent, then
    /// up to `timeout` seconds (`None` = the container's stop timeout; 0 = SIGKILL at
    /// once) are waited for the exit, then SIGKILL; the exit is recorded and the runtime
    /// container released (state `exited`). Already stopped is no error; a `stopped`
    /// one is only released; a `created` or `unknown` one is force-deleted.
    pub(crate) async fn stop_step(&self, c: &mut Container, timeout: Option<u64>) -> Result<()> {
        match c.status.state {
            ContainerState::Configured | ContainerState::Exited => return Ok(()),
            ContainerState::Stopped => return self.cleanup_step(c).await,
            ContainerState::Created | ContainerState::Unknown => {
                self.runtime.delete(c.id(), true).await?;
                c.status.state = ContainerState::Exited;
                c.status.pid = None;
                self.store.set_status(c.id(), &c.status).await?;
                return Ok(());
            }
            ContainerState::Removing => {
                return Err(Error::InvalidState {
                    container: c.name().to_string(),
                    state: ContainerState::Removing,
                    action: "stop",
                })
            }
            ContainerState::Running | ContainerState::Paused | ContainerState::Stopping => {}
        }
        if c.status.state == ContainerState::Paused {
            self.runtime.resume(c.id()).await?;
        }
        c.status.state = ContainerState::Stopping;
        self.store.set_status(c.id(), &c.status).await?;

        let exit = match self.signal_and_wait(c, timeout).await {
            Ok(Some(exit)) => exit,
            outcome => {
                // Not stopped (the runtime failed, or the container outlived SIGKILL):
                // unless it exited meanwhile, it still runs, and says so; `stopping`
                // is not left behind.
                match self.runtime.exit_info(c.id()).await {
                    Ok(Some(exit)) => exit,
                    _ => {
                        let err = outcome.err().unwrap_or_else(|| {
                            Error::runtime(format!(
                                "container {} did not exit within {}s after SIGKILL",
                                c.name(),
                                KILL_WAIT.as_secs()
                            ))
                        });
                        c.status.state = ContainerState::Running;
                        c.status.error = Some(err.to_string());
                        self.persist_best_effort(c).await;
                        return Err(err);
                    }
                }
            }
        };
        record_exit(&mut c.status, &exit);
        c.status.state = ContainerState::Stopped;
        self.cleanup_step(c).await?;
        self.ctr_event(EventKind::Stop, c).await;
        Ok(())
    }

    /// The stop signal, up to `timeout` seconds (`None` = the container's own) for the
    /// exit, then SIGKILL and [`KILL_WAIT`]; `None` when it did not exit even then.
    async fn signal_and_wait(
        &self,
        c: &Container,
        timeout: Option<u64>,
    ) -> Result<Option<ExitInfo>> {
        let secs = timeout.unwrap_or(c.config.stop_timeout);
        let mut exit = None;
        if secs > 0 {
            self.signal_step(c, c.config.stop_signal, false).await?;
            exit = self
                .runtime
                .wait(c.id(), Some(Duration::from_secs(secs)))
                .await?;
        }
        if exit.is_none() {
            tracing::debug!(container = %c.name(), "stop timeout reached, sending SIGKILL");
            self.signal_step(c, Signal::KILL, true).await?;
            exit = self.runtime.wait(c.id(), Some(KILL_WAIT)).await?;
        }
        Ok(exit)
    }

    /// Releases the runtime container of a stopped container; state `exited`.
    pub(crate) async fn cleanup_step(&self, c: &mut Container) -> Result<()> {
        if let Err(e) = self.runtime.delete(c.id(), false).await {
            self.persist_best_effort(c).await;
            return Err(e);
        }
        c.status.state = ContainerState::Exited;
        c.status.pid = None;
        self.store.set_status(c.id(), &c.status).await
    }

    /// Sends a signal to a container that can receive one.
    pub(crate) async fn kill_step(&self, c: &mut Container, signal: Signal) -> Result<()> {
        if !c.status.state.can_kill() {
            return Err(Error::invalid_state(c, "kill"));
        }
        self.runtime.kill(c.id(), signal, false).await?;
        self.ctr_event(EventKind::Kill, c).await;
        Ok(())
    }

    /// Freezes a running container.
    pub(crate) async fn pause_step(&self, c: &mut Container) -> Result<()> {
        if !c.status.state.can_pause() {
            return Err(Error::invalid_state(c, "pause"));
        }
        self.runtime.pause(c.id()).await?;
        c.status.state = ContainerState::Paused;
        self.store.set_status(c.id(), &c.status).await?;
        self.ctr_event(EventKind::Pause, c).await;
        Ok(())
    }

    /// Thaws a paused container.
    pub(crate) async fn unpause_step(&self, c: &mut Container) -> Result<()> {
        if !c.status.state.can_unpause() {
            return Err(Error::invalid_state(c, "unpause"));
        }
        self.runtime.resume(c.id()).await?;
        c.status.state = ContainerState::Running;
        self.store.set_status(c.id(), &c.status).await?;
        self.ctr_event(EventKind::Unpause, c).await;
        Ok(())
    }

    /// Refuses pause for a rootless user on cgroup v1.
    pub(crate) fn check_pause_allowed(&self) -> Result<()> {
        if self.cgroups.rootless() && !self.cgroups.mode().is_v2() {
            return Err(Error::RootlessCgroupV1Pause);
        }
        Ok(())
    }

    /// Removes a container from the runtime and the store (it must not be active).
    pub(crate) async fn remove_step(&self, c: &Container) -> Result<()> {
        self.runtime.delete(c.id(), true).await?;
        self.store.remove_container(c.id()).await?;
        self.ctr_event(EventKind::Remove, c).await;
        Ok(())
    }
}
