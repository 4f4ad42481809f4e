//! pod_start and container_start.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{barrier_gate, bounded, partial, pos};
use crate::error::Error;
use crate::model::*;
use crate::testutil::{ctr_config, Env};
use crate::traits::StateStore;

#[tokio::test]
async fn start_runs_infra_first_and_members_join_its_namespaces() {
    let env = Env::new();
    let pod = env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &["a"]).await;

    env.engine.pod_start("p").await.unwrap();

    let log = env.log();
    let parent = format!("/podctl/pod_{}", pod.id.short());
    assert!(pos(&log, &format!("cgroup create {parent}")) < pos(&log, "create p-infra"));
    assert!(pos(&log, "start p-infra") < pos(&log, "create a"));
    assert!(pos(&log, "start a") < pos(&log, "create b"));
    for n in ["p-infra", "a", "b"] {
        assert_eq!(env.state(n).await, ContainerState::Running, "{n}");
    }
    let infra_pid = env.get("p-infra").await.status.pid.unwrap();
    let opts = env.rt.opts.lock().unwrap().clone();
    let infra = &opts["p-infra"];
    assert_eq!(
        infra.shared,
        vec![Namespace::Ipc, Namespace::Net, Namespace::Uts]
    );
    assert_eq!(infra.hostname.as_deref(), Some("p"));
    assert!(infra.join.is_empty());
    assert_eq!(infra.cgroup_parent.as_deref(), Some(parent.as_str()));
    assert_eq!(infra.pod.as_ref(), Some(&pod.id));
    let a = &opts["a"];
    assert_eq!(
        a.join,
        vec![
            (Namespace::Ipc, infra_pid),
            (Namespace::Net, infra_pid),
            (Namespace::Uts, infra_pid)
        ]
    );
    assert!(a.shared.is_empty());
    assert_eq!(a.hostname, None);
    assert_eq!(a.cgroup_parent.as_deref(), Some(parent.as_str()));
    let started = env.get("a").await.status.started_at;
    assert!(started.is_some());
    assert!(env.events().contains(&(EventKind::Start, "p".into())));
}

#[tokio::test]
async fn pod_without_infra_joins_nothing() {
    let env = Env::new();
    let pod = env
        .engine
        .pod_create(PodSpec {
            name: Some(Name::parse("p").unwrap()),
            infra: false,
            cgroup_parent: Some(String::new()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(pod.shared_namespaces.is_empty());
    assert!(pod.infra_container_id.is_none());
    env.ctr("p", "a", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    let opts = env.rt.opts.lock().unwrap()["a"].clone();
    assert!(opts.join.is_empty());
    assert_eq!(opts.cgroup_parent, None, "empty cgroup parent = none");
    assert!(env.calls("cgroup").is_empty(), "no pod cgroup");
}

#[tokio::test]
async fn init_failure_aborts_the_start() {
    let env = Env::new();
    env.pod("p", true).await;
    env.init_ctr("p", "setup", InitType::Once).await;
    env.ctr("p", "app", &[]).await;
    env.rt
        .exit_on_start
        .lock()
        .unwrap()
        .insert("setup".into(), 3);

    let err = env.engine.pod_start("p").await.unwrap_err();
    assert!(
        matches!(err, Error::InitFailed(ref n, 3) if n == "setup"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "init container setup exited with code 3");
    let starts = env.calls("start");
    assert_eq!(starts, ["p-infra", "setup"], "nothing else started");
    assert!(!env.calls("create").contains(&"app".to_string()));
    let setup = env.get("setup").await;
    assert_eq!(setup.status.state, ContainerState::Exited);
    assert_eq!(setup.status.exit_code, Some(3));
    assert_eq!(env.state("app").await, ContainerState::Configured);
    assert!(!env.events().contains(&(EventKind::Start, "p".into())));
}

#[tokio::test]
async fn once_init_is_removed_always_init_reruns_oldest_first() {
    let env = Env::new();
    env.pod("p", true).await;
    env.init_ctr("p", "always1", InitType::Always).await;
    env.init_ctr("p", "once1", InitType::Once).await;
    env.ctr("p", "app", &[]).await;
    {
        let mut e = env.rt.exit_on_start.lock().unwrap();
        e.insert("always1".into(), 0);
        e.insert("once1".into(), 0);
    }

    env.engine.pod_start("p").await.unwrap();
    let log = env.log();
    assert!(pos(&log, "start p-infra") < pos(&log, "start always1"));
    assert!(
        pos(&log, "start always1") < pos(&log, "start once1"),
        "oldest first"
    );
    assert!(pos(&log, "wait always1 None") < pos(&log, "start once1"));
    assert!(pos(&log, "wait once1 None") < pos(&log, "start app"));
    assert!(
        env.store.lookup_container("once1").await.is_err(),
        "once init container removed"
    );
    assert!(env
        .calls("delete")
        .contains(&"once1 force=false".to_string()));
    let always = env.get("always1").await;
    assert_eq!(always.status.state, ContainerState::Exited);
    assert_eq!(always.status.exit_code, Some(0));
    // Init containers do not count for the pod status.
    assert_eq!(
        env.engine.pod_summary("p").await.unwrap().status,
        PodStatus::Running
    );

    env.engine.pod_stop("p", None).await.unwrap();
    env.clear_log();
    env.engine.pod_start("p").await.unwrap();
    let starts = env.calls("start");
    assert_eq!(
        starts,
        ["p-infra", "always1", "app"],
        "always reruns, once not"
    );
    // The second run released the first run's runtime container before re-creating.
    let log = env.log();
    assert!(pos(&log, "delete always1 force=true") < pos(&log, "create always1"));
}

#[tokio::test]
async fn init_container_rules_at_create() {
    let env = Env::new();
    let mut spec = Env::spec(None, "i", &[]);
    spec.init_type = Some(InitType::Once);
    let err = env.engine.container_create(spec).await.unwrap_err();
    assert!(matches!(err, Error::InitWithoutPod));

    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    let mut spec = Env::spec(Some("p"), "i", &[]);
    spec.init_type = Some(InitType::Always);
    let err = env.engine.container_create(spec.clone()).await.unwrap_err();
    assert!(matches!(err, Error::InitToRunningPod), "{err:?}");
    // Degraded counts as running too.
    env.set_state("a", ContainerState::Exited).await;
    let err = env.engine.container_create(spec.clone()).await.unwrap_err();
    assert!(matches!(err, Error::InitToRunningPod), "{err:?}");
    env.engine.pod_stop("p", None).await.unwrap();
    env.engine.container_create(spec).await.unwrap();
}

#[tokio::test]
async fn empty_pod_has_no_roots() {
    let env = Env::new();
    env.engine
        .pod_create(PodSpec {
            name: Some(Name::parse("empty").unwrap()),
            ..Default::default()
        })
        .await
        .unwrap();
    let err = env.engine.pod_start("empty").await.unwrap_err();
    assert!(matches!(err, Error::NoRoots(ref p) if p == "empty"));
    assert_eq!(
        err.to_string(),
        "no containers in pod empty have no dependencies, cannot start pod"
    );
    assert!(env.log().is_empty(), "nothing touched");
}

#[tokio::test]
async fn cycle_and_missing_dependency_fail_start_before_anything() {
    let env = Env::new();
    let pod = env.pod("p", true).await;
    // A stored cycle (the create check would refuse it: inject it directly).
    let mut a = ctr_config("a", &pod, &[]);
    let b = ctr_config("b", &pod, &[&a.id]);
    a.dependencies.push(b.id.clone());
    for c in [&a, &b] {
        env.store
            .add_container(c, &ContainerStatus::default())
            .await
            .unwrap();
    }
    let err = env.engine.pod_start("p").await.unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
    assert!(env.calls("create").is_empty() && env.calls("cgroup").is_empty());
    // Creating anything in that pod is refused too.
    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "c", &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");

    let env = Env::new();
    let pod = env.pod("q", true).await;
    let gone = ContainerId::random();
    let x = ctr_config("x", &pod, &[&gone]);
    env.store
        .add_container(&x, &ContainerStatus::default())
        .await
        .unwrap();
    let err = env.engine.pod_start("q").await.unwrap_err();
    match err {
        Error::DependencyOutsidePod {
            container,
            dependency,
            pod,
        } => {
            assert_eq!(
                (container.as_str(), pod.as_str()),
                ("x", "q"),
                "{dependency}"
            );
            assert_eq!(dependency, gone.to_string());
        }
        e => panic!("{e:?}"),
    }
    assert!(env.calls("create").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn independent_siblings_start_concurrently() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &[]).await;
    // Both starts must be in flight at once to pass the barrier: a sequential start
    // would hang here.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    {
        let mut g = env.hooks.start.lock().unwrap();
        g.insert("a".into(), barrier_gate(barrier.clone()));
        g.insert("b".into(), barrier_gate(barrier));
    }
    bounded(env.engine.pod_start("p")).await.unwrap();
    assert!(env.hooks.start_inflight.1.load(Ordering::SeqCst) >= 2);
    assert_eq!(env.state("a").await, ContainerState::Running);
    assert_eq!(env.state("b").await, ContainerState::Running);
}

#[tokio::test]
async fn siblings_overlap_on_a_current_thread_runtime_too() {
    let env = Env::new();
    env.pod("p", false).await;
    for n in ["a", "b", "c"] {
        env.ctr("p", n, &[]).await;
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    *env.hooks.any_start.lock().unwrap() = Some(barrier_gate(barrier));
    bounded(env.engine.pod_start("p")).await.unwrap();
    assert_eq!(env.hooks.start_inflight.1.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn parallelism_bounds_starts_in_flight() {
    let mut env = Env::new();
    env.engine = env.engine.clone().with_parallelism(2);
    env.pod("p", false).await;
    for n in ["a", "b", "c", "d", "e"] {
        env.ctr("p", n, &[]).await;
    }
    *env.hooks.any_start.lock().unwrap() = Some(Arc::new(|| {
        Box::pin(async {
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
        })
    }));
    env.engine.pod_start("p").await.unwrap();
    assert_eq!(env.hooks.start_inflight.1.load(Ordering::SeqCst), 2);
    assert_eq!(env.calls("start").len(), 5);
}

#[tokio::test]
async fn a_container_starts_as_soon_as_its_dependencies_run_not_in_waves() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "slow", &[]).await;
    env.ctr("p", "fast", &[]).await;
    env.ctr("p", "after-fast", &["fast"]).await;
    // `slow` finishes starting only once `after-fast` began starting: with waves
    // (all roots' children, then the next level) after-fast would wait for slow.
    let seen = Arc::new(tokio::sync::Notify::new());
    {
        let mut g = env.hooks.start.lock().unwrap();
        let s = seen.clone();
        g.insert(
            "slow".into(),
            Arc::new(move || {
                let s = s.clone();
                Box::pin(async move { s.notified().await })
            }),
        );
        let s = seen.clone();
        g.insert(
            "after-fast".into(),
            Arc::new(move || {
                let s = s.clone();
                Box::pin(async move { s.notify_one() })
            }),
        );
    }
    bounded(env.engine.pod_start("p")).await.unwrap();
    let log = env.log();
    assert!(pos(&log, "start after-fast") < pos(&log, "start slow"));
}

#[tokio::test]
async fn dependents_of_a_failed_container_are_not_started() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "db", &[]).await;
    env.ctr("p", "app", &["db"]).await;
    env.ctr("p", "web", &["app"]).await;
    env.ctr("p", "side", &[]).await;
    env.fail("start db", "runc start failed: boom");

    let err = env.engine.pod_start("p").await.unwrap_err();
    let errors = partial(err, "start");
    let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(keys, ["app", "db", "web"], "sorted by name");
    assert_eq!(errors["db"].to_string(), "runc start failed: boom");
    assert!(matches!(&errors["app"], Error::DependencyFailed(n) if n == "app"));
    assert_eq!(
        errors["web"].to_string(),
        "a dependency of container web failed to start"
    );
    let creates = env.calls("create");
    assert!(!creates.contains(&"app".into()) && !creates.contains(&"web".into()));
    assert_eq!(env.state("side").await, ContainerState::Running);
    // The failed container is released from the runtime, its error recorded.
    let db = env.get("db").await;
    assert_eq!(db.status.state, ContainerState::Exited);
    assert_eq!(db.status.error.as_deref(), Some("runc start failed: boom"));
    assert!(env.calls("delete").contains(&"db force=true".into()));
    assert!(!env.events().contains(&(EventKind::Start, "p".into())));
}

#[tokio::test]
async fn partial_errors_are_sorted_by_name() {
    let env = Env::new();
    env.pod("p", false).await;
    for n in ["zeta", "mid", "alpha"] {
        env.ctr("p", n, &[]).await;
    }
    env.fail("create zeta", "no zeta");
    env.fail("start alpha", "no alpha");
    let err = env.engine.pod_start("p").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "start of pod p failed for 2 container(s)\n  alpha: no alpha\n  zeta: no zeta"
    );
    let errors = partial(err, "start");
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["alpha", "zeta"]);
    // A container whose create failed stays configured.
    assert_eq!(env.state("zeta").await, ContainerState::Configured);
    assert_eq!(env.state("mid").await, ContainerState::Running);
}

#[tokio::test]
async fn running_left_alone_paused_left_paused_exited_recreated() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "run", &[]).await;
    env.ctr("p", "frozen", &[]).await;
    env.ctr("p", "done", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    env.engine.container_pause("frozen").await.unwrap();
    env.engine.container_stop("done", None).await.unwrap();
    assert_eq!(env.state("done").await, ContainerState::Exited);
    env.clear_log();

    env.engine.pod_start("p").await.unwrap();
    let starts = env.calls("start");
    assert_eq!(starts, ["done"]);
    let log = env.log();
    assert!(pos(&log, "delete done force=true") < pos(&log, "create done"));
    assert_eq!(env.state("frozen").await, ContainerState::Paused);
    assert!(env.calls("resume").is_empty());
    assert_eq!(env.state("run").await, ContainerState::Running);
}

#[tokio::test]
async fn a_container_that_exited_on_its_own_is_recreated() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    let a = env.get("a").await;
    env.rt.exit(a.id(), 1);
    env.clear_log();
    env.engine.pod_start("p").await.unwrap();
    assert_eq!(env.calls("start"), ["a"]);
    let a = env.get("a").await;
    assert_eq!(a.status.state, ContainerState::Running);
    assert_eq!(a.status.exit_code, None, "reset for the new run");
}

#[tokio::test]
async fn container_start_needs_a_running_infra_and_starts_dependencies_first() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "db", &[]).await;
    env.ctr("p", "app", &["db"]).await;
    env.ctr("p", "other", &[]).await;

    let err = env.engine.container_start("app").await.unwrap_err();
    assert!(
        matches!(err, Error::InfraNotRunning(ref p) if p == "p"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "infra container of pod p is not running");
    assert!(env.calls("create").is_empty());

    env.engine.container_start("p-infra").await.unwrap();
    let app = env.engine.container_start("app").await.unwrap();
    assert_eq!(app.status.state, ContainerState::Running);
    assert_eq!(env.calls("start"), ["p-infra", "db", "app"]);
    assert_eq!(env.state("other").await, ContainerState::Configured);
    // Already running: nothing to do.
    env.clear_log();
    env.engine.container_start("app").await.unwrap();
    assert!(env.calls("start").is_empty());
}

#[tokio::test]
async fn container_start_reports_a_failed_dependency() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "db", &[]).await;
    env.ctr("p", "app", &["db"]).await;
    env.fail("start db", "db broke");
    let errors = partial(
        env.engine.container_start("app").await.unwrap_err(),
        "start",
    );
    assert_eq!(errors["db"].to_string(), "db broke");
    assert!(matches!(&errors["app"], Error::DependencyFailed(n) if n == "app"));
    // Without dependencies the container's own error comes back as is.
    env.fail("start db", "db broke again");
    let err = env.engine.container_start("db").await.unwrap_err();
    assert_eq!(err.to_string(), "db broke again");
}

#[tokio::test]
async fn containers_outside_pods_start_their_dependencies() {
    let env = Env::new();
    env.create(Env::spec(None, "base", &[])).await;
    env.create(Env::spec(None, "top", &["base"])).await;
    env.engine.container_start("top").await.unwrap();
    assert_eq!(env.calls("start"), ["base", "top"]);
    assert_eq!(env.rt.opts.lock().unwrap()["top"], CreateOptions::default());
}

#[tokio::test]
async fn container_init_creates_without_starting() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    let err = env.engine.container_init("a").await.unwrap_err();
    assert!(matches!(err, Error::InfraNotRunning(_)));
    env.engine.container_start("p-infra").await.unwrap();
    let a = env.engine.container_init("a").await.unwrap();
    assert_eq!(a.status.state, ContainerState::Created);
    assert!(a.status.pid.is_some());
    assert!(!env.calls("start").contains(&"a".into()));
    let err = env.engine.container_init("a").await.unwrap_err();
    assert!(matches!(err, Error::InvalidState { action: "init", .. }));
    // Starting a created container only starts it.
    env.clear_log();
    env.engine.container_start("a").await.unwrap();
    assert_eq!(env.calls("create"), Vec::<String>::new());
    assert_eq!(env.calls("start"), ["a"]);
}

#[tokio::test]
async fn a_runtime_that_runs_in_one_step_creates_and_starts_in_one_call() {
    let env = Env::new();
    env.rt.one_step.store(true, Ordering::SeqCst);
    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &["a"]).await;

    env.engine.pod_start("p").await.unwrap();

    let log = env.log();
    assert!(pos(&log, "run p-infra") < pos(&log, "run a"));
    assert!(pos(&log, "run a") < pos(&log, "run b"));
    assert!(env.calls("create").is_empty(), "{log:?}");
    assert!(env.calls("start").is_empty(), "{log:?}");
    for n in ["p-infra", "a", "b"] {
        let c = env.get(n).await;
        assert_eq!(c.status.state, ContainerState::Running, "{n}");
        assert!(
            c.status.pid.is_some() && c.status.started_at.is_some(),
            "{n}"
        );
        assert!(env.events().contains(&(EventKind::Start, n.into())), "{n}");
    }
    // Members still join the infra's namespaces, by the pid the run reported.
    let infra_pid = env.get("p-infra").await.status.pid.unwrap();
    let opts = env.rt.opts.lock().unwrap().clone();
    assert!(opts["a"].join.iter().all(|(_, pid)| *pid == infra_pid));
    assert!(!opts["a"].join.is_empty());

    // A restart releases the old runtime containers first, then runs them again.
    env.clear_log();
    env.engine.pod_restart("p").await.unwrap();
    let log = env.log();
    assert!(
        pos(&log, "delete a force=false") < pos(&log, "run a"),
        "{log:?}"
    );
    assert_eq!(env.state("b").await, ContainerState::Running);
}

#[tokio::test]
async fn a_failed_one_step_run_is_recorded_and_blocks_dependents() {
    let env = Env::new();
    env.rt.one_step.store(true, Ordering::SeqCst);
    env.pod("p", true).await;
    env.ctr("p", "db", &[]).await;
    env.ctr("p", "app", &["db"]).await;
    env.fail("run db", "runc run failed: boom");

    let errors = partial(env.engine.pod_start("p").await.unwrap_err(), "start");
    assert_eq!(errors["db"].to_string(), "runc run failed: boom");
    assert!(matches!(&errors["app"], Error::DependencyFailed(n) if n == "app"));
    assert!(!env.calls("run").contains(&"app".into()));
    // Never ran: it stays configured, with the error; nothing to release.
    let db = env.get("db").await;
    assert_eq!(db.status.state, ContainerState::Configured);
    assert_eq!(db.status.error.as_deref(), Some("runc run failed: boom"));
    assert!(!env.calls("delete").contains(&"db force=true".into()));
    assert_eq!(env.state("p-infra").await, ContainerState::Running);
}
