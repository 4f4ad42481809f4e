//! Store failures, with mockall's `MockStateStore`: runtime mocks without expectations
//! panic when called, proving nothing was touched.

use std::sync::Arc;

use crate::engine::Engine;
use crate::error::Error;
use crate::model::*;
use crate::testutil::{cgroups, ctr_config, pod_config, RtState};
use crate::traits::*;

fn engine(store: MockStateStore, runtime: MockOciRuntime) -> Engine {
    let rt = Arc::new(RtState::default());
    Engine::new(
        Arc::new(store),
        Arc::new(runtime),
        Arc::new(cgroups(&rt, CgroupMode::Unified, false)),
    )
}

fn disk_full() -> Error {
    Error::store("database is locked: disk full")
}

#[tokio::test]
async fn lookup_failure_is_returned_untouched() {
    let mut store = MockStateStore::new();
    store.expect_lookup_pod().returning(|_| Err(disk_full()));
    let e = engine(store, MockOciRuntime::new());
    for r in [
        e.pod_start("p").await.map(|_| ()),
        e.pod_stop("p", None).await.map(|_| ()),
        e.pod_kill("p", Signal::KILL).await.map(|_| ()),
        e.pod_rm("p", true, None).await.map(|_| ()),
        e.pod_inspect("p").await.map(|_| ()),
    ] {
        let err = r.unwrap_err();
        assert!(matches!(err, Error::Store(_)), "{err:?}");
        assert_eq!(err.to_string(), "database is locked: disk full");
    }
}

#[tokio::test]
async fn lock_failure_touches_nothing() {
    let pod = pod_config("p");
    let mut store = MockStateStore::new();
    let p = pod.clone();
    store.expect_lookup_pod().returning(move |_| Ok(p.clone()));
    store
        .expect_lock_pod()
        .times(1)
        .returning(|_| Err(disk_full()));
    // No pod_containers expectation: reading containers would panic.
    let e = engine(store, MockOciRuntime::new());
    let err = e.pod_start("p").await.unwrap_err();
    assert!(matches!(err, Error::Store(_)));
}

#[tokio::test]
async fn status_write_failure_after_create_releases_the_runtime_container() {
    status_write_failure_releases_the_runtime_container(false).await;
}

#[tokio::test]
async fn status_write_failure_after_a_one_step_run_releases_the_runtime_container() {
    status_write_failure_releases_the_runtime_container(true).await;
}

/// `one_step`: the runtime creates and starts in one call (`run_detached`), else it
/// answers `None` there and the engine creates (and would then start).
async fn status_write_failure_releases_the_runtime_container(one_step: bool) {
    let pod = pod_config("p");
    let a = ctr_config("a", &pod, &[]);
    let mut store = MockStateStore::new();
    let p = pod.clone();
    store.expect_lookup_pod().returning(move |_| Ok(p.clone()));
    store.expect_lock_pod().returning(|_| Ok(PodLock::noop()));
    let ctr = Container {
        config: a.clone(),
        status: ContainerStatus::default(),
    };
    store
        .expect_pod_containers()
        .returning(move |_| Ok(vec![ctr.clone()]));
    store
        .expect_set_status()
        .times(1)
        .returning(|_, _| Err(disk_full()));
    store.expect_add_event().returning(|_| Ok(()));

    let mut rt = MockOciRuntime::new();
    // Never created: no monitor.
    rt.expect_monitor_alive().returning(|_| Ok(false));
    let id = a.id.clone();
    rt.expect_run_detached()
        .withf(move |c, _| c.id == id)
        .times(1)
        .returning(move |_, _| Ok(one_step.then_some(77)));
    let id = a.id.clone();
    rt.expect_create()
        .withf(move |c, _| c.id == id)
        .times(usize::from(!one_step))
        .returning(|_, _| Ok(77));
    let id = a.id.clone();
    rt.expect_delete()
        .withf(move |i, force| *i == id && *force)
        .times(1)
        .returning(|_, _| Ok(()));
    // No start expectation: the container is not started.
    let e = engine(store, rt);
    let err = e.pod_start("p").await.unwrap_err();
    let Error::Partial { op, errors, .. } = err else {
        panic!("partial expected")
    };
    assert_eq!(op, "start");
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors["a"], Error::Store(_)));
}

#[tokio::test]
async fn infra_insert_failure_rolls_back_the_pod() {
    let mut store = MockStateStore::new();
    store
        .expect_lookup_pod()
        .returning(|n| Err(Error::NoSuchPod(n.to_owned())));
    store
        .expect_lookup_container()
        .returning(|n| Err(Error::NoSuchContainer(n.to_owned())));
    store.expect_add_pod().times(1).returning(|_| Ok(()));
    store
        .expect_add_container()
        .times(1)
        .returning(|_, _| Err(disk_full()));
    store.expect_remove_pod().times(1).returning(|_| Ok(()));
    let e = engine(store, MockOciRuntime::new());
    let err = e
        .pod_create(PodSpec {
            name: Some(Name::parse("p").unwrap()),
            infra: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Store(_)));
}

#[tokio::test]
async fn an_event_write_failure_does_not_fail_the_operation() {
    let mut store = MockStateStore::new();
    store
        .expect_lookup_pod()
        .returning(|n| Err(Error::NoSuchPod(n.to_owned())));
    store.expect_add_pod().times(1).returning(|_| Ok(()));
    store
        .expect_add_event()
        .times(1)
        .returning(|_| Err(disk_full()));
    let e = engine(store, MockOciRuntime::new());
    let pod = e
        .pod_create(PodSpec {
            name: Some(Name::parse("p").unwrap()),
            infra: false,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pod.name.as_str(), "p");
}

#[tokio::test]
async fn read_failure_is_returned() {
    let pod = pod_config("p");
    let mut store = MockStateStore::new();
    let p = pod.clone();
    store.expect_lookup_pod().returning(move |_| Ok(p.clone()));
    store
        .expect_pod_containers()
        .returning(|_| Err(disk_full()));
    store.expect_list_pods().returning(|| Err(disk_full()));
    let e = engine(store, MockOciRuntime::new());
    assert!(matches!(e.pod_status("p").await, Err(Error::Store(_))));
    assert!(matches!(e.pod_list().await, Err(Error::Store(_))));
}

#[tokio::test]
async fn a_runtime_error_in_a_read_keeps_the_stored_state() {
    let pod = pod_config("p");
    let a = ctr_config("a", &pod, &[]);
    let mut store = MockStateStore::new();
    let p = pod.clone();
    store.expect_lookup_pod().returning(move |_| Ok(p.clone()));
    let ctr = Container {
        config: a,
        status: ContainerStatus {
            state: ContainerState::Running,
            pid: Some(5),
            ..Default::default()
        },
    };
    store
        .expect_pod_containers()
        .returning(move |_| Ok(vec![ctr.clone()]));
    let mut rt = MockOciRuntime::new();
    rt.expect_exit_info()
        .returning(|_| Err(Error::runtime("exit file unreadable")));
    let e = engine(store, rt);
    let s = e.pod_summary("p").await.unwrap();
    assert_eq!(s.status, PodStatus::Running);
}
