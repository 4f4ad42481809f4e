//! Test helpers: a small in-memory fake store, a mockall runtime with shared behavior
//! (recording every call), a wrapper adding async gates to runtime calls, and an
//! environment tying them to an [`Engine`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use futures::future::BoxFuture;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::*;
use crate::traits::*;

/// A pod config for graph tests.
pub(crate) fn pod_config(name: &str) -> PodConfig {
    PodConfig {
        id: PodId::random(),
        name: Name::parse(name).unwrap(),
        labels: BTreeMap::new(),
        hostname: name.to_owned(),
        created: Utc::now(),
        create_command: vec![],
        exit_policy: ExitPolicy::Continue,
        shared_namespaces: Namespace::default_shared(),
        infra_container_id: None,
        cgroup_parent: String::new(),
    }
}

/// A container config in `pod` depending on `deps`.
pub(crate) fn ctr_config(name: &str, pod: &PodConfig, deps: &[&ContainerId]) -> ContainerConfig {
    ContainerConfig {
        id: ContainerId::random(),
        name: Name::parse(name).unwrap(),
        pod: Some(pod.id.clone()),
        rootfs: Some("/rootfs".into()),
        command: vec!["sleep".into(), "100".into()],
        env: vec![],
        workdir: None,
        user: None,
        labels: BTreeMap::new(),
        stop_signal: Signal::TERM,
        stop_timeout: 10,
        dependencies: deps.iter().map(|d| (*d).clone()).collect(),
        init_type: None,
        is_infra: false,
        restart_policy: RestartPolicy::No,
        created: Utc::now(),
        create_command: vec![],
    }
}

// ---------------------------------------------------------------------------------
// Fake store

#[derive(Default)]
struct StoreInner {
    pods: Vec<PodConfig>,
    ctrs: Vec<Container>,
    events: Vec<Event>,
}

/// An in-memory `StateStore` for tests, with per-pod async locks (taking a lock twice
/// in one call chain deadlocks, as flock does) and a count of locks taken.
#[derive(Default)]
pub(crate) struct FakeStore {
    inner: Mutex<StoreInner>,
    locks: Mutex<HashMap<PodId, Arc<tokio::sync::Mutex<()>>>>,
    pub(crate) locks_taken: AtomicUsize,
}

fn lookup<'a, T>(
    items: &'a [T],
    key: &str,
    name: impl Fn(&T) -> &str,
    id: impl Fn(&T) -> &str,
    kind: &'static str,
) -> Result<&'a T> {
    if let Some(x) = items.iter().find(|x| name(x) == key || id(x) == key) {
        return Ok(x);
    }
    let m: Vec<&T> = if is_id_prefix(key) {
        items.iter().filter(|x| id(x).starts_with(key)).collect()
    } else {
        vec![]
    };
    match m.len() {
        1 => Ok(m[0]),
        0 if kind == "pod" => Err(Error::NoSuchPod(key.to_owned())),
        0 => Err(Error::NoSuchContainer(key.to_owned())),
        count => Err(Error::Ambiguous {
            kind,
            prefix: key.to_owned(),
            count,
        }),
    }
}

impl FakeStore {
    fn inner(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        self.inner.lock().unwrap()
    }

    /// Every recorded event.
    pub(crate) fn all_events(&self) -> Vec<Event> {
        self.inner().events.clone()
    }

    /// Overwrites a container's status directly (test setup).
    pub(crate) fn force_status(&self, id: &ContainerId, status: ContainerStatus) {
        let mut g = self.inner();
        let c = g.ctrs.iter_mut().find(|c| c.id() == id).unwrap();
        c.status = status;
    }

    fn sorted(mut v: Vec<Container>) -> Vec<Container> {
        v.sort_by_key(|c| c.config.created);
        v
    }
}

#[async_trait]
impl StateStore for FakeStore {
    async fn add_pod(&self, pod: &PodConfig) -> Result<()> {
        let mut g = self.inner();
        if g.pods.iter().any(|p| p.name == pod.name) {
            return Err(Error::PodExists(pod.name.to_string()));
        }
        g.pods.push(pod.clone());
        Ok(())
    }
    async fn update_pod(&self, pod: &PodConfig) -> Result<()> {
        let mut g = self.inner();
        let p = g
            .pods
            .iter_mut()
            .find(|p| p.id == pod.id)
            .ok_or_else(|| Error::NoSuchPod(pod.id.to_string()))?;
        *p = pod.clone();
        Ok(())
    }
    async fn remove_pod(&self, id: &PodId) -> Result<()> {
        let mut g = self.inner();
        let before = g.pods.len();
        g.pods.retain(|p| &p.id != id);
        if g.pods.len() == before {
            return Err(Error::NoSuchPod(id.to_string()));
        }
        g.ctrs.retain(|c| c.config.pod.as_ref() != Some(id));
        Ok(())
    }
    async fn pod(&self, id: &PodId) -> Result<PodConfig> {
        self.inner()
            .pods
            .iter()
            .find(|p| &p.id == id)
            .cloned()
            .ok_or_else(|| Error::NoSuchPod(id.to_string()))
    }
    async fn lookup_pod(&self, name_or_id: &str) -> Result<PodConfig> {
        let g = self.inner();
        lookup(
            &g.pods,
            name_or_id,
            |p| p.name.as_str(),
            |p| p.id.as_str(),
            "pod",
        )
        .cloned()
    }
    async fn list_pods(&self) -> Result<Vec<PodConfig>> {
        let mut v = self.inner().pods.clone();
        v.sort_by_key(|p| p.created);
        Ok(v)
    }
    async fn add_container(&self, ctr: &ContainerConfig, status: &ContainerStatus) -> Result<()> {
        let mut g = self.inner();
        if g.ctrs.iter().any(|c| c.config.name == ctr.name) {
            return Err(Error::ContainerExists(ctr.name.to_string()));
        }
        g.ctrs.push(Container {
            config: ctr.clone(),
            status: status.clone(),
        });
        Ok(())
    }
    async fn remove_container(&self, id: &ContainerId) -> Result<()> {
        let mut g = self.inner();
        let before = g.ctrs.len();
        g.ctrs.retain(|c| c.id() != id);
        if g.ctrs.len() == before {
            return Err(Error::NoSuchContainer(id.to_string()));
        }
        Ok(())
    }
    async fn container(&self, id: &ContainerId) -> Result<Container> {
        self.inner()
            .ctrs
            .iter()
            .find(|c| c.id() == id)
            .cloned()
            .ok_or_else(|| Error::NoSuchContainer(id.to_string()))
    }
    async fn lookup_container(&self, name_or_id: &str) -> Result<Container> {
        let g = self.inner();
        lookup(
            &g.ctrs,
            name_or_id,
            |c| c.name().as_str(),
            |c| c.id().as_str(),
            "container",
        )
        .cloned()
    }
    async fn pod_containers(&self, pod: &PodId) -> Result<Vec<Container>> {
        let v = self
            .inner()
            .ctrs
            .iter()
            .filter(|c| c.config.pod.as_ref() == Some(pod))
            .cloned()
            .collect();
        Ok(Self::sorted(v))
    }
    async fn list_containers(&self) -> Result<Vec<Container>> {
        Ok(Self::sorted(self.inner().ctrs.clone()))
    }
    async fn set_status(&self, id: &ContainerId, status: &ContainerStatus) -> Result<()> {
        let mut g = self.inner();
        let c = g
            .ctrs
            .iter_mut()
            .find(|c| c.id() == id)
            .ok_or_else(|| Error::NoSuchContainer(id.to_string()))?;
        c.status = status.clone();
        Ok(())
    }
    async fn lock_pod(&self, id: &PodId) -> Result<PodLock> {
        let m = self
            .locks
            .lock()
            .unwrap()
            .entry(id.clone())
            .or_default()
            .clone();
        let guard = m.lock_owned().await;
        self.locks_taken.fetch_add(1, Ordering::SeqCst);
        Ok(PodLock::new(guard))
    }
    async fn add_event(&self, event: &Event) -> Result<()> {
        self.inner().events.push(event.clone());
        Ok(())
    }
    async fn events(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Event>> {
        Ok(self
            .inner()
            .events
            .iter()
            .filter(|e| since.is_none_or(|s| e.time >= s))
            .cloned()
            .collect())
    }
}

// ---------------------------------------------------------------------------------
// Runtime: mockall with shared behavior

/// Shared behavior and record of the mocked runtime.
#[derive(Default)]
pub(crate) struct RtState {
    /// Container names by id (registered by [`Env`]).
    pub(crate) names: Mutex<HashMap<ContainerId, String>>,
    /// Every call, e.g. `create a`, `kill a 15 all=false`, `wait a Some(10s)`.
    pub(crate) log: Mutex<Vec<String>>,
    /// Recorded exits by container.
    pub(crate) exits: Mutex<HashMap<ContainerId, ExitInfo>>,
    /// Containers that exit by themselves right after start, with this code.
    pub(crate) exit_on_start: Mutex<HashMap<String, i32>>,
    /// Containers that ignore their stop signal.
    pub(crate) ignore_term: Mutex<HashSet<String>>,
    /// Containers that survive even SIGKILL.
    pub(crate) unkillable: Mutex<HashSet<String>>,
    /// Failing calls: `"start a"` → error message.
    pub(crate) fail: Mutex<HashMap<String, String>>,
    /// Containers whose monitor is dead.
    pub(crate) dead_monitor: Mutex<HashSet<String>>,
    /// Create options by container name.
    pub(crate) opts: Mutex<HashMap<String, CreateOptions>>,
    /// Containers with a live monitor: created and not deleted since (or given a state
    /// with a process by [`Env::set_state`]), unless in `dead_monitor`.
    pub(crate) alive: Mutex<HashSet<ContainerId>>,
    /// What `state` answers, by container name (`None` when absent).
    pub(crate) runtime_state: Mutex<HashMap<String, RuntimeInfo>>,
    /// Does `run_detached` create and start in one call (logged `run NAME`)? Off: it
    /// answers `None`, as a runtime without one-step runs does.
    pub(crate) one_step: AtomicBool,
    next_pid: AtomicI32,
}

/// A fixed exit time.
pub(crate) fn exit_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap()
}

impl RtState {
    pub(crate) fn name(&self, id: &ContainerId) -> String {
        self.names
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.short().to_owned())
    }

    fn record(&self, s: String) {
        self.log.lock().unwrap().push(s);
    }

    fn check(&self, op: &str, name: &str) -> Result<()> {
        match self.fail.lock().unwrap().get(&format!("{op} {name}")) {
            Some(msg) => Err(Error::runtime(msg.clone())),
            None => Ok(()),
        }
    }

    pub(crate) fn exit(&self, id: &ContainerId, code: i32) {
        self.exits.lock().unwrap().insert(
            id.clone(),
            ExitInfo {
                code,
                finished_at: exit_time(),
                oom_killed: false,
            },
        );
    }

    /// A mockall runtime whose every method follows this shared behavior.
    pub(crate) fn mock(self: &Arc<Self>) -> MockOciRuntime {
        let mut m = MockOciRuntime::new();
        let st = self.clone();
        m.expect_create().returning(move |c, o| {
            let name = c.name.to_string();
            st.names.lock().unwrap().insert(c.id.clone(), name.clone());
            st.record(format!("create {name}"));
            st.check("create", &name)?;
            st.opts.lock().unwrap().insert(name, o.clone());
            st.exits.lock().unwrap().remove(&c.id);
            st.alive.lock().unwrap().insert(c.id.clone());
            Ok(1000 + st.next_pid.fetch_add(1, Ordering::SeqCst))
        });
        let st = self.clone();
        m.expect_run_detached().returning(move |c, o| {
            if !st.one_step.load(Ordering::SeqCst) {
                return Ok(None);
            }
            let name = c.name.to_string();
            st.names.lock().unwrap().insert(c.id.clone(), name.clone());
            st.record(format!("run {name}"));
            st.check("run", &name)?;
            st.opts.lock().unwrap().insert(name.clone(), o.clone());
            st.exits.lock().unwrap().remove(&c.id);
            st.alive.lock().unwrap().insert(c.id.clone());
            if let Some(code) = st.exit_on_start.lock().unwrap().get(&name) {
                st.exit(&c.id, *code);
            }
            Ok(Some(1000 + st.next_pid.fetch_add(1, Ordering::SeqCst)))
        });
        let st = self.clone();
        m.expect_start().returning(move |id| {
            let name = st.name(id);
            st.record(format!("start {name}"));
            st.check("start", &name)?;
            if let Some(code) = st.exit_on_start.lock().unwrap().get(&name) {
                st.exit(id, *code);
            }
            Ok(())
        });
        let st = self.clone();
        m.expect_kill().returning(move |id, sig, all| {
            let name = st.name(id);
            st.record(format!("kill {name} {} all={all}", sig.number()));
            st.check("kill", &name)?;
            let ignores = sig != Signal::KILL && st.ignore_term.lock().unwrap().contains(&name);
            if !ignores && !st.unkillable.lock().unwrap().contains(&name) {
                st.exit(id, 128 + sig.number());
            }
            Ok(())
        });
        let st = self.clone();
        m.expect_pause().returning(move |id| {
            let name = st.name(id);
            st.record(format!("pause {name}"));
            st.check("pause", &name)
        });
        let st = self.clone();
        m.expect_resume().returning(move |id| {
            let name = st.name(id);
            st.record(format!("resume {name}"));
            st.check("resume", &name)
        });
        let st = self.clone();
        m.expect_delete().returning(move |id, force| {
            let name = st.name(id);
            st.record(format!("delete {name} force={force}"));
            st.check("delete", &name)?;
            st.exits.lock().unwrap().remove(id);
            st.alive.lock().unwrap().remove(id);
            Ok(())
        });
        let st = self.clone();
        m.expect_wait().returning(move |id, timeout| {
            let name = st.name(id);
            st.record(format!("wait {name} {timeout:?}"));
            st.check("wait", &name)?;
            match st.exits.lock().unwrap().get(id) {
                Some(e) => Ok(Some(*e)),
                None if timeout.is_none() => Err(Error::runtime(format!(
                    "test runtime: wait forever on {name} would block"
                ))),
                None => Ok(None),
            }
        });
        let st = self.clone();
        m.expect_exit_info().returning(move |id| {
            let name = st.name(id);
            st.record(format!("exit_info {name}"));
            Ok(st.exits.lock().unwrap().get(id).copied())
        });
        let st = self.clone();
        m.expect_monitor_alive().returning(move |id| {
            let name = st.name(id);
            st.record(format!("monitor_alive {name}"));
            Ok(st.alive.lock().unwrap().contains(id)
                && !st.dead_monitor.lock().unwrap().contains(&name))
        });
        let st = self.clone();
        m.expect_state().returning(move |id| {
            let name = st.name(id);
            st.record(format!("state {name}"));
            Ok(st.runtime_state.lock().unwrap().get(&name).copied())
        });
        m
    }
}

/// An async gate run before a runtime call.
pub(crate) type Gate = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// Async gates and in-flight counters around runtime calls.
#[derive(Default)]
pub(crate) struct Hooks {
    /// Gates before `start`, by container name.
    pub(crate) start: Mutex<HashMap<String, Gate>>,
    /// Gates before `kill`, by container name.
    pub(crate) kill: Mutex<HashMap<String, Gate>>,
    /// Gates before every `start` (any container).
    pub(crate) any_start: Mutex<Option<Gate>>,
    /// Gates before every `kill` (any container).
    pub(crate) any_kill: Mutex<Option<Gate>>,
    /// Current and highest number of `start` calls in flight.
    pub(crate) start_inflight: (AtomicUsize, AtomicUsize),
    /// Current and highest number of `kill` calls in flight.
    pub(crate) kill_inflight: (AtomicUsize, AtomicUsize),
}

/// A runtime delegating to a mockall mock, with [`Hooks`] gates before start and kill.
pub(crate) struct HookedRuntime {
    pub(crate) inner: MockOciRuntime,
    pub(crate) hooks: Arc<Hooks>,
    pub(crate) rt: Arc<RtState>,
}

impl HookedRuntime {
    async fn gated(
        &self,
        id: &ContainerId,
        map: &Mutex<HashMap<String, Gate>>,
        any: &Mutex<Option<Gate>>,
        counter: &(AtomicUsize, AtomicUsize),
    ) {
        let now = counter.0.fetch_add(1, Ordering::SeqCst) + 1;
        counter.1.fetch_max(now, Ordering::SeqCst);
        let name = self.rt.name(id);
        let gate = map.lock().unwrap().get(&name).cloned();
        if let Some(g) = gate {
            g().await;
        }
        let gate = any.lock().unwrap().clone();
        if let Some(g) = gate {
            g().await;
        }
        counter.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl OciRuntime for HookedRuntime {
    async fn create(&self, ctr: &ContainerConfig, opts: &CreateOptions) -> Result<i32> {
        self.inner.create(ctr, opts).await
    }
    async fn run_detached(
        &self,
        ctr: &ContainerConfig,
        opts: &CreateOptions,
    ) -> Result<Option<i32>> {
        self.inner.run_detached(ctr, opts).await
    }
    async fn start(&self, id: &ContainerId) -> Result<()> {
        let h = self.hooks.clone();
        self.gated(id, &h.start, &h.any_start, &h.start_inflight)
            .await;
        self.inner.start(id).await
    }
    async fn state(&self, id: &ContainerId) -> Result<Option<RuntimeInfo>> {
        self.inner.state(id).await
    }
    async fn kill(&self, id: &ContainerId, signal: Signal, all: bool) -> Result<()> {
        let h = self.hooks.clone();
        self.gated(id, &h.kill, &h.any_kill, &h.kill_inflight).await;
        self.inner.kill(id, signal, all).await
    }
    async fn pause(&self, id: &ContainerId) -> Result<()> {
        self.inner.pause(id).await
    }
    async fn resume(&self, id: &ContainerId) -> Result<()> {
        self.inner.resume(id).await
    }
    async fn delete(&self, id: &ContainerId, force: bool) -> Result<()> {
        self.inner.delete(id, force).await
    }
    async fn wait(&self, id: &ContainerId, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        self.inner.wait(id, timeout).await
    }
    async fn exit_info(&self, id: &ContainerId) -> Result<Option<ExitInfo>> {
        self.inner.exit_info(id).await
    }
    async fn monitor_alive(&self, id: &ContainerId) -> Result<bool> {
        self.inner.monitor_alive(id).await
    }
}

/// A cgroup probe mock: the given mode and rootlessness, pod cgroups recorded in `rt`.
pub(crate) fn cgroups(rt: &Arc<RtState>, mode: CgroupMode, rootless: bool) -> MockCgroupProbe {
    let mut m = MockCgroupProbe::new();
    m.expect_mode().return_const(mode);
    m.expect_rootless().return_const(rootless);
    m.expect_pod_cgroup_parent()
        .returning(|id| format!("/podctl/pod_{}", id.short()));
    let st = rt.clone();
    m.expect_create_pod_cgroup().returning(move |p| {
        st.record(format!("cgroup create {p}"));
        Ok(())
    });
    let st = rt.clone();
    m.expect_remove_pod_cgroup().returning(move |p| {
        st.record(format!("cgroup remove {p}"));
        Ok(())
    });
    m
}

// ---------------------------------------------------------------------------------
// Environment

/// An engine over a [`FakeStore`], the mocked runtime and a cgroup mock.
pub(crate) struct Env {
    pub(crate) engine: Engine,
    pub(crate) store: Arc<FakeStore>,
    pub(crate) rt: Arc<RtState>,
    pub(crate) hooks: Arc<Hooks>,
}

/// A clock that ticks one second per call, so creation order is strict.
pub(crate) fn ticking_clock() -> MockClock {
    let n = Arc::new(AtomicI32::new(0));
    let mut c = MockClock::new();
    c.expect_now().returning(move || {
        let i = n.fetch_add(1, Ordering::SeqCst);
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(i.into())
    });
    c
}

impl Env {
    pub(crate) fn new() -> Self {
        Self::with_cgroups(CgroupMode::Unified, false)
    }

    pub(crate) fn with_cgroups(mode: CgroupMode, rootless: bool) -> Self {
        let store = Arc::new(FakeStore::default());
        let rt = Arc::new(RtState::default());
        let hooks = Arc::new(Hooks::default());
        let runtime = HookedRuntime {
            inner: rt.mock(),
            hooks: hooks.clone(),
            rt: rt.clone(),
        };
        let engine = Engine::new(
            store.clone(),
            Arc::new(runtime),
            Arc::new(cgroups(&rt, mode, rootless)),
        )
        .with_clock(Arc::new(ticking_clock()));
        Self {
            engine,
            store,
            rt,
            hooks,
        }
    }

    /// Creates a pod (with infra when `infra`), registering its infra's name.
    pub(crate) async fn pod(&self, name: &str, infra: bool) -> PodConfig {
        let pod = self
            .engine
            .pod_create(PodSpec {
                name: Some(Name::parse(name).unwrap()),
                infra,
                infra_name: infra.then(|| Name::parse(&format!("{name}-infra")).unwrap()),
                ..Default::default()
            })
            .await
            .unwrap();
        for c in self.store.pod_containers(&pod.id).await.unwrap() {
            self.register(&c.config);
        }
        pod
    }

    pub(crate) fn register(&self, c: &ContainerConfig) {
        self.rt
            .names
            .lock()
            .unwrap()
            .insert(c.id.clone(), c.name.to_string());
    }

    /// A container spec.
    pub(crate) fn spec(pod: Option<&str>, name: &str, requires: &[&str]) -> ContainerSpec {
        ContainerSpec {
            name: Some(Name::parse(name).unwrap()),
            pod: pod.map(str::to_owned),
            rootfs: "/rootfs".into(),
            command: vec!["sleep".into(), "100".into()],
            requires: requires.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    /// Creates a container in a pod.
    pub(crate) async fn ctr(&self, pod: &str, name: &str, requires: &[&str]) -> ContainerConfig {
        self.create(Self::spec(Some(pod), name, requires)).await
    }

    /// Creates an init container in a pod.
    pub(crate) async fn init_ctr(&self, pod: &str, name: &str, t: InitType) -> ContainerConfig {
        let mut spec = Self::spec(Some(pod), name, &[]);
        spec.init_type = Some(t);
        self.create(spec).await
    }

    pub(crate) async fn create(&self, spec: ContainerSpec) -> ContainerConfig {
        let c = self.engine.container_create(spec).await.unwrap();
        self.register(&c);
        c
    }

    pub(crate) async fn get(&self, name: &str) -> Container {
        self.store.lookup_container(name).await.unwrap()
    }

    pub(crate) async fn state(&self, name: &str) -> ContainerState {
        self.get(name).await.status.state
    }

    /// Sets a stored state (test setup).
    pub(crate) async fn set_state(&self, name: &str, state: ContainerState) {
        let c = self.get(name).await;
        let mut st = c.status.clone();
        st.state = state;
        if crate::container::has_process(state) {
            st.pid = Some(4242);
            self.rt.alive.lock().unwrap().insert(c.id().clone());
        }
        self.store.force_status(c.id(), st);
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.rt.log.lock().unwrap().clone()
    }

    pub(crate) fn clear_log(&self) {
        self.rt.log.lock().unwrap().clear();
    }

    /// Logged calls of one operation (`start`, `kill`...), without the op name.
    pub(crate) fn calls(&self, op: &str) -> Vec<String> {
        let p = format!("{op} ");
        self.log()
            .into_iter()
            .filter_map(|l| l.strip_prefix(&p).map(str::to_owned))
            .collect()
    }

    pub(crate) fn fail(&self, call: &str, msg: &str) {
        self.rt
            .fail
            .lock()
            .unwrap()
            .insert(call.to_owned(), msg.to_owned());
    }

    pub(crate) fn events(&self) -> Vec<(EventKind, String)> {
        self.store
            .all_events()
            .into_iter()
            .map(|e| (e.kind, e.name))
            .collect()
    }
}
