//! Reliability against real runc: many CLIs at once, the CLI killed in the middle of
//! `pod start` / `pod stop`, a killed monitor, and a broken environment (runtime missing
//! or failing, state dir read-only or full, catatonit missing).
//!
//! Every test checks what the CLI reports against what runc runs
//! ([`common::Env::inconsistencies`]) and that nothing is left in the runtime.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{eventually, process_gone, Env};

/// Generous bound for the state to settle after a kill (monitors finish their work).
const SETTLE: Duration = Duration::from_secs(60);

/// A container that ignores SIGTERM (`sleep` as pid 1 has no handler).
const SLEEPER: &[&str] = &["sleep", "1000"];

fn output_of(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A small deterministic generator (xorshift), one seed per worker.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One podctl run of a worker.
struct OpRecord {
    args: Vec<String>,
    code: i32,
    stderr: String,
}

/// Operations per worker; `PODCTL_RELIABILITY_OPS` overrides.
fn ops_per_worker() -> usize {
    std::env::var("PODCTL_RELIABILITY_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

#[test]
fn concurrent_clis_lose_nothing_and_never_see_a_locked_database() {
    let env = env_or_skip!();
    const WORKERS: usize = 8;
    let ops = ops_per_worker();
    env.pod("shared", &[]);
    for w in 0..WORKERS {
        env.pod(&format!("own{w}"), &[]);
    }
    let env = Arc::new(env);
    let created: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let records: Arc<Mutex<Vec<OpRecord>>> = Arc::default();
    let start = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let env = env.clone();
            let created = created.clone();
            let records = records.clone();
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((w as u64 + 1) * 0x1000_0001));
                let own = format!("own{w}");
                let rootfs = env.rootfs();
                let mut mine: Vec<String> = Vec::new();
                for _ in 0..ops {
                    // a container of this worker, or any worker's (it may not exist yet)
                    let some_ctr = |rng: &mut Rng, mine: &[String]| -> String {
                        if !mine.is_empty() && rng.below(4) != 0 {
                            mine[rng.below(mine.len())].clone()
                        } else {
                            format!("w{}-c{}", rng.below(WORKERS), rng.below(6))
                        }
                    };
                    let args: Vec<String> = match rng.below(10) {
                        0..=2 => {
                            let pod = if rng.below(2) == 0 {
                                "shared"
                            } else {
                                own.as_str()
                            };
                            let name = format!("w{w}-c{}", mine.len());
                            let mut a: Vec<String> =
                                ["create", "--pod", pod, "--name", &name, "--rootfs", &rootfs]
                                    .iter()
                                    .map(|s| s.to_string())
                                    .collect();
                            a.extend(SLEEPER.iter().map(|s| s.to_string()));
                            a
                        }
                        3 => vec!["start".into(), some_ctr(&mut rng, &mine)],
                        4 => vec![
                            "stop".into(),
                            "-t".into(),
                            "0".into(),
                            some_ctr(&mut rng, &mine),
                        ],
                        5 => vec!["kill".into(), some_ctr(&mut rng, &mine)],
                        6 => match rng.below(3) {
                            0 => vec!["inspect".into(), some_ctr(&mut rng, &mine)],
                            1 => vec!["pod".into(), "inspect".into(), "shared".into()],
                            _ => vec!["pod".into(), "inspect".into(), own.clone()],
                        },
                        7 => match rng.below(2) {
                            0 => vec!["ps".into(), "-a".into()],
                            _ => vec!["pod".into(), "ps".into()],
                        },
                        8 => match rng.below(3) {
                            0 => vec!["pod".into(), "start".into(), "shared".into()],
                            1 => vec!["pod".into(), "start".into(), own.clone()],
                            _ => vec!["pod".into(), "status".into(), own.clone()],
                        },
                        _ => match rng.below(3) {
                            0 => vec![
                                "pod".into(),
                                "stop".into(),
                                "-t".into(),
                                "0".into(),
                                own.clone(),
                            ],
                            1 => vec!["pod".into(), "kill".into(), own.clone()],
                            _ => vec!["pod".into(), "restart".into(), own.clone()],
                        },
                    };
                    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                    let out = env.std_cmd(&argv).output().expect("run podctl");
                    let (code, stdout, stderr) = output_of(&out);
                    if args[0] == "create" && code == 0 {
                        let name = args[4].clone();
                        created.lock().unwrap().push((
                            name.clone(),
                            stdout.trim().to_owned(),
                            args[2].clone(),
                        ));
                        mine.push(name);
                    }
                    records
                        .lock()
                        .unwrap()
                        .push(OpRecord { args, code, stderr });
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked");
    }
    eprintln!(
        "{} podctl runs by {WORKERS} processes at once in {:?}",
        WORKERS * ops,
        start.elapsed()
    );

    // No lock errors, no panics, only podman's exit codes, every error well-formed.
    let records = records.lock().unwrap();
    let mut messages: BTreeMap<String, usize> = BTreeMap::new();
    for r in records.iter() {
        let lower = r.stderr.to_lowercase();
        for bad in [
            "database is locked",
            "database table is locked",
            "database is busy",
            "sqlite_busy",
            "panicked",
            "state store task failed",
            "corrupt",
        ] {
            assert!(!lower.contains(bad), "{:?}: {bad}: {}", r.args, r.stderr);
        }
        assert!(
            r.code == 0 || r.code == 125,
            "{:?} exited {}: {}",
            r.args,
            r.code,
            r.stderr
        );
        if r.code != 0 {
            assert!(
                r.stderr.starts_with("Error: "),
                "{:?}: {}",
                r.args,
                r.stderr
            );
            let first = r.stderr.lines().next().unwrap_or("");
            let generic: String = first
                .split_whitespace()
                .map(|w| {
                    if w.len() > 20 || w.contains("-c") {
                        "X"
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            *messages.entry(generic).or_default() += 1;
        }
    }
    eprintln!("errors seen (legitimate races):");
    for (m, n) in &messages {
        eprintln!("  {n:4} {m}");
    }

    // Nothing lost, nothing duplicated.
    let created = created.lock().unwrap();
    let ps: serde_json::Value =
        serde_json::from_str(&env.ok(&["ps", "-a", "--format", "json"])).expect("ps json");
    let listed: Vec<(String, String, bool)> = ps
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["Id"].as_str().unwrap().to_owned(),
                c["Names"][0].as_str().unwrap().to_owned(),
                c["IsInfra"].as_bool().unwrap(),
            )
        })
        .collect();
    let ids: BTreeSet<&str> = listed.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids.len(), listed.len(), "an id is listed twice");
    let names: BTreeSet<&str> = listed.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(names.len(), listed.len(), "a name is listed twice");
    for (name, id, _) in created.iter() {
        assert!(ids.contains(id.as_str()), "created {name} ({id}) is lost");
        assert!(names.contains(name.as_str()), "created {name} is lost");
    }
    let infra = listed.iter().filter(|(_, _, infra)| *infra).count();
    assert_eq!(infra, WORKERS + 1, "one infra per pod");
    assert_eq!(
        listed.len(),
        created.len() + infra,
        "containers nobody created appeared"
    );
    // Each pod has what was created in it.
    let pods: serde_json::Value =
        serde_json::from_str(&env.ok(&["pod", "ps", "--format", "json"])).unwrap();
    for p in pods.as_array().unwrap() {
        let pod = p["Name"].as_str().unwrap();
        let want = created
            .iter()
            .filter(|(_, _, in_pod)| in_pod == pod)
            .count()
            + 1;
        assert_eq!(
            p["Containers"].as_array().unwrap().len(),
            want,
            "containers of pod {pod}"
        );
    }
    eprintln!(
        "{} containers created, {} listed",
        created.len(),
        listed.len()
    );

    // Running in the store ⇔ running in runc (exit commands of killed containers may
    // still be on their way: wait for them).
    let consistent = eventually(SETTLE, || env.inconsistencies().is_empty());
    assert!(consistent, "{:#?}", env.inconsistencies());

    // And everything can be removed, leaving nothing in the runtime.
    env.ok(&["pod", "rm", "-af", "-t", "0"]);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    let dirs = std::fs::read_dir(env.root.join("containers"))
        .unwrap()
        .count();
    assert_eq!(dirs, 0, "directories of removed containers are left");
    assert!(
        env.runtime_containers().is_empty(),
        "{:?}",
        env.runtime_containers()
    );
}

/// A pod `web` (with infra) of ten sleeping containers.
fn ten_container_pod(env: &Env, cmd: &[&str]) {
    env.pod("web", &[]);
    for i in 0..10 {
        env.ctr("web", &format!("c{i}"), &[], cmd);
    }
}

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.std_cmd(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn podctl")
}

fn sigkill(child: &mut Child) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let _ = child.wait();
}

fn count(states: &BTreeMap<String, String>, status: &str) -> usize {
    states.values().filter(|s| *s == status).count()
}

/// The reads agree with runc (after the monitors the killed CLI left have finished),
/// and `pod inspect` agrees with `ps`.
fn assert_truthful(env: &Env, when: &str) {
    let ok = eventually(SETTLE, || env.inconsistencies().is_empty());
    assert!(ok, "{when}: {:#?}", env.inconsistencies());
    let store = env.store_states();
    let inspect: serde_json::Value =
        serde_json::from_str(&env.ok(&["pod", "inspect", "web"])).unwrap();
    for c in inspect[0]["Containers"].as_array().unwrap() {
        let id = c["Id"].as_str().unwrap();
        let st = c["State"].as_str().unwrap();
        let want = store.get(id).map(String::as_str).unwrap_or("absent");
        // podman's pod inspect calls configured containers "created"
        let same = st == want || (st == "created" && want == "configured");
        assert!(
            same,
            "{when}: pod inspect says {st}, ps says {want} for {id}"
        );
    }
    let status = inspect[0]["State"].as_str().unwrap();
    let running = store.values().filter(|s| *s == "running").count();
    if running == store.len() {
        assert_eq!(status, "Running", "{when}");
    } else {
        assert_ne!(status, "Running", "{when}: {store:?}");
    }
}

/// Every pid in `pids` is gone (or a zombie).
fn assert_gone(pids: &BTreeSet<i32>, when: &str) {
    let ok = eventually(Duration::from_secs(30), || {
        pids.iter().all(|p| process_gone(*p))
    });
    let left: Vec<_> = pids.iter().filter(|p| !process_gone(**p)).collect();
    assert!(ok, "{when}: container processes left: {left:?}");
}

#[test]
fn sigkill_during_pod_start_then_truthful_reads_and_a_complete_start() {
    let env = env_or_skip!();
    ten_container_pod(&env, SLEEPER);
    let mut pids = BTreeSet::new();
    // Kill the CLI once k containers run in runc (11 with the infra); k = 0 kills it
    // right away, before anything ran.
    for k in [0usize, 1, 4, 8] {
        let when = format!("start killed after {k} running");
        let mut child = spawn(&env, &["pod", "start", "web"]);
        let end = Instant::now() + Duration::from_secs(60);
        while k > 0 && Instant::now() < end {
            let st = env.runtime_states();
            if count(&st, "running") >= k || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        sigkill(&mut child);
        pids.extend(env.runtime_pids());
        assert_truthful(&env, &when);
        pids.extend(env.runtime_pids());

        // The next start completes: everything runs, in the store and in runc.
        env.ok(&["pod", "start", "web"]);
        let store = env.store_states();
        assert_eq!(count(&store, "running"), 11, "{when}: {store:?}");
        let rt = env.runtime_states();
        assert_eq!(count(&rt, "running"), 11, "{when}: {rt:?}");
        assert_eq!(rt.len(), 11, "{when}: {rt:?}");
        assert_eq!(env.pod_status("web"), "Running");
        pids.extend(env.runtime_pids());

        env.ok(&["pod", "stop", "-t", "0", "web"]);
        assert!(
            env.inconsistencies().is_empty(),
            "{:?}",
            env.inconsistencies()
        );
        assert_eq!(count(&env.store_states(), "exited"), 11, "{when}");
    }
    env.ok(&["pod", "rm", "-f", "-t", "0", "web"]);
    assert!(env.runtime_containers().is_empty());
    assert_gone(&pids, "after rm");
}

#[test]
fn sigkill_during_pod_stop_then_truthful_reads_and_a_complete_stop() {
    let env = env_or_skip!();
    // SIGTERM is ignored: each stop waits its 2 s before SIGKILL, so the CLI is killed
    // before any signal, between SIGTERM and SIGKILL, and during the second wave.
    ten_container_pod(&env, SLEEPER);
    let mut pids = BTreeSet::new();
    for (delay_ms, next) in [
        (300u64, "stop"),
        (1500, "start"),
        (2600, "stop"),
        (100, "rm"),
    ] {
        let when = format!("stop killed after {delay_ms} ms, then {next}");
        env.ok(&["pod", "start", "web"]);
        pids.extend(env.runtime_pids());
        let mut child = spawn(&env, &["pod", "stop", "-t", "2", "web"]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        sigkill(&mut child);
        assert_truthful(&env, &when);

        match next {
            // The next stop completes: nothing runs.
            "stop" => {
                env.ok(&["pod", "stop", "-t", "0", "web"]);
                let store = env.store_states();
                assert_eq!(count(&store, "exited"), 11, "{when}: {store:?}");
                let rt = env.runtime_states();
                assert!(
                    rt.values().all(|s| s == "stopped"),
                    "{when}: runtime after stop {rt:?}"
                );
            }
            // A start after an interrupted stop completes (stopping ones are running).
            "start" => {
                env.ok(&["pod", "start", "web"]);
                assert_eq!(count(&env.store_states(), "running"), 11, "{when}");
                assert_eq!(count(&env.runtime_states(), "running"), 11, "{when}");
                env.ok(&["pod", "stop", "-t", "0", "web"]);
            }
            _ => {
                env.ok(&["pod", "rm", "-f", "-t", "0", "web"]);
                assert!(env.runtime_containers().is_empty(), "{when}");
            }
        }
        assert!(
            env.inconsistencies().is_empty(),
            "{:?}",
            env.inconsistencies()
        );
    }
    assert_gone(&pids, "after the last stop");
}

/// The monitor's pid: from its pid file, checked against its command line.
fn monitor_of(env: &Env, id: &str) -> i32 {
    let pid: i32 =
        std::fs::read_to_string(env.root.join("containers").join(id).join("monitor.pid"))
            .expect("monitor.pid")
            .trim()
            .parse()
            .expect("monitor pid");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("monitor cmdline");
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    assert!(
        args.contains(&&b"__monitor"[..]),
        "pid {pid} is not a monitor"
    );
    assert!(
        args.contains(&id.as_bytes()),
        "pid {pid} is not the monitor of {id}"
    );
    pid
}

fn kill_monitor(env: &Env, name: &str) -> (String, i32) {
    let id = env.ok(&["inspect", name, "--format", "{{.Id}}"]);
    let pid: i32 = env
        .ok(&["inspect", name, "--format", "{{.State.Pid}}"])
        .parse()
        .unwrap();
    assert!(pid > 0);
    let mon = monitor_of(env, &id);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(mon),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert!(eventually(Duration::from_secs(10), || process_gone(mon)));
    (id, pid)
}

fn assert_unknown(env: &Env, name: &str) {
    // detected at once, and still so later: never "running" forever
    for _ in 0..2 {
        let st = env.ok(&[
            "inspect",
            name,
            "--format",
            "{{.State.Status}} {{.State.Running}}",
        ]);
        assert_eq!(st, "unknown false", "{name}");
        let err = env.ok(&["inspect", name, "--format", "{{.State.Error}}"]);
        assert!(err.contains("monitor"), "{name}: {err}");
        std::thread::sleep(Duration::from_millis(300));
    }
    let ps = env.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(
        ps.lines().any(|l| l == format!("{name} Unknown")),
        "{name}: {ps}"
    );
}

#[test]
fn a_killed_monitor_is_reported_and_cleaned_up() {
    let env = env_or_skip!();
    env.pod("web", &[]);
    for n in ["a", "b", "c"] {
        env.ctr("web", n, &[], SLEEPER);
    }
    env.ctr("", "solo", &[], SLEEPER);
    env.ok(&["pod", "start", "web"]);
    env.ok(&["start", "solo"]);

    // pod stop cleans up a container whose monitor died
    let (a_id, a_pid) = kill_monitor(&env, "a");
    assert_unknown(&env, "a");
    assert_ne!(env.pod_status("web"), "Running");
    env.ok(&["pod", "stop", "-t", "0", "web"]);
    assert_eq!(env.ctr_state("a"), "exited");
    assert!(!env.runtime_containers().contains(&a_id));
    assert!(
        eventually(Duration::from_secs(30), || process_gone(a_pid)),
        "a still runs"
    );
    assert!(
        env.inconsistencies().is_empty(),
        "{:?}",
        env.inconsistencies()
    );

    // a start after that works (the container is re-created with a new monitor)
    env.ok(&["pod", "start", "web"]);
    assert_eq!(env.ctr_state("a"), "running");

    // pod rm -f cleans up another one
    let (b_id, b_pid) = kill_monitor(&env, "b");
    assert_unknown(&env, "b");
    let pids = env.runtime_pids();
    env.ok(&["pod", "rm", "-f", "-t", "0", "web"]);
    let left = env.runtime_containers();
    assert!(!left.contains(&b_id), "{left:?}");
    assert_eq!(left.len(), 1, "only solo is left: {left:?}");
    assert!(
        eventually(Duration::from_secs(30), || process_gone(b_pid)),
        "b still runs"
    );

    // and rm -f of a container outside any pod
    let (solo_id, solo_pid) = kill_monitor(&env, "solo");
    assert_unknown(&env, "solo");
    assert_eq!(env.ok(&["rm", "-f", "-t", "0", "solo"]), solo_id);
    assert!(env.runtime_containers().is_empty());
    assert!(eventually(Duration::from_secs(30), || process_gone(
        solo_pid
    )));
    assert_gone(&pids.into_iter().collect(), "after rm");
}

// ---- a broken environment ---------------------------------------------------------

/// What `pod ps` and `ps -a` say (the container directories are not compared here: a
/// failed runtime create may leave its bundle dir, which holds nothing of the state).
fn listing(env: &Env) -> (serde_json::Value, serde_json::Value) {
    let s = env.snapshot();
    (s.pods, s.ctrs)
}

/// `args` fail with exit 125 and a message holding `want`, changing nothing.
fn fails_cleanly(env: &Env, args: &[&str], want: &[&str]) {
    let before = listing(env);
    let rt_before = env.runtime_states();
    let r = env.run(args);
    assert_eq!(r.code, 125, "{args:?}: {}{}", r.stdout, r.stderr);
    assert!(r.stderr.starts_with("Error: "), "{args:?}: {}", r.stderr);
    for w in want {
        assert!(
            r.stderr.contains(w),
            "{args:?}: stderr lacks {w:?}: {}",
            r.stderr
        );
    }
    assert_eq!(listing(env), before, "{args:?} changed the state");
    assert_eq!(
        env.runtime_states(),
        rt_before,
        "{args:?} changed the runtime"
    );
}

/// Pod `p` never started (container `a`) and pod `q` running (container `qa`).
fn broken_env_fixture(env: &Env) {
    env.pod("p", &[]);
    env.ctr("p", "a", &[], SLEEPER);
    env.pod("q", &[]);
    env.ctr("q", "qa", &[], SLEEPER);
    env.ok(&["pod", "start", "q"]);
    env.ctr("", "solo", &[], SLEEPER);
}

#[test]
fn a_missing_or_failing_runtime_is_a_clear_error_and_changes_nothing() {
    let env = env_or_skip!();
    broken_env_fixture(&env);
    let script = env.dir.path().join("broken-runtime");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"broken-runtime: the disk is on fire\" >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = script.display().to_string();
    let missing = "/nonexistent/runc".to_owned();
    let cases: [(&str, &[&str]); 3] = [
        (
            missing.as_str(),
            &["/nonexistent/runc", "No such file or directory"],
        ),
        ("/bin/false", &["/bin/false", "exit"]),
        (script.as_str(), &["the disk is on fire"]),
    ];
    for (rt, want) in cases {
        for args in [
            vec!["pod", "start", "p"],
            vec!["start", "solo"],
            vec!["pod", "stop", "-t", "0", "q"],
            vec!["stop", "-t", "0", "qa"],
            vec!["pod", "kill", "q"],
            vec!["pod", "pause", "q"],
            vec!["pod", "restart", "q"],
            vec!["pod", "rm", "-f", "-t", "0", "q"],
        ] {
            let mut full = vec!["--runtime", rt];
            full.extend(args);
            fails_cleanly(&env, &full, want);
        }
    }
    // the real runtime still works on the untouched state
    env.ok(&["pod", "start", "p"]);
    env.ok(&["pod", "stop", "-t", "0", "p", "q"]);
    assert!(
        env.inconsistencies().is_empty(),
        "{:?}",
        env.inconsistencies()
    );
}

#[test]
fn a_missing_catatonit_is_a_clear_error_and_changes_nothing() {
    let env = env_or_skip!();
    broken_env_fixture(&env);
    let cfg = env.dir.path().join("no-catatonit.toml");
    let missing = env.dir.path().join("nowhere/catatonit");
    std::fs::write(
        &cfg,
        format!("catatonit = {:?}\n", missing.display().to_string()),
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    let missing = missing.display().to_string();
    fails_cleanly(
        &env,
        &["--config", &cfg, "pod", "start", "p"],
        &["catatonit", &missing],
    );
    // a running pod's infra is not restarted, so it is not needed there
    env.ok(&["--config", &cfg, "pod", "start", "q"]);
    env.ok(&["pod", "stop", "-t", "0", "q"]);
}

/// Unmounts on drop.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.0, nix::mount::MntFlags::MNT_DETACH);
    }
}

fn mount(
    src: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: nix::mount::MsFlags,
    data: Option<&str>,
) -> Result<Mount, String> {
    nix::mount::mount(src, target, fstype, flags, data)
        .map_err(|e| format!("mount on {}: {e}", target.display()))?;
    Ok(Mount(target.to_path_buf()))
}

#[test]
fn a_read_only_state_dir_is_a_clear_error_and_changes_nothing() {
    let env = env_or_skip!();
    broken_env_fixture(&env);
    env.ok(&["pod", "stop", "-t", "0", "q"]);
    let before = env.snapshot();
    use nix::mount::MsFlags;
    let bind = match mount(
        Some(env.root.to_str().unwrap()),
        &env.root,
        None,
        MsFlags::MS_BIND,
        None,
    ) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return;
        }
    };
    let ro = nix::mount::mount(
        None::<&str>,
        &env.root,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY,
        None::<&str>,
    );
    if let Err(e) = ro {
        eprintln!("SKIPPED: remount read-only: {e}");
        return;
    }
    let root = env.root.display().to_string();
    let rootfs = env.rootfs();
    for args in [
        vec!["pod", "create", "--name", "new"],
        vec![
            "create", "--pod", "p", "--name", "n", "--rootfs", &rootfs, "true",
        ],
        vec!["pod", "start", "p"],
        vec!["pod", "rm", "p"],
        vec!["pod", "ps"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 125, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("Error: ")
                && r.stderr.contains(&root)
                && r.stderr.contains("ead-only"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert!(env.runtime_states().values().all(|s| s == "stopped"));
    drop(bind);
    assert_eq!(env.snapshot(), before, "the state changed");
    env.ok(&["pod", "start", "p"]);
    env.ok(&["pod", "stop", "-t", "0", "p"]);
}

#[test]
fn a_full_state_dir_is_a_clear_error_and_changes_nothing() {
    let env = env_or_skip!();
    use nix::mount::MsFlags;
    std::fs::create_dir_all(&env.root).unwrap();
    let tmpfs = match mount(
        Some("tmpfs"),
        &env.root,
        Some("tmpfs"),
        MsFlags::empty(),
        Some("size=1m,mode=0700"),
    ) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return;
        }
    };
    env.pod("p", &["--infra=false"]);
    env.ctr("p", "a", &[], SLEEPER);
    let before = env.snapshot();
    // Fill the file system.
    let filler = env.root.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 << 10];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let root = env.root.display().to_string();
    let rootfs = env.rootfs();
    for args in [
        vec!["pod", "create", "--name", "new"],
        vec![
            "create", "--pod", "p", "--name", "n", "--rootfs", &rootfs, "true",
        ],
        vec!["pod", "rm", "p"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 125, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("Error: ") && r.stderr.contains(&root),
            "{args:?}: {}",
            r.stderr
        );
        let lower = r.stderr.to_lowercase();
        assert!(
            lower.contains("no space left") || lower.contains("disk is full"),
            "{args:?}: names the cause: {}",
            r.stderr
        );
    }
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(env.snapshot(), before, "the state changed");
    env.ok(&["pod", "rm", "p"]);
    drop(tmpfs);
}
