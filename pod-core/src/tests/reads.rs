//! Reads: status, summary, list, inspect; reconcile with the runtime without locks and
//! without `runtime.state` (the mock has no expectation for it: a call panics).

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use crate::model::*;
use crate::testutil::{exit_time, Env};

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(k: &[&str]) -> BTreeSet<String> {
    k.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn reads_reconcile_exits_and_dead_monitors_without_locks() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "gone", &[]).await;
    env.ctr("p", "orphan", &[]).await;
    env.ctr("p", "fine", &[]).await;
    env.engine.pod_start("p").await.unwrap();
    let gone = env.get("gone").await;
    env.rt.exit(gone.id(), 3);
    env.rt.dead_monitor.lock().unwrap().insert("orphan".into());
    let locks = env.store.locks_taken.load(Ordering::SeqCst);

    let summary = env.engine.pod_summary("p").await.unwrap();
    let by_name = |n: &str| {
        summary
            .containers
            .iter()
            .find(|c| c.name().as_str() == n)
            .unwrap()
            .clone()
    };
    let g = by_name("gone");
    assert_eq!(g.status.state, ContainerState::Stopped);
    assert_eq!(g.status.exit_code, Some(3));
    assert_eq!(g.status.finished_at, Some(exit_time()));
    let o = by_name("orphan");
    assert_eq!(o.status.state, ContainerState::Unknown);
    assert_eq!(
        o.status.error.as_deref(),
        Some("monitor of container orphan died")
    );
    assert_eq!(by_name("fine").status.state, ContainerState::Running);
    assert_eq!(summary.status, PodStatus::Degraded);

    let list = env.engine.pod_list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, PodStatus::Degraded);
    let all = env.engine.container_list().await.unwrap();
    assert_eq!(all.len(), 4);
    let inspect = env.engine.container_inspect("gone").await.unwrap();
    assert_eq!(inspect.state.exit_code, 3);
    env.engine.pod_inspect("p").await.unwrap();
    env.engine.pod_status("p").await.unwrap();

    assert_eq!(
        env.store.locks_taken.load(Ordering::SeqCst),
        locks,
        "reads take no lock"
    );
    assert!(!env.log().iter().any(|l| l.starts_with("state ")));
    // Reads do not write: the store still says running until an operation syncs.
    assert_eq!(env.state("gone").await, ContainerState::Running);
    // A locked operation persists the reconciled state.
    env.engine.pod_cleanup("p").await.unwrap();
    assert_eq!(env.state("gone").await, ContainerState::Exited);
    assert_eq!(env.state("orphan").await, ContainerState::Unknown);
}

#[tokio::test]
async fn pod_status_follows_the_rules_and_excludes_init_containers() {
    use ContainerState::*;
    let table: &[(&[ContainerState], PodStatus)] = &[
        (&[], PodStatus::Created),
        (&[Running, Running], PodStatus::Running),
        (&[Running, Exited], PodStatus::Degraded),
        (&[Paused, Paused], PodStatus::Paused),
        (&[Stopped, Exited], PodStatus::Exited),
        (&[Exited, Paused], PodStatus::Stopped),
        (&[Stopping, Created], PodStatus::Error),
        (&[Created, Configured], PodStatus::Created),
    ];
    for (i, (states, want)) in table.iter().enumerate() {
        let env = Env::new();
        let name = format!("p{i}");
        env.pod(&name, false).await;
        // An init container in a state that would change every rule but the first.
        env.init_ctr(&name, &format!("{name}-init"), InitType::Always)
            .await;
        env.set_state(&format!("{name}-init"), Unknown).await;
        for (j, st) in states.iter().enumerate() {
            let c = format!("{name}-c{j}");
            env.ctr(&name, &c, &[]).await;
            env.set_state(&c, *st).await;
        }
        let got = env.engine.pod_summary(&name).await.unwrap();
        assert_eq!(got.status, *want, "rule {} {states:?}", i + 1);
        let status = env.engine.pod_status(&name).await.unwrap();
        assert_eq!(status.len(), states.len(), "init excluded");
        let mut got_states: Vec<_> = status.values().copied().collect();
        let mut want_states = states.to_vec();
        got_states.sort();
        want_states.sort();
        assert_eq!(got_states, want_states);
    }
}

#[tokio::test]
async fn pod_inspect_fields() {
    let env = Env::new();
    let pod = env.pod("p", true).await;
    env.ctr("p", "zz", &[]).await;
    env.ctr("p", "aa", &[]).await;
    env.init_ctr("p", "init", InitType::Always).await;
    let i = env.engine.pod_inspect("p").await.unwrap();
    let v = serde_json::to_value(&i).unwrap();
    assert_eq!(
        keys(&v),
        set(&[
            "Id",
            "Name",
            "Namespace",
            "Created",
            "CreateCommand",
            "ExitPolicy",
            "State",
            "Hostname",
            "Labels",
            "CreateCgroup",
            "CgroupParent",
            "CgroupPath",
            "CreateInfra",
            "InfraContainerID",
            "SharedNamespaces",
            "NumContainers",
            "Containers",
        ])
    );
    assert_eq!(v["Id"], pod.id.to_string());
    assert_eq!(v["State"], "Created");
    assert_eq!(v["ExitPolicy"], "continue");
    assert_eq!(v["CreateInfra"], true);
    assert_eq!(
        v["InfraContainerID"],
        pod.infra_container_id.as_ref().unwrap().to_string()
    );
    assert_eq!(
        v["SharedNamespaces"],
        serde_json::json!(["ipc", "net", "uts"])
    );
    assert_eq!(v["NumContainers"], 4, "infra and init included");
    let names: Vec<&str> = v["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aa", "init", "p-infra", "zz"]);
    assert_eq!(keys(&v["Containers"][0]), set(&["Id", "Name", "State"]));
    assert_eq!(v["Containers"][0]["State"], "configured");
    assert_eq!(v["Created"], format_time(&pod.created));
    assert!(v["Created"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn pod_inspect_without_infra_omits_the_infra_id() {
    let env = Env::new();
    env.pod("p", false).await;
    let v = serde_json::to_value(env.engine.pod_inspect("p").await.unwrap()).unwrap();
    assert!(v.get("InfraContainerID").is_none());
    assert_eq!(v["CreateInfra"], false);
    assert_eq!(v["SharedNamespaces"], serde_json::json!([]));
}

#[tokio::test]
async fn container_inspect_fields() {
    let env = Env::new();
    env.pod("p", true).await;
    env.ctr("p", "db", &[]).await;
    let mut spec = Env::spec(Some("p"), "app", &["db"]);
    spec.command = vec!["/bin/sh".into(), "-c".into(), "sleep 9".into()];
    spec.workdir = Some("/srv".into());
    spec.env = vec!["A=1".into()];
    spec.stop_signal = Some(Signal::INT);
    env.create(spec).await;

    let i = env.engine.container_inspect("app").await.unwrap();
    let v = serde_json::to_value(&i).unwrap();
    assert_eq!(
        keys(&v),
        set(&[
            "Id",
            "Name",
            "Created",
            "Path",
            "Args",
            "State",
            "Pod",
            "Config",
            "Rootfs",
            "IsInfra",
            "Dependencies",
            "InitContainerType",
            "RestartPolicy",
        ])
    );
    assert_eq!(
        keys(&v["State"]),
        set(&[
            "Status",
            "Running",
            "Paused",
            "Restarting",
            "OOMKilled",
            "Dead",
            "Pid",
            "ExitCode",
            "Error",
            "StartedAt",
            "FinishedAt",
        ])
    );
    assert_eq!(
        keys(&v["Config"]),
        set(&[
            "Cmd",
            "Env",
            "WorkingDir",
            "User",
            "Labels",
            "StopSignal",
            "StopTimeout",
        ])
    );
    assert_eq!(v["Path"], "/bin/sh");
    assert_eq!(v["Args"], serde_json::json!(["-c", "sleep 9"]));
    assert_eq!(v["Config"]["StopSignal"], "SIGINT");
    assert_eq!(v["Config"]["StopTimeout"], 10);
    assert_eq!(v["Config"]["WorkingDir"], "/srv");
    assert_eq!(v["State"]["Status"], "configured");
    assert_eq!(v["State"]["StartedAt"], ZERO_TIME);
    assert_eq!(v["State"]["FinishedAt"], ZERO_TIME);
    assert_eq!(v["State"]["Running"], false);
    let db = env.get("db").await;
    assert_eq!(v["Dependencies"], serde_json::json!([db.id().to_string()]));
    assert_eq!(v["InitContainerType"], "");
    assert_eq!(v["RestartPolicy"], "no");

    env.engine.pod_start("p").await.unwrap();
    env.engine.container_pause("app").await.unwrap();
    let i = env.engine.container_inspect("app").await.unwrap();
    assert!(
        i.state.running && i.state.paused,
        "paused counts as running"
    );
    assert!(i.state.pid > 0);
    assert_ne!(i.state.started_at, ZERO_TIME);
    assert_eq!(i.state.finished_at, ZERO_TIME);

    let infra = env.engine.container_inspect("p-infra").await.unwrap();
    assert!(infra.is_infra);
    assert_eq!(infra.rootfs, "");
    assert_eq!(infra.config.stop_signal, "SIGTERM");
}
