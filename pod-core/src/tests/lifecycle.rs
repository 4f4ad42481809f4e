//! pause, unpause, kill, restart, rm, container ops, container_cleanup and exit policy.

use std::sync::atomic::Ordering;

use super::{partial, pos};
use crate::error::Error;
use crate::model::*;
use crate::testutil::Env;
use crate::traits::StateStore;

async fn started(env: &Env) {
    env.pod("p", true).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &["a"]).await;
    env.engine.pod_start("p").await.unwrap();
}

#[tokio::test]
async fn pause_is_refused_rootless_on_cgroup_v1_before_anything() {
    for mode in [CgroupMode::Legacy, CgroupMode::Hybrid] {
        let env = Env::with_cgroups(mode, true);
        let err = env.engine.pod_pause("no-such-pod").await.unwrap_err();
        assert!(matches!(err, Error::RootlessCgroupV1Pause), "{mode:?}");
        assert_eq!(
            err.to_string(),
            "can not pause pods containing rootless containers with cgroup V1"
        );
        assert!(env.log().is_empty());
        assert_eq!(env.store.locks_taken.load(Ordering::SeqCst), 0);
        let err = env.engine.container_pause("x").await.unwrap_err();
        assert!(matches!(err, Error::RootlessCgroupV1Pause));
    }
    // Allowed: rootless on v2, root on v1.
    for (mode, rootless) in [(CgroupMode::Unified, true), (CgroupMode::Legacy, false)] {
        let env = Env::with_cgroups(mode, rootless);
        started(&env).await;
        env.engine.pod_pause("p").await.unwrap();
        assert_eq!(env.state("a").await, ContainerState::Paused);
    }
}

#[tokio::test]
async fn pause_running_skip_others_unpause_paused() {
    let env = Env::new();
    started(&env).await;
    env.ctr("p", "never", &[]).await;
    env.engine.container_stop("b", None).await.unwrap();
    env.clear_log();

    env.engine.pod_pause("p").await.unwrap();
    let mut paused = env.calls("pause");
    paused.sort();
    assert_eq!(paused, ["a", "p-infra"]);
    assert_eq!(env.state("a").await, ContainerState::Paused);
    assert_eq!(env.state("b").await, ContainerState::Exited);
    assert_eq!(
        env.engine.pod_summary("p").await.unwrap().status,
        PodStatus::Stopped,
        "paused + exited + configured"
    );
    // Pausing again skips the paused ones silently.
    env.engine.pod_pause("p").await.unwrap();
    assert_eq!(env.calls("pause").len(), 2);

    env.engine.pod_unpause("p").await.unwrap();
    let mut resumed = env.calls("resume");
    resumed.sort();
    assert_eq!(resumed, ["a", "p-infra"]);
    assert_eq!(env.state("a").await, ContainerState::Running);
    let ev = env.events();
    assert!(ev.contains(&(EventKind::Pause, "p".into())));
    assert!(ev.contains(&(EventKind::Unpause, "p".into())));
}

#[tokio::test]
async fn kill_signals_running_stopping_and_paused_only() {
    let env = Env::new();
    started(&env).await;
    env.ctr("p", "never", &[]).await;
    env.engine.container_pause("b").await.unwrap();
    env.clear_log();

    env.engine
        .pod_kill("p", Signal::parse("usr1").unwrap())
        .await
        .unwrap();
    let mut kills = env.calls("kill");
    kills.sort();
    assert_eq!(
        kills,
        ["a 10 all=false", "b 10 all=false", "p-infra 10 all=false"]
    );
    assert!(env.events().contains(&(EventKind::Kill, "p".into())));
    // The state is left to the monitor; a read sees the exit at once.
    assert_eq!(env.state("a").await, ContainerState::Running);
    let status = env.engine.pod_status("p").await.unwrap();
    let a = env.get("a").await;
    assert_eq!(status[a.id()], ContainerState::Stopped);

    let err = env
        .engine
        .container_kill("never", Signal::KILL)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState {
            action: "kill",
            state: ContainerState::Configured,
            ..
        }
    ));
}

#[tokio::test]
async fn container_kill_passes_the_signal() {
    let env = Env::new();
    started(&env).await;
    env.rt.ignore_term.lock().unwrap().insert("b".into());
    env.engine.container_kill("b", Signal::TERM).await.unwrap();
    env.engine
        .container_kill("b", Signal::parse("SIGHUP").unwrap())
        .await
        .unwrap();
    assert_eq!(env.calls("kill"), ["b 15 all=false", "b 1 all=false"]);
    assert!(env.events().contains(&(EventKind::Kill, "b".into())));
}

#[tokio::test]
async fn restart_stops_in_order_then_starts_in_order() {
    let env = Env::new();
    env.pod("p", true).await;
    env.init_ctr("p", "init", InitType::Always).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &["a"]).await;
    env.rt
        .exit_on_start
        .lock()
        .unwrap()
        .insert("init".into(), 0);
    env.engine.pod_start("p").await.unwrap();
    env.clear_log();
    env.engine.pod_restart("p").await.unwrap();
    let log = env.log();
    let stop_b = pos(&log, "kill b 15 all=false");
    let stop_infra = pos(&log, "kill p-infra 15 all=false");
    let start_infra = log.iter().rposition(|l| l == "start p-infra").unwrap();
    assert!(stop_b < pos(&log, "kill a 15 all=false") && stop_infra > stop_b);
    assert!(
        stop_infra < start_infra,
        "infra restarted only after all stopped"
    );
    let start_init = pos(&log, "start init");
    let start_a = log.iter().rposition(|l| l == "start a").unwrap();
    assert!(start_infra < start_init && start_init < start_a);
    assert!(start_a < log.iter().rposition(|l| l == "start b").unwrap());
    let ev: Vec<_> = env
        .events()
        .into_iter()
        .filter(|(_, n)| n == "p")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        ev,
        [
            EventKind::Create,
            EventKind::Start,
            EventKind::Stop,
            EventKind::Start
        ]
    );
}

#[tokio::test]
async fn rm_refuses_active_pods_unless_forced() {
    let env = Env::new();
    started(&env).await;
    env.clear_log();
    let err = env.engine.pod_rm("p", false, None).await.unwrap_err();
    assert!(matches!(err, Error::PodHasActiveContainers(ref p) if p == "p"));
    assert!(env.log().is_empty() || env.calls("kill").is_empty());

    let pod = env.store.lookup_pod("p").await.unwrap();
    let id = env.engine.pod_rm("p", true, Some(0)).await.unwrap();
    assert_eq!(id, pod.id);
    let log = env.log();
    assert!(pos(&log, "kill b 9 all=true") < pos(&log, "kill a 9 all=true"));
    let mut deletes: Vec<String> = env
        .calls("delete")
        .into_iter()
        .filter(|d| d.ends_with("force=true"))
        .collect();
    deletes.sort();
    assert_eq!(
        deletes,
        ["a force=true", "b force=true", "p-infra force=true"],
        "nothing left in the runtime"
    );
    assert!(env.store.lookup_pod("p").await.unwrap_err().is_not_found());
    assert!(env.store.list_containers().await.unwrap().is_empty());
    assert!(env.calls("cgroup").iter().any(|c| c.starts_with("remove")));
    assert!(env.events().contains(&(EventKind::Remove, "p".into())));
    let err = env.engine.pod_rm("p", true, None).await.unwrap_err();
    assert!(matches!(err, Error::NoSuchPod(_)));
}

#[tokio::test]
async fn rm_of_a_stopped_pod_needs_no_force() {
    let env = Env::new();
    started(&env).await;
    env.engine.pod_stop("p", None).await.unwrap();
    env.engine.pod_rm("p", false, None).await.unwrap();
    assert!(env.store.list_pods().await.unwrap().is_empty());
}

#[tokio::test]
async fn container_rm_rules() {
    let env = Env::new();
    started(&env).await;
    let err = env.engine.container_rm("a", true, None).await.unwrap_err();
    assert!(matches!(err, Error::HasDependents(ref c, ref d) if c == "a" && d == "b"));
    let err = env
        .engine
        .container_rm("p-infra", true, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("infra container of pod p"));
    let err = env.engine.container_rm("b", false, None).await.unwrap_err();
    assert!(matches!(err, Error::ContainerActive(ref c) if c == "b"));
    env.clear_log();
    let b = env.get("b").await;
    assert_eq!(
        env.engine.container_rm("b", true, Some(0)).await.unwrap(),
        *b.id()
    );
    assert_eq!(env.calls("kill"), ["b 9 all=true"]);
    assert!(env
        .store
        .container(b.id())
        .await
        .unwrap_err()
        .is_not_found());
    // Now a has no dependents; stopped containers need no force.
    env.engine.container_stop("a", None).await.unwrap();
    env.engine.container_rm("a", false, None).await.unwrap();
}

#[tokio::test]
async fn container_wait_returns_the_exit_code() {
    let env = Env::new();
    started(&env).await;
    let a = env.get("a").await;
    env.rt.exit(a.id(), 42);
    assert_eq!(env.engine.container_wait("a").await.unwrap(), 42);
    env.engine.container_stop("b", None).await.unwrap();
    assert_eq!(env.engine.container_wait("b").await.unwrap(), 143);
    env.ctr("p", "never", &[]).await;
    assert!(env.engine.container_wait("never").await.is_err());
}

#[tokio::test]
async fn container_pause_unpause() {
    let env = Env::new();
    started(&env).await;
    let c = env.engine.container_pause("a").await.unwrap();
    assert_eq!(c.status.state, ContainerState::Paused);
    let err = env.engine.container_pause("a").await.unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidState {
            action: "pause",
            ..
        }
    ));
    let c = env.engine.container_unpause("a").await.unwrap();
    assert_eq!(c.status.state, ContainerState::Running);
    assert_eq!(env.calls("resume"), ["a"]);
}

async fn exit_policy_pod(env: &Env, policy: ExitPolicy) {
    env.engine
        .pod_create(PodSpec {
            name: Some(Name::parse("p").unwrap()),
            infra: true,
            infra_name: Some(Name::parse("p-infra").unwrap()),
            exit_policy: policy,
            ..Default::default()
        })
        .await
        .unwrap();
    let infra = env.get("p-infra").await;
    env.register(&infra.config);
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &[]).await;
    env.engine.pod_start("p").await.unwrap();
}

#[tokio::test]
async fn container_cleanup_records_the_exit_and_applies_exit_policy_stop() {
    let env = Env::new();
    exit_policy_pod(&env, ExitPolicy::Stop).await;
    let a = env.get("a").await;
    env.rt.exit(a.id(), 0);
    env.engine.container_cleanup("a").await.unwrap();
    let a = env.get("a").await;
    assert_eq!(a.status.state, ContainerState::Exited);
    assert_eq!(a.status.exit_code, Some(0));
    assert!(env.calls("delete").contains(&"a force=false".into()));
    assert!(env.events().contains(&(EventKind::Died, "a".into())));
    // b still runs: the pod keeps running.
    assert_eq!(env.state("p-infra").await, ContainerState::Running);

    let b = env.get("b").await;
    env.rt.exit(b.id(), 1);
    env.engine.container_cleanup("b").await.unwrap();
    assert_eq!(env.get("b").await.status.exit_code, Some(1));
    assert_eq!(env.state("p-infra").await, ContainerState::Exited);
    assert!(env.calls("kill").contains(&"p-infra 15 all=false".into()));
    assert!(env.events().contains(&(EventKind::Stop, "p".into())));

    // Idempotent, and tolerant of removed containers.
    env.clear_log();
    env.engine.container_cleanup("b").await.unwrap();
    assert!(env.calls("delete").is_empty());
    env.engine.container_cleanup("gone").await.unwrap();
}

#[tokio::test]
async fn exit_policy_continue_keeps_the_pod() {
    let env = Env::new();
    exit_policy_pod(&env, ExitPolicy::Continue).await;
    for n in ["a", "b"] {
        let c = env.get(n).await;
        env.rt.exit(c.id(), 0);
        env.engine.container_cleanup(n).await.unwrap();
    }
    assert_eq!(env.state("p-infra").await, ContainerState::Running);
    assert_eq!(
        env.engine.pod_summary("p").await.unwrap().status,
        PodStatus::Degraded
    );
}

#[tokio::test]
async fn exit_policy_stop_applies_to_a_user_stop_of_the_last_container() {
    let env = Env::new();
    exit_policy_pod(&env, ExitPolicy::Stop).await;
    env.engine.container_stop("a", None).await.unwrap();
    assert_eq!(env.state("p-infra").await, ContainerState::Running);
    env.engine.container_stop("b", None).await.unwrap();
    assert_eq!(env.state("p-infra").await, ContainerState::Exited);
}

#[tokio::test]
async fn a_late_cleanup_of_an_earlier_run_is_ignored() {
    let env = Env::new();
    exit_policy_pod(&env, ExitPolicy::Stop).await;
    env.clear_log();
    // a runs (new run, no exit): a cleanup call about an old run changes nothing.
    env.engine.container_cleanup("a").await.unwrap();
    assert_eq!(env.state("a").await, ContainerState::Running);
    assert!(env.calls("delete").is_empty() && env.calls("kill").is_empty());
}

#[tokio::test]
async fn errors_keep_their_messages() {
    let env = Env::new();
    started(&env).await;
    env.fail("pause b", "freezer broke");
    let errors = partial(env.engine.pod_pause("p").await.unwrap_err(), "pause");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors["b"].to_string(), "freezer broke");
    assert_eq!(env.state("a").await, ContainerState::Paused);
}
