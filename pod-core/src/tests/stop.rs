//! pod_stop, container_stop, cleanup.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{barrier_gate, bounded, partial, pos};
use crate::error::Error;
use crate::model::*;
use crate::testutil::Env;

async fn started_pod(env: &Env) {
    env.pod("p", true).await;
    env.ctr("p", "db", &[]).await;
    env.ctr("p", "app", &["db"]).await;
    env.ctr("p", "web", &["app"]).await;
    env.ctr("p", "side", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    env.clear_log();
}

#[tokio::test]
async fn dependents_stop_before_dependencies_infra_last() {
    let env = Env::new();
    started_pod(&env).await;
    env.engine.pod_stop("p", None).await.unwrap();
    let log = env.log();
    let kill = |n: &str| pos(&log, &format!("kill {n} 15 all=false"));
    assert!(kill("web") < kill("app") && kill("app") < kill("db"));
    // The dependency is signalled only after its dependent exited and was released.
    assert!(pos(&log, "delete web force=false") < kill("app"));
    let infra = kill("p-infra");
    for n in ["db", "app", "web", "side"] {
        assert!(
            pos(&log, &format!("delete {n} force=false")) < infra,
            "{n} before infra"
        );
        let c = env.get(n).await;
        assert_eq!(c.status.state, ContainerState::Exited, "{n}");
        assert_eq!(c.status.exit_code, Some(128 + 15));
        assert_eq!(c.status.finished_at, Some(crate::testutil::exit_time()));
    }
    assert_eq!(env.state("p-infra").await, ContainerState::Exited);
    assert!(env.calls("cgroup").iter().any(|c| c.starts_with("remove ")));
    assert!(env.events().contains(&(EventKind::Stop, "p".into())));
    assert!(env.events().contains(&(EventKind::Stop, "web".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn independent_containers_stop_concurrently() {
    let env = Env::new();
    started_pod(&env).await;
    // web and side are both leaves: their stops must overlap to pass the barrier.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    {
        let mut g = env.hooks.kill.lock().unwrap();
        g.insert("web".into(), barrier_gate(barrier.clone()));
        g.insert("side".into(), barrier_gate(barrier));
    }
    bounded(env.engine.pod_stop("p", None)).await.unwrap();
    assert!(env.hooks.kill_inflight.1.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn stop_timeout_default_is_per_container_fixed_applies_to_all() {
    let env = Env::new();
    env.pod("p", false).await;
    let mut spec = Env::spec(Some("p"), "quick", &[]);
    spec.stop_timeout = Some(7);
    env.create(spec).await;
    env.ctr("p", "plain", &[]).await;

    env.engine.pod_start("p").await.unwrap();
    env.engine.pod_stop("p", None).await.unwrap();
    let waits = env.calls("wait");
    assert!(waits.contains(&format!("quick {:?}", Some(Duration::from_secs(7)))));
    assert!(waits.contains(&format!("plain {:?}", Some(Duration::from_secs(10)))));

    env.engine.pod_start("p").await.unwrap();
    env.clear_log();
    env.engine.pod_stop("p", Some(3)).await.unwrap();
    let mut waits = env.calls("wait");
    waits.sort();
    let three = format!("{:?}", Some(Duration::from_secs(3)));
    assert_eq!(
        waits,
        [format!("plain {three}"), format!("quick {three}")],
        "fixed timeout for all"
    );

    // -t 0: SIGKILL right away.
    env.engine.pod_start("p").await.unwrap();
    env.clear_log();
    env.engine.pod_stop("p", Some(0)).await.unwrap();
    let mut kills = env.calls("kill");
    kills.sort();
    assert_eq!(kills, ["plain 9 all=true", "quick 9 all=true"]);
    assert_eq!(env.get("plain").await.status.exit_code, Some(137));
}

#[tokio::test]
async fn sigkill_after_the_timeout() {
    let env = Env::new();
    env.pod("p", false).await;
    let mut spec = Env::spec(Some("p"), "stubborn", &[]);
    spec.stop_signal = Some(Signal::INT);
    env.create(spec).await;
    env.rt.ignore_term.lock().unwrap().insert("stubborn".into());
    env.engine.pod_start("p").await.unwrap();
    env.clear_log();

    env.engine
        .container_stop("stubborn", Some(5))
        .await
        .unwrap();
    let got: Vec<String> = env
        .log()
        .into_iter()
        .filter(|l| l.starts_with("kill") || l.starts_with("wait"))
        .collect();
    assert_eq!(
        got,
        [
            "kill stubborn 2 all=false".to_string(),
            format!("wait stubborn {:?}", Some(Duration::from_secs(5))),
            "kill stubborn 9 all=true".to_string(),
            format!("wait stubborn {:?}", Some(crate::container::KILL_WAIT)),
        ]
    );
    let c = env.get("stubborn").await;
    assert_eq!(c.status.state, ContainerState::Exited);
    assert_eq!(c.status.exit_code, Some(137));
}

#[tokio::test]
async fn a_paused_container_is_thawed_then_stopped() {
    let env = Env::new();
    started_pod(&env).await;
    env.engine.container_pause("side").await.unwrap();
    env.clear_log();
    env.engine.pod_stop("p", None).await.unwrap();
    let log = env.log();
    assert!(pos(&log, "resume side") < pos(&log, "kill side 15 all=false"));
    assert_eq!(env.state("side").await, ContainerState::Exited);
}

#[tokio::test]
async fn a_container_that_cannot_stop_keeps_its_dependencies_running() {
    let env = Env::new();
    started_pod(&env).await;
    env.rt.unkillable.lock().unwrap().insert("app".into());

    let err = env.engine.pod_stop("p", Some(1)).await.unwrap_err();
    let errors = partial(err, "stop");
    assert_eq!(
        errors.keys().collect::<Vec<_>>(),
        ["app", "db", "p-infra"],
        "sorted by name"
    );
    assert!(errors["app"].to_string().contains("did not exit"));
    assert!(matches!(&errors["db"], Error::DependentNotStopped(n) if n == "db"));
    assert_eq!(
        errors["p-infra"].to_string(),
        "a container that depends on p-infra could not be stopped"
    );
    let kills = env.calls("kill");
    assert!(!kills
        .iter()
        .any(|k| k.starts_with("db ") || k.starts_with("p-infra ")));
    assert_eq!(env.state("db").await, ContainerState::Running);
    assert_eq!(env.state("p-infra").await, ContainerState::Running);
    assert_eq!(env.state("web").await, ContainerState::Exited);
    assert_eq!(env.state("side").await, ContainerState::Exited);
    assert!(
        !env.calls("cgroup").iter().any(|c| c.starts_with("remove")),
        "pod cgroup kept while containers run"
    );
    assert!(!env.events().contains(&(EventKind::Stop, "p".into())));
}

#[tokio::test]
async fn stopping_a_stopped_pod_is_fine() {
    let env = Env::new();
    started_pod(&env).await;
    env.engine.pod_stop("p", None).await.unwrap();
    env.clear_log();
    env.engine.pod_stop("p", None).await.unwrap();
    assert!(env.calls("kill").is_empty());
    env.engine.container_stop("web", None).await.unwrap();
    assert!(env.calls("kill").is_empty());
}

#[tokio::test]
async fn an_exited_but_not_cleaned_container_is_released_by_stop() {
    let env = Env::new();
    started_pod(&env).await;
    let side = env.get("side").await;
    env.rt.exit(side.id(), 0);
    env.engine.pod_stop("p", None).await.unwrap();
    assert!(!env.calls("kill").iter().any(|k| k.starts_with("side ")));
    assert!(env.calls("delete").contains(&"side force=false".into()));
    let side = env.get("side").await;
    assert_eq!(side.status.state, ContainerState::Exited);
    assert_eq!(side.status.exit_code, Some(0));
}

#[tokio::test]
async fn pod_cleanup_releases_stopped_containers() {
    let env = Env::new();
    started_pod(&env).await;
    for n in ["web", "side"] {
        let c = env.get(n).await;
        env.rt.exit(c.id(), 0);
    }
    env.clear_log();
    env.engine.pod_cleanup("p").await.unwrap();
    let mut deletes = env.calls("delete");
    deletes.sort();
    assert_eq!(deletes, ["side force=false", "web force=false"]);
    assert_eq!(env.state("web").await, ContainerState::Exited);
    assert_eq!(env.state("app").await, ContainerState::Running);
    assert!(
        env.calls("cgroup").is_empty(),
        "cgroup kept: containers run"
    );
}
