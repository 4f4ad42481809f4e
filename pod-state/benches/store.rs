//! SqliteStore benchmarks: listing 1000 pods × 10 containers with their states, lookups,
//! and the cost of opening the store (which the CLI pays on every command).
//!
//! Run: `cargo bench -p pod-state`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use pod_core::{
    ContainerConfig, ContainerId, ContainerState, ContainerStatus, ExitPolicy, Name, Namespace,
    PodConfig, PodId, RestartPolicy, Signal, StateStore,
};
use pod_state::SqliteStore;
use tokio::runtime::Runtime;

const PODS: usize = 1000;
const CTRS_PER_POD: usize = 10;

fn main() {
    divan::main();
    // The fixture lives in a static, which is never dropped: remove its files here.
    if let Some(f) = FIXTURE.get() {
        let _ = std::fs::remove_dir_all(f._tmp.path());
    }
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    store: SqliteStore,
    rt: Runtime,
    some_pod_id: PodId,
}

fn runtime() -> Runtime {
    // The CLI's runtime shape.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        let store = SqliteStore::open(&dir).unwrap();
        let rt = runtime();
        let mut some_pod_id = None;
        rt.block_on(async {
            for i in 0..PODS {
                let created = Utc.timestamp_opt(1_750_000_000 + i as i64, 7).unwrap();
                let infra = ContainerId::random();
                let pod = PodConfig {
                    id: PodId::random(),
                    name: Name::parse(&format!("pod{i}")).unwrap(),
                    labels: BTreeMap::from([("app".to_owned(), format!("app{i}"))]),
                    hostname: format!("pod{i}"),
                    created,
                    create_command: vec!["podctl".into(), "pod".into(), "create".into()],
                    exit_policy: ExitPolicy::Continue,
                    shared_namespaces: Namespace::default_shared(),
                    infra_container_id: Some(infra.clone()),
                    cgroup_parent: format!("/podctl/pod_{i}"),
                };
                store.add_pod(&pod).await.unwrap();
                for j in 0..CTRS_PER_POD {
                    let ctr = ContainerConfig {
                        id: if j == 0 {
                            infra.clone()
                        } else {
                            ContainerId::random()
                        },
                        name: Name::parse(&format!("pod{i}-c{j}")).unwrap(),
                        pod: Some(pod.id.clone()),
                        rootfs: (j > 0).then(|| PathBuf::from("/srv/rootfs/busybox")),
                        command: vec!["/bin/sleep".into(), "1000".into()],
                        env: vec!["PATH=/usr/bin:/bin".into(), "TERM=xterm".into()],
                        workdir: Some("/".into()),
                        user: None,
                        labels: BTreeMap::new(),
                        stop_signal: Signal::TERM,
                        stop_timeout: 10,
                        dependencies: vec![],
                        init_type: None,
                        is_infra: j == 0,
                        restart_policy: RestartPolicy::No,
                        created: created + chrono::Duration::milliseconds(j as i64),
                        create_command: vec!["podctl".into(), "create".into()],
                    };
                    let status = ContainerStatus {
                        state: ContainerState::Running,
                        pid: Some(10_000 + j as i32),
                        monitor_pid: Some(9_000 + j as i32),
                        exit_code: None,
                        started_at: Some(created),
                        finished_at: None,
                        oom_killed: false,
                        error: None,
                    };
                    store.add_container(&ctr, &status).await.unwrap();
                }
                if i == PODS / 2 {
                    some_pod_id = Some(pod.id.clone());
                }
            }
        });
        // Benchmark a fresh handle, as a CLI command has (the writer's close also
        // checkpoints the WAL into the database file).
        drop(store);
        let store = SqliteStore::open(&dir).unwrap();
        Fixture {
            _tmp: tmp,
            dir,
            store,
            rt,
            some_pod_id: some_pod_id.unwrap(),
        }
    })
}

/// `list_pods` then `pod_containers` for each pod: the plain trait path.
#[divan::bench(sample_count = 30)]
fn list_pods_then_pod_containers(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async {
            let pods = f.store.list_pods().await.unwrap();
            let mut n = 0;
            for p in &pods {
                n += f.store.pod_containers(&p.id).await.unwrap().len();
            }
            assert_eq!(n, PODS * CTRS_PER_POD);
            n
        })
    });
}

/// `SqliteStore::list_all`: every pod with its containers in two queries.
#[divan::bench(sample_count = 30)]
fn list_all(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async {
            let all = f.store.list_all().await.unwrap();
            assert_eq!(all.len(), PODS);
            all
        })
    });
}

/// All 10 000 containers with their states.
#[divan::bench(sample_count = 30)]
fn list_containers(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async { f.store.list_containers().await.unwrap() })
    });
}

/// The containers of one pod.
#[divan::bench]
fn pod_containers_one(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async { f.store.pod_containers(&f.some_pod_id).await.unwrap() })
    });
}

/// A pod by name.
#[divan::bench]
fn lookup_pod_by_name(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async { f.store.lookup_pod("pod777").await.unwrap() })
    });
}

/// A pod by a 12-character id prefix.
#[divan::bench]
fn lookup_pod_by_id_prefix(b: divan::Bencher) {
    let f = fixture();
    let prefix = f.some_pod_id.short().to_owned();
    b.bench(|| {
        f.rt.block_on(async { f.store.lookup_pod(&prefix).await.unwrap() })
    });
}

/// A container by name.
#[divan::bench]
fn lookup_container_by_name(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| {
        f.rt.block_on(async { f.store.lookup_container("pod777-c5").await.unwrap() })
    });
}

/// Opening the store on a current database (every CLI command does this once).
#[divan::bench(sample_count = 50)]
fn open_existing(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| SqliteStore::open(&f.dir).unwrap());
}

/// One status update (an IMMEDIATE write transaction).
#[divan::bench(sample_count = 50)]
fn set_status(b: divan::Bencher) {
    let f = fixture();
    let id =
        f.rt.block_on(async { f.store.lookup_container("pod1-c1").await.unwrap() })
            .config
            .id;
    let status = ContainerStatus {
        state: ContainerState::Running,
        pid: Some(1),
        ..ContainerStatus::default()
    };
    b.bench(|| {
        f.rt.block_on(async { f.store.set_status(&id, &status).await.unwrap() })
    });
}
