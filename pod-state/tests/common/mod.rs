//! Fixtures shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // shared test helpers

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use pod_core::{
    ContainerConfig, ContainerId, ContainerState, ContainerStatus, ExitPolicy, InitType, Name,
    Namespace, PodConfig, PodId, RestartPolicy, Signal,
};

/// A fixed time plus `secs` seconds and `nanos` nanoseconds.
pub fn t(secs: i64, nanos: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000 + secs, nanos).unwrap()
}

/// A full id from a hex prefix, padded with zeros.
pub fn id_from(prefix: &str) -> String {
    format!("{prefix:0<64}")
}

/// A pod with every field set.
pub fn pod(name: &str) -> PodConfig {
    pod_with(PodId::random(), name, t(0, 123_456_789))
}

/// A pod with a chosen id and creation time.
pub fn pod_with(id: PodId, name: &str, created: DateTime<Utc>) -> PodConfig {
    PodConfig {
        id,
        name: Name::parse(name).unwrap(),
        labels: BTreeMap::from([
            ("app".to_owned(), name.to_owned()),
            ("tier".to_owned(), "front".to_owned()),
        ]),
        hostname: format!("{name}-host"),
        created,
        create_command: vec!["podctl".into(), "pod".into(), "create".into(), name.into()],
        exit_policy: ExitPolicy::Stop,
        shared_namespaces: [Namespace::Ipc, Namespace::Net, Namespace::Uts]
            .into_iter()
            .collect(),
        infra_container_id: Some(ContainerId::random()),
        cgroup_parent: "/podctl/pod_x".to_owned(),
    }
}

/// A container with every field set.
pub fn ctr(name: &str, pod: Option<&PodId>) -> ContainerConfig {
    ctr_with(ContainerId::random(), name, pod, t(10, 987_654_321))
}

/// A container with a chosen id and creation time.
pub fn ctr_with(
    id: ContainerId,
    name: &str,
    pod: Option<&PodId>,
    created: DateTime<Utc>,
) -> ContainerConfig {
    ContainerConfig {
        id,
        name: Name::parse(name).unwrap(),
        pod: pod.cloned(),
        rootfs: Some(PathBuf::from("/srv/rootfs")),
        command: vec!["/bin/sh".into(), "-c".into(), "sleep 1000".into()],
        env: vec!["PATH=/bin".into(), "A=b c".into()],
        workdir: Some("/tmp".into()),
        user: Some("1000:1000".into()),
        labels: BTreeMap::from([("role".to_owned(), "db".to_owned())]),
        stop_signal: Signal::INT,
        stop_timeout: 7,
        dependencies: vec![ContainerId::random()],
        init_type: Some(InitType::Always),
        is_infra: false,
        restart_policy: RestartPolicy::OnFailure,
        created,
        create_command: vec!["podctl".into(), "create".into()],
    }
}

/// The status of a freshly created container.
pub fn configured() -> ContainerStatus {
    ContainerStatus::default()
}

/// A status with every field set, times with nanoseconds.
pub fn full_status() -> ContainerStatus {
    ContainerStatus {
        state: ContainerState::Exited,
        pid: Some(4242),
        monitor_pid: Some(4241),
        exit_code: Some(137),
        started_at: Some(t(100, 1)),
        finished_at: Some(t(200, 999_999_999)),
        oom_killed: true,
        error: Some("killed \"hard\"".to_owned()),
    }
}

/// Is this process root (permission bits do not stop it)?
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
