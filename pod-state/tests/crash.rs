//! A process SIGKILLed in the middle of a write transaction (and while holding a pod
//! lock) leaves a database that opens and holds exactly the committed data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use pod_core::{ContainerState, Error, PodConfig, PodId, StateStore};
use pod_state::SqliteStore;

const CHILD: &str = "POD_STATE_CRASH_CHILD";
const DIR: &str = "POD_STATE_DIR";

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn committed_pod() -> PodConfig {
    let mut p = pod_with(PodId::parse(&id_from("c0")).unwrap(), "committed", t(0, 1));
    p.infra_container_id = Some(pod_core::ContainerId::parse(&id_from("1f")).unwrap());
    p
}

fn uncommitted_pod() -> PodConfig {
    pod_with(
        PodId::parse(&id_from("d0")).unwrap(),
        "uncommitted",
        t(1, 1),
    )
}

fn child(dir: &Path) {
    block_on(async {
        let store = SqliteStore::open(&dir.join("state")).unwrap();
        let p = committed_pod();
        store.add_pod(&p).await.unwrap();
        for i in 0..3 {
            let c = ctr(&format!("ctr{i}"), Some(&p.id));
            store.add_container(&c, &configured()).await.unwrap();
            store.set_status(&c.id, &full_status()).await.unwrap();
        }
        // Held until the process dies.
        let _lock = store.lock_pod(&p.id).await.unwrap();
        let marker = dir.join("in-transaction");
        // Enough uncommitted data (a few MB) that SQLite spills dirty pages into the
        // WAL before the commit that never comes.
        let mut pods = vec![uncommitted_pod()];
        for i in 0..1000 {
            let mut p = pod(&format!("bulk{i}"));
            p.labels.insert("pad".into(), "x".repeat(2000));
            pods.push(p);
        }
        store
            .debug_insert_uncommitted(&pods, || {
                std::fs::write(&marker, "").unwrap();
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
            .unwrap();
        unreachable!("the parent kills this process inside the transaction");
    });
}

#[test]
fn sigkill_inside_a_write_transaction_keeps_exactly_the_committed_data() {
    if let Ok(dir) = std::env::var(CHILD) {
        child(&PathBuf::from(dir));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut proc = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sigkill_inside_a_write_transaction_keeps_exactly_the_committed_data",
            "--nocapture",
        ])
        .env(CHILD, tmp.path())
        .env(DIR, tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let marker = tmp.path().join("in-transaction");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = proc.try_wait().unwrap() {
            let out = proc.wait_with_output().unwrap();
            panic!(
                "child exited early ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            Instant::now() < deadline,
            "child never reached the transaction"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let dir = tmp.path().join("state");
    let wal = std::fs::metadata(dir.join("state.db-wal")).unwrap().len();
    println!("WAL holds {wal} bytes of the open transaction");
    assert!(
        wal > 1_000_000,
        "uncommitted pages did not reach the WAL ({wal} bytes)"
    );
    block_on(async {
        // While the child holds its write transaction, readers are not blocked and do
        // not see its rows.
        let reader = SqliteStore::open(&dir).unwrap();
        let names: Vec<String> = reader
            .list_pods()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name.to_string())
            .collect();
        assert_eq!(names, ["committed"]);
    });

    proc.kill().unwrap(); // SIGKILL
    let status = proc.wait().unwrap();
    assert!(!status.success());

    block_on(async {
        let store = SqliteStore::open(&dir).unwrap();
        assert_eq!(store.list_pods().await.unwrap(), vec![committed_pod()]);
        match store.lookup_pod("uncommitted").await {
            Err(Error::NoSuchPod(_)) => {}
            other => panic!("uncommitted pod visible: {other:?}"),
        }
        let ctrs = store.pod_containers(&committed_pod().id).await.unwrap();
        assert_eq!(ctrs.len(), 3);
        for c in &ctrs {
            assert_eq!(c.status, full_status());
            assert_eq!(c.status.state, ContainerState::Exited);
        }
        // The dead process's pod lock is free.
        let lock =
            tokio::time::timeout(Duration::from_secs(30), store.lock_pod(&committed_pod().id))
                .await
                .expect("the killed process's lock must be released")
                .unwrap();
        drop(lock);
        // The database takes writes again, including the name that was never committed.
        store.add_pod(&uncommitted_pod()).await.unwrap();
        assert_eq!(store.list_pods().await.unwrap().len(), 2);
    });
    let conn = rusqlite::Connection::open(dir.join("state.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
