//! Several OS processes on one state directory at once. Each test re-executes this test
//! binary (`--exact <test>`) with `POD_STATE_CHILD` set, which turns the same test
//! function into a child.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use pod_core::{
    ContainerId, ContainerState, ContainerStatus, Error, Event, EventKind, PodId, StateStore,
};
use pod_state::SqliteStore;

const CHILD: &str = "POD_STATE_CHILD";
const DIR: &str = "POD_STATE_DIR";
const INDEX: &str = "POD_STATE_INDEX";
const POD: &str = "POD_STATE_POD";

const PROCS: usize = 8;
const PER_PROC: usize = 100;

fn child_mode() -> Option<String> {
    std::env::var(CHILD).ok()
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"))
}

/// The CLI's runtime shape: a current-thread tokio runtime.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn spawn_children(test: &str, mode: &str, n: usize, dir: &Path, pod: &PodId) -> Vec<Output> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..n)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", test, "--nocapture", "--test-threads", "1"])
                .env(CHILD, mode)
                .env(DIR, dir)
                .env(INDEX, i.to_string())
                .env(POD, pod.as_str())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn check_children(outputs: &[Output]) {
    for (i, out) in outputs.iter().enumerate() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "child {i} failed: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        );
        // The child ran the test (not filtered out to zero tests).
        assert!(
            stdout.contains("1 passed"),
            "child {i} did not run:\n{stdout}"
        );
        for text in [&stdout, &stderr] {
            assert!(
                !text.contains("database is locked") && !text.contains("database is busy"),
                "child {i}: {text}"
            );
        }
    }
}

/// Waits until `n` marker files `<prefix><i>` exist in `dir` (a cross-process barrier).
fn barrier(dir: &Path, prefix: &str, me: usize, n: usize) {
    std::fs::write(dir.join(format!("{prefix}{me}")), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while (0..n).any(|i| !dir.join(format!("{prefix}{i}")).exists()) {
        assert!(Instant::now() < deadline, "barrier {prefix} timed out");
        assert!(
            (0..n).all(|i| !dir.join(format!("failed-{i}")).exists()),
            "another child failed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn ctr_name(proc_idx: usize, n: usize) -> String {
    format!("c{proc_idx}-{n}")
}

fn final_status(proc_idx: usize, n: usize) -> ContainerStatus {
    ContainerStatus {
        state: ContainerState::Exited,
        pid: Some(n as i32),
        exit_code: Some(proc_idx as i32),
        finished_at: Some(t(n as i64, proc_idx as u32)),
        ..ContainerStatus::default()
    }
}

async fn insert_child() {
    let dir = PathBuf::from(env(DIR));
    let me: usize = env(INDEX).parse().unwrap();
    let pod_id = PodId::parse(&env(POD)).unwrap();
    // A failing child tells the others, so they do not wait at the barrier in vain.
    let marker = dir.join(format!("failed-{me}"));
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = std::fs::write(&marker, "");
        default_hook(info);
    }));
    // Every child opens (and so migrates) the fresh database at the same time, and
    // races to create the one pod.
    let store = SqliteStore::open(&dir.join("state")).unwrap();
    let p = pod_with(pod_id.clone(), "shared", t(0, 0));
    match store.add_pod(&p).await {
        Ok(()) | Err(Error::PodExists(_)) => {}
        Err(e) => panic!("add_pod: {e}"),
    }
    let neighbour = (me + 1) % PROCS;
    for n in 0..PER_PROC {
        let c = ctr_with(
            ContainerId::random(),
            &ctr_name(me, n),
            Some(&pod_id),
            t(n as i64, me as u32),
        );
        store.add_container(&c, &configured()).await.unwrap();
        let running = ContainerStatus {
            state: ContainerState::Running,
            pid: Some(1000 + n as i32),
            ..ContainerStatus::default()
        };
        store.set_status(&c.id, &running).await.unwrap();
        // Update another process's container too, when it already exists.
        match store.lookup_container(&ctr_name(neighbour, n)).await {
            Ok(other) => {
                let status = ContainerStatus {
                    state: ContainerState::Paused,
                    pid: Some(-(me as i32)),
                    ..ContainerStatus::default()
                };
                store.set_status(other.id(), &status).await.unwrap();
            }
            Err(Error::NoSuchContainer(_)) => {}
            Err(e) => panic!("lookup: {e}"),
        }
        store
            .add_event(&Event {
                time: t(n as i64, me as u32),
                kind: EventKind::Create,
                pod: Some(pod_id.clone()),
                container: Some(c.id.clone()),
                name: c.name.to_string(),
            })
            .await
            .unwrap();
    }
    // Everyone inserted; now each sets the final status of its own containers, while
    // the others do the same.
    barrier(&dir, "inserted-", me, PROCS);
    for n in 0..PER_PROC {
        let c = store.lookup_container(&ctr_name(me, n)).await.unwrap();
        store
            .set_status(c.id(), &final_status(me, n))
            .await
            .unwrap();
    }
}

#[test]
fn eight_processes_insert_and_update_concurrently() {
    if child_mode().as_deref() == Some("insert") {
        block_on(insert_child());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let pod_id = PodId::random();
    let outputs = spawn_children(
        "eight_processes_insert_and_update_concurrently",
        "insert",
        PROCS,
        tmp.path(),
        &pod_id,
    );
    check_children(&outputs);

    block_on(async {
        let store = SqliteStore::open(&tmp.path().join("state")).unwrap();
        assert_eq!(store.list_pods().await.unwrap().len(), 1);
        let ctrs = store.pod_containers(&pod_id).await.unwrap();
        assert_eq!(ctrs.len(), PROCS * PER_PROC);
        assert_eq!(
            store.list_containers().await.unwrap().len(),
            PROCS * PER_PROC
        );
        let ids: HashSet<_> = ctrs.iter().map(|c| c.id().clone()).collect();
        assert_eq!(ids.len(), PROCS * PER_PROC, "duplicate ids");
        let names: HashSet<String> = ctrs.iter().map(|c| c.name().to_string()).collect();
        let want: HashSet<String> = (0..PROCS)
            .flat_map(|i| (0..PER_PROC).map(move |n| ctr_name(i, n)))
            .collect();
        assert_eq!(names, want);
        for c in &ctrs {
            let (i, n) = c.name().as_str()[1..].split_once('-').unwrap();
            let (i, n): (usize, usize) = (i.parse().unwrap(), n.parse().unwrap());
            assert_eq!(c.status, final_status(i, n), "{}", c.name());
        }
        // Oldest first across processes: created = t(n, proc).
        let order: Vec<(i64, u32)> = ctrs
            .iter()
            .map(|c| {
                (
                    c.config.created.timestamp(),
                    c.config.created.timestamp_subsec_nanos(),
                )
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(store.events(None).await.unwrap().len(), PROCS * PER_PROC);
    });
}

const LOCK_PROCS: usize = 4;
const LOCK_ROUNDS: usize = 50;

/// Each round opens the store anew (as every CLI command does), takes the pod lock and
/// does a read-modify-write of a counter file that only the lock protects.
fn lock_child() {
    let dir = PathBuf::from(env(DIR));
    let pod_id = PodId::parse(&env(POD)).unwrap();
    let counter = dir.join("counter");
    block_on(async {
        for _ in 0..LOCK_ROUNDS {
            let store = SqliteStore::open(&dir.join("state")).unwrap();
            let lock = store.lock_pod(&pod_id).await.unwrap();
            let n: u64 = std::fs::read_to_string(&counter)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            // Widen the window a lost update would need.
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_micros(200));
            std::fs::write(&counter, (n + 1).to_string()).unwrap();
            drop(lock);
        }
    });
}

#[test]
fn processes_serialize_through_the_pod_lock() {
    if child_mode().as_deref() == Some("lock") {
        lock_child();
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("counter"), "0").unwrap();
    let pod_id = PodId::random();
    drop(SqliteStore::open(&tmp.path().join("state")).unwrap());
    let outputs = spawn_children(
        "processes_serialize_through_the_pod_lock",
        "lock",
        LOCK_PROCS,
        tmp.path(),
        &pod_id,
    );
    check_children(&outputs);
    let n: usize = std::fs::read_to_string(tmp.path().join("counter"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        n,
        LOCK_PROCS * LOCK_ROUNDS,
        "lost updates: the lock did not exclude"
    );
}
