//! pod_create and container_create.

use crate::error::Error;
use crate::model::*;
use crate::testutil::{ctr_config, Env};
use crate::traits::StateStore;

#[tokio::test]
async fn pod_create_defaults() {
    let env = Env::new();
    let pod = env
        .engine
        .pod_create(PodSpec {
            name: Some(Name::parse("web").unwrap()),
            infra: true,
            create_command: vec!["podctl".into(), "pod".into(), "create".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pod.hostname, "web");
    assert_eq!(pod.shared_namespaces, Namespace::default_shared());
    assert_eq!(pod.cgroup_parent, format!("/podctl/pod_{}", pod.id.short()));
    assert_eq!(pod.exit_policy, ExitPolicy::Continue);
    let ctrs = env.store.pod_containers(&pod.id).await.unwrap();
    assert_eq!(ctrs.len(), 1);
    let infra = &ctrs[0];
    assert_eq!(Some(infra.id()), pod.infra_container_id.as_ref());
    assert_eq!(infra.name().as_str(), format!("{}-infra", pod.id.short()));
    assert!(infra.config.is_infra);
    assert_eq!(infra.config.rootfs, None);
    assert_eq!(infra.config.command, ["/catatonit", "-P"]);
    assert_eq!(infra.config.pod.as_ref(), Some(&pod.id));
    assert_eq!(infra.status.state, ContainerState::Configured);
    assert_eq!(env.events(), [(EventKind::Create, "web".to_string())]);
    assert_eq!(
        env.store.lookup_pod("web").await.unwrap().create_command,
        ["podctl", "pod", "create"]
    );

    let err = env
        .engine
        .pod_create(PodSpec {
            name: Some(Name::parse("web").unwrap()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PodExists(ref n) if n == "web"));
}

#[tokio::test]
async fn pod_create_options() {
    let env = Env::new();
    let pod = env
        .engine
        .pod_create(PodSpec {
            name: None,
            hostname: Some("box".into()),
            share: Some(Namespace::parse_list("pid,net").unwrap()),
            infra: true,
            infra_name: Some(Name::parse("holder").unwrap()),
            infra_command: vec!["/pause".into()],
            cgroup_parent: Some("/custom".into()),
            exit_policy: ExitPolicy::Stop,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(Name::parse(pod.name.as_str()).is_ok(), "generated name");
    assert_eq!(pod.hostname, "box");
    assert_eq!(
        pod.shared_namespaces.iter().copied().collect::<Vec<_>>(),
        [Namespace::Net, Namespace::Pid]
    );
    assert_eq!(pod.cgroup_parent, "/custom");
    let infra = env.get("holder").await;
    assert_eq!(infra.config.command, ["/pause"]);

    // Nothing shared: no infra.
    let pod = env
        .engine
        .pod_create(PodSpec {
            share: Some(Default::default()),
            infra: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(pod.infra_container_id.is_none());
    assert!(env.store.pod_containers(&pod.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn container_create_defaults_and_validation() {
    let env = Env::new();
    env.pod("p", true).await;
    let c = env.ctr("p", "a", &[]).await;
    assert_eq!(c.stop_signal, Signal::TERM);
    assert_eq!(c.stop_timeout, 10);
    assert!(!c.is_infra);
    assert_eq!(env.state("a").await, ContainerState::Configured);
    assert!(env.events().contains(&(EventKind::Create, "a".into())));

    let mut spec = Env::spec(Some("p"), "b", &[]);
    spec.command.clear();
    let err = env.engine.container_create(spec).await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));

    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "a", &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ContainerExists(ref n) if n == "a"));

    let err = env
        .engine
        .container_create(Env::spec(Some("nope"), "b", &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoSuchPod(_)));

    let mut spec = Env::spec(None, "x", &[]);
    spec.name = None;
    spec.rootfs = "relative/dir".into();
    let c = env.engine.container_create(spec).await.unwrap();
    assert!(c.rootfs.unwrap().is_absolute());
    assert!(Name::parse(c.name.as_str()).is_ok());
}

#[tokio::test]
async fn dependencies_are_checked_at_create() {
    let env = Env::new();
    env.pod("p", true).await;
    env.pod("q", true).await;
    env.ctr("p", "a", &[]).await;
    env.ctr("q", "other", &[]).await;

    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "b", &["missing"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoSuchContainer(ref n) if n == "missing"));

    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "b", &["other"]))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "container b depends on container other, which is not in pod p"
    );
    let err = env
        .engine
        .container_create(Env::spec(None, "loose", &["a"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");

    let b = env.ctr("p", "b", &["a", "a"]).await;
    let a = env.get("a").await;
    assert_eq!(b.dependencies, vec![a.config.id.clone()], "deduplicated");
    assert!(env.store.lookup_container("missing").await.is_err());

    // An init container cannot be required.
    env.init_ctr("p", "init", InitType::Once).await;
    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "c", &["init"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("init container"), "{err}");
}

#[tokio::test]
async fn a_stored_outside_pod_dependency_blocks_create_in_that_pod() {
    let env = Env::new();
    let pod = env.pod("p", true).await;
    let ghost = ContainerId::random();
    let bad = ctr_config("bad", &pod, &[&ghost]);
    env.store
        .add_container(&bad, &ContainerStatus::default())
        .await
        .unwrap();
    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "c", &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DependencyOutsidePod { .. }), "{err:?}");
    let names: Vec<String> = env
        .store
        .list_containers()
        .await
        .unwrap()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert!(!names.contains(&"c".to_string()), "not stored");
}

#[tokio::test]
async fn a_container_cannot_require_itself() {
    let env = Env::new();
    env.pod("p", true).await;
    let err = env
        .engine
        .container_create(Env::spec(Some("p"), "self", &["self"]))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "container self cannot depend on itself (--requires self)"
    );
    assert!(env.store.lookup_container("self").await.is_err());
}

#[test]
fn names_with_nul_or_path_parts_are_refused_everywhere() {
    // argv cannot carry NUL: the check is on the type, which every path goes through
    // (flags, config, stored JSON).
    for bad in ["a\0b", "\0", "a/b", "..", "../x", "a\u{e9}"] {
        assert!(Name::parse(bad).is_err(), "{bad:?}");
        let json = serde_json::to_string(bad).unwrap();
        assert!(serde_json::from_str::<Name>(&json).is_err(), "{json}");
    }
}

#[tokio::test]
async fn a_cgroup_parent_outside_the_cgroup_root_is_refused_at_create() {
    let env = Env::new();
    for bad in ["/a/../../etc", "..", "/podctl//x", "/./x", "/x\0y"] {
        let err = env
            .engine
            .pod_create(PodSpec {
                name: Some(Name::parse("cg").unwrap()),
                cgroup_parent: Some(bad.to_owned()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid cgroup parent"),
            "{bad:?}: {err}"
        );
    }
    assert!(env.store.list_pods().await.unwrap().is_empty());
    for good in ["/podctl/pod_x", "machine.slice", "/", "/a/b/"] {
        let name = format!("ok{}", env.store.list_pods().await.unwrap().len());
        env.engine
            .pod_create(PodSpec {
                name: Some(Name::parse(&name).unwrap()),
                cgroup_parent: Some(good.to_owned()),
                ..Default::default()
            })
            .await
            .unwrap();
    }
}
