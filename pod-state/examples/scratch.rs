use std::time::Instant;
fn main() {
    let store = pod_state::SqliteStore::open(std::path::Path::new("/tmp/scratch-db")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    use pod_core::StateStore;
    for _ in 0..std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(3) {
        let t = Instant::now(); let c0 = cpu();
        let v = rt.block_on(store.list_containers()).unwrap();
        let (w1, c1) = (t.elapsed(), cpu() - c0);
        drop(v);
        let t = Instant::now(); let c0 = cpu();
        let v = rt.block_on(store.list_all()).unwrap();
        let (w2, c2) = (t.elapsed(), cpu() - c0);
        drop(v);
        let t = Instant::now(); let c0 = cpu();
        let v = rt.block_on(store.list_pods()).unwrap();
        let (w3, c3) = (t.elapsed(), cpu() - c0);
        println!("list_containers {w1:?} cpu {c1:?} | list_all {w2:?} cpu {c2:?} | list_pods {w3:?} cpu {c3:?} {}", v.len());
    }
}
fn cpu() -> std::time::Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
