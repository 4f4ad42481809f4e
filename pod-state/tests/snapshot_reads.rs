//! A list read while another connection (another podctl process) inserts containers
//! sees one consistent snapshot: never a container without its state row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use pod_core::{ContainerStatus, StateStore};
use pod_state::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_never_see_half_inserted_containers() {
    let dir = tempfile::tempdir().unwrap();
    // Two stores on one directory: two connections, as two processes have.
    let writer = SqliteStore::open(dir.path()).unwrap();
    let reader = SqliteStore::open(dir.path()).unwrap();
    let pod = common::pod("p");
    writer.add_pod(&pod).await.unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let w = tokio::spawn(async move {
        for i in 0..300 {
            let c = common::ctr(&format!("c{i}"), Some(&pod.id));
            writer
                .add_container(&c, &ContainerStatus::default())
                .await
                .unwrap();
        }
        d.store(true, Ordering::SeqCst);
    });
    let mut reads = 0;
    let mut last = 0;
    while !done.load(Ordering::SeqCst) {
        let all = reader.list_containers().await.expect("list_containers");
        assert!(all.len() >= last, "a list lost containers");
        last = all.len();
        let per_pod = reader.list_all().await.expect("list_all");
        let n: usize = per_pod.iter().map(|(_, c)| c.len()).sum();
        assert!(n >= last);
        reads += 1;
    }
    w.await.unwrap();
    assert_eq!(reader.list_containers().await.unwrap().len(), 300);
    assert!(reads > 0);
}
