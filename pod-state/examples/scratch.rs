use std::time::Instant;
use pod_core::*;
fn main() {
    let c = ContainerConfig {
        id: ContainerId::random(), name: Name::parse("pod1-c1").unwrap(), pod: Some(PodId::random()),
        rootfs: Some("/srv/rootfs/busybox".into()), command: vec!["/bin/sleep".into(), "1000".into()],
        env: vec!["PATH=/usr/bin:/bin".into(), "TERM=xterm".into()], workdir: Some("/".into()), user: None,
        labels: Default::default(), stop_signal: Signal::TERM, stop_timeout: 10, dependencies: vec![],
        init_type: None, is_infra: false, restart_policy: RestartPolicy::No, created: chrono::Utc::now(),
        create_command: vec!["podctl".into(), "create".into()],
    };
    let s = serde_json::to_string(&c).unwrap();
    println!("{} bytes", s.len());
    let t = Instant::now();
    for _ in 0..10000 { let x: ContainerConfig = serde_json::from_str(&s).unwrap(); std::hint::black_box(x); }
    println!("json decode x10000: {:?}", t.elapsed());
    let dir = std::path::PathBuf::from("/tmp/scratch-db");
    let fresh = !dir.exists();
    let store = pod_state::SqliteStore::open(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    if fresh { rt.block_on(async {
        for i in 0..1000 {
            let mut p = PodConfig { id: PodId::random(), name: Name::parse(&format!("p{i}")).unwrap(), labels: Default::default(), hostname: "h".into(), created: chrono::Utc::now(), create_command: vec![], exit_policy: ExitPolicy::Continue, shared_namespaces: Default::default(), infra_container_id: None, cgroup_parent: "x".into() };
            p.labels.insert("a".into(), "b".into());
            store.add_pod(&p).await.unwrap();
            for j in 0..10 {
                let mut cc = c.clone(); cc.id = ContainerId::random(); cc.name = Name::parse(&format!("p{i}-c{j}")).unwrap(); cc.pod = Some(p.id.clone());
                let st = ContainerStatus { state: ContainerState::Running, pid: Some(5), started_at: Some(chrono::Utc::now()), ..Default::default() };
                store.add_container(&cc, &st).await.unwrap();
            }
        }
    }); }
    let conn = rusqlite::Connection::open(dir.join("state.db")).unwrap();
    for sql in ["SELECT c.id, c.config, s.state, s.pid, s.monitor_pid, s.exit_code, s.started_at, s.finished_at, s.oom_killed, s.error FROM containers c JOIN container_state s ON s.container_id = c.id ORDER BY c.created, c.id",
                "SELECT c.id, c.config FROM containers c ORDER BY c.created, c.id",
                "SELECT c.id, c.config FROM containers c"] {
        for _ in 0..3 {
            let t = Instant::now();
            let mut st = conn.prepare(sql).unwrap();
            let mut rows = st.query([]).unwrap();
            let mut n = 0usize;
            while let Some(r) = rows.next().unwrap() { n += r.get_ref(1).unwrap().as_str().unwrap().len(); }
            println!("{:?} raw {}", t.elapsed(), &sql[..30]);
            std::hint::black_box(n);
        }
    }
    for _ in 0..std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(3) {
        let t = Instant::now(); let c0 = cpu();
        let v = rt.block_on(store.list_containers()).unwrap();
        println!("list_containers {:?} cpu {:?} {}", t.elapsed(), cpu() - c0, v.len());
        let t = Instant::now(); let c0 = cpu();
        let v = rt.block_on(store.list_all()).unwrap();
        println!("list_all {:?} cpu {:?} {}", t.elapsed(), cpu() - c0, v.len());
    }
    let ts = format_time(&chrono::Utc::now());
    let t = Instant::now();
    for _ in 0..20000 { let x = chrono::DateTime::parse_from_rfc3339(std::hint::black_box(&ts)).unwrap(); std::hint::black_box(x); }
    println!("time parse x20000: {:?}", t.elapsed());
}

fn cpu() -> std::time::Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
