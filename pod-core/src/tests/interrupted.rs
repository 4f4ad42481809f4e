//! States left by a CLI killed in the middle of an operation: reads report what the
//! runtime runs, and the next locked operation completes.

use crate::model::*;
use crate::testutil::Env;

use super::bounded;

fn runtime_says(env: &Env, name: &str, status: RuntimeStatus, pid: i32) {
    env.rt.runtime_state.lock().unwrap().insert(
        name.to_owned(),
        RuntimeInfo {
            status,
            pid: Some(pid),
        },
    );
}

/// A monitor runs for `name` although the store says it never started (the CLI died
/// between the runtime's create and the store update).
async fn left_in_runtime(env: &Env, name: &str, status: RuntimeStatus, pid: i32) {
    let c = env.get(name).await;
    env.rt.alive.lock().unwrap().insert(c.id().clone());
    runtime_says(env, name, status, pid);
}

#[tokio::test]
async fn a_container_created_by_a_killed_cli_is_adopted_and_stopped() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &[]).await;
    left_in_runtime(&env, "a", RuntimeStatus::Created, 71).await;
    left_in_runtime(&env, "b", RuntimeStatus::Running, 72).await;

    // Reads tell the truth without writing.
    let s = env.engine.pod_summary("p").await.unwrap();
    let state = |n: &str| {
        s.containers
            .iter()
            .find(|c| c.name().as_str() == n)
            .map(|c| (c.status.state, c.status.pid))
            .unwrap()
    };
    assert_eq!(state("a"), (ContainerState::Created, Some(71)));
    assert_eq!(state("b"), (ContainerState::Running, Some(72)));
    assert_eq!(s.status, PodStatus::Degraded);
    assert_eq!(env.state("a").await, ContainerState::Configured);

    // The next stop handles both: nothing is left in the runtime.
    bounded(env.engine.pod_stop("p", Some(0))).await.unwrap();
    let deletes = env.calls("delete");
    assert!(deletes.contains(&"a force=true".to_owned()), "{deletes:?}");
    assert!(env.calls("kill").contains(&"b 9 all=true".to_owned()));
    assert_eq!(env.state("a").await, ContainerState::Exited);
    assert_eq!(env.state("b").await, ContainerState::Exited);
}

#[tokio::test]
async fn the_next_start_starts_an_adopted_created_container() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    left_in_runtime(&env, "a", RuntimeStatus::Created, 71).await;
    bounded(env.engine.pod_start("p")).await.unwrap();
    assert!(env.calls("create").is_empty(), "not created twice");
    assert_eq!(env.calls("start"), vec!["a"]);
    assert_eq!(env.state("a").await, ContainerState::Running);
}

#[tokio::test]
async fn created_but_running_is_running_and_not_started_again() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    env.set_state("a", ContainerState::Created).await;
    runtime_says(&env, "a", RuntimeStatus::Running, 4242);
    let i = env.engine.container_inspect("a").await.unwrap();
    assert_eq!(i.state.status, "running");
    bounded(env.engine.pod_start("p")).await.unwrap();
    assert!(env.calls("start").is_empty(), "{:?}", env.log());
    assert_eq!(env.state("a").await, ContainerState::Running);
}

#[tokio::test]
async fn a_stale_stopping_state_does_not_block_the_next_start() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    env.set_state("a", ContainerState::Stopping).await;
    runtime_says(&env, "a", RuntimeStatus::Running, 4242);
    // A read cannot know whether a stop is under way: it shows what the store says.
    let i = env.engine.container_inspect("a").await.unwrap();
    assert_eq!(i.state.status, "stopping");
    // Under the lock nobody else is stopping it: it runs.
    bounded(env.engine.pod_start("p")).await.unwrap();
    assert_eq!(env.state("a").await, ContainerState::Running);
    assert!(env.calls("start").is_empty());
    // And a stop after a stale stopping completes.
    env.set_state("a", ContainerState::Stopping).await;
    bounded(env.engine.pod_stop("p", Some(0))).await.unwrap();
    assert_eq!(env.state("a").await, ContainerState::Exited);
}

#[tokio::test]
async fn a_dead_monitor_is_unknown_and_stop_cleans_it_up() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    env.rt.dead_monitor.lock().unwrap().insert("a".into());
    let s = env.engine.pod_summary("p").await.unwrap();
    assert_eq!(s.containers[0].status.state, ContainerState::Unknown);
    assert_eq!(s.status, PodStatus::Error);
    bounded(env.engine.pod_stop("p", None)).await.unwrap();
    assert!(env.calls("delete").contains(&"a force=true".to_owned()));
    assert_eq!(env.state("a").await, ContainerState::Exited);
}

#[tokio::test]
async fn a_container_whose_create_failed_is_not_adopted() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    // No monitor: nothing to adopt, and no runtime state is asked for.
    let s = env.engine.pod_summary("p").await.unwrap();
    assert_eq!(s.containers[0].status.state, ContainerState::Configured);
    assert!(env.calls("state").is_empty());
}

#[tokio::test]
async fn a_failed_stop_leaves_the_container_running_not_stopping() {
    let env = Env::new();
    env.pod("p", false).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("p", "b", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    env.fail("kill a", "runtime exploded");
    env.rt.unkillable.lock().unwrap().insert("b".into());
    let err = bounded(env.engine.pod_stop("p", Some(0)))
        .await
        .unwrap_err();
    let errors = super::partial(err, "stop");
    assert_eq!(errors["a"].to_string(), "runtime exploded");
    assert!(
        errors["b"].to_string().contains("did not exit"),
        "{errors:?}"
    );
    for n in ["a", "b"] {
        let c = env.get(n).await;
        assert_eq!(c.status.state, ContainerState::Running, "{n}");
        assert!(c.status.error.is_some(), "{n}");
    }
}
