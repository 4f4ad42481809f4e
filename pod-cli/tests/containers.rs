//! Container commands against real runc: create / run / start / stop / kill / rm / ps /
//! inspect / logs / wait / exists / init / pause, after podman's `test/e2e/run_test.go`,
//! `logs_test.go`, `wait_test.go`, `rm_test.go` and `ps_test.go` cases that apply.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde_json::Value;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON ({e}): {s}"))
}

#[test]
fn create_prints_full_id_and_inspect_fields() {
    let env = env_or_skip!();
    let id = env.ctr(
        "",
        "c1",
        &[
            "-e",
            "A=1",
            "-w",
            "/tmp",
            "-u",
            "0:0",
            "--label",
            "k=v",
            "--stop-signal",
            "INT",
            "--stop-timeout",
            "3",
        ],
        &["sleep", "100"],
    );
    assert_eq!(id.len(), 64);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let v = json(&env.ok(&["inspect", "c1"]));
    let c = &v.as_array().expect("inspect prints an array")[0];
    assert_eq!(c["Id"], id.as_str());
    assert_eq!(c["Name"], "c1");
    assert_eq!(c["Path"], "sleep");
    assert_eq!(c["Args"], serde_json::json!(["100"]));
    let status = c["State"]["Status"].as_str().unwrap();
    assert!(status == "configured" || status == "created", "{status}");
    assert_eq!(c["State"]["Running"], false);
    assert_eq!(c["Config"]["Cmd"], serde_json::json!(["sleep", "100"]));
    assert!(c["Config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "A=1"));
    assert_eq!(c["Config"]["WorkingDir"], "/tmp");
    assert_eq!(c["Config"]["User"], "0:0");
    assert_eq!(c["Config"]["Labels"]["k"], "v");
    assert_eq!(c["Config"]["StopSignal"].as_str().unwrap(), "SIGINT");
    assert_eq!(c["Config"]["StopTimeout"], 3);
    assert_eq!(c["IsInfra"], false);
    assert_eq!(c["Pod"], "");
}

#[test]
fn create_duplicate_name_fails() {
    let env = env_or_skip!();
    env.ctr("", "dup", &[], &["true"]);
    let rootfs = env.rootfs();
    let r = env.fails(
        &["create", "--name", "dup", "--rootfs", &rootfs, "true"],
        125,
    );
    assert!(r.stderr.contains("already in use"), "{}", r.stderr);
}

#[test]
fn create_in_missing_pod_fails() {
    let env = env_or_skip!();
    let rootfs = env.rootfs();
    let r = env.fails(
        &["create", "--pod", "nopod", "--rootfs", &rootfs, "true"],
        125,
    );
    assert!(r.stderr.contains("no such pod"), "{}", r.stderr);
}

#[test]
fn run_prints_output_and_exit_code() {
    let env = env_or_skip!();
    let rootfs = env.rootfs();
    let r = env.run(&[
        "run",
        "--name",
        "r1",
        "--rootfs",
        &rootfs,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");
    assert_eq!(env.ctr_state("r1"), "exited");
    assert_eq!(
        env.ok(&["inspect", "r1", "--format", "{{.State.ExitCode}}"]),
        "3"
    );
    assert!(env.ok(&["ps", "-a"]).contains("Exited (3)"));
}

#[test]
fn run_env_workdir_user() {
    let env = env_or_skip!();
    let rootfs = env.rootfs();
    let out = env.ok(&["run", "--rm", "-e", "FOO=bar", "--rootfs", &rootfs, "env"]);
    assert!(out.lines().any(|l| l == "FOO=bar"), "{out}");
    let out = env.ok(&["run", "--rm", "-w", "/tmp", "--rootfs", &rootfs, "pwd"]);
    assert_eq!(out, "/tmp");
    let out = env.ok(&[
        "run",
        "--rm",
        "-u",
        "1:2",
        "--rootfs",
        &rootfs,
        "sh",
        "-c",
        "id -u; id -g",
    ]);
    assert_eq!(out, "1\n2");
}

#[test]
fn run_detached_and_rm() {
    let env = env_or_skip!();
    let rootfs = env.rootfs();
    let id = env.ok(&[
        "run", "-d", "--name", "bg", "--rootfs", &rootfs, "sleep", "1000",
    ]);
    assert_eq!(id.len(), 64);
    assert_eq!(env.ctr_state("bg"), "running");
    assert_eq!(env.ok(&["ps", "-q"]), &id[..12]);
    assert_eq!(env.ok(&["ps", "-q", "--no-trunc"]), id);
    env.ok(&["run", "--rm", "--name", "gone", "--rootfs", &rootfs, "true"]);
    env.fails(&["container", "exists", "gone"], 1);
}

#[test]
fn start_stop_kill_rm_standalone() {
    let env = env_or_skip!();
    let id = env.ctr("", "s1", &[], &["sleep", "1000"]);
    assert_eq!(env.ok(&["start", "s1"]), "s1");
    assert_eq!(env.ctr_state("s1"), "running");
    assert_eq!(env.ok(&["stop", "-t", "0", "s1"]), "s1");
    assert_eq!(env.ctr_state("s1"), "exited");
    env.ok(&["container", "start", "s1"]);
    assert_eq!(env.ok(&["kill", "s1"]), "s1");
    assert!(env.wait_until(Duration::from_secs(20), || env.ctr_state("s1") != "running"));
    assert_eq!(env.ok(&["rm", "s1"]), id);
    env.fails(&["exists", "s1"], 1);
}

#[test]
fn rm_running_needs_force_and_missing_exits_1() {
    let env = env_or_skip!();
    let id = env.ctr("", "busy", &[], &["sleep", "1000"]);
    env.ok(&["start", "busy"]);
    let r = env.fails(&["rm", "busy"], 125);
    assert!(r.stderr.contains("cannot remove container"), "{}", r.stderr);
    assert_eq!(env.ok(&["rm", "-f", "-t", "0", "busy"]), id);
    env.fails(&["rm", "busy"], 1);
    env.fails(&["rm", "--ignore", "busy"], 0);
    assert!(env.runtime_containers().is_empty());
}

#[test]
fn start_and_stop_bogus() {
    let env = env_or_skip!();
    let r = env.fails(&["start", "bogus"], 125);
    assert_eq!(
        r.stderr,
        "Error: no container with name or ID \"bogus\" found: no such container\n"
    );
    env.fails(&["stop", "bogus"], 125);
    env.fails(&["stop", "--ignore", "bogus"], 0);
}

#[test]
fn wait_prints_exit_code() {
    let env = env_or_skip!();
    env.ctr("", "w1", &[], &["sh", "-c", "sleep 1; exit 42"]);
    env.ok(&["start", "w1"]);
    assert_eq!(env.ok(&["wait", "w1"]), "42");
    // waiting on an exited container returns at once
    assert_eq!(env.ok(&["wait", "w1"]), "42");
    env.fails(&["wait", "bogus"], 125);
}

#[test]
fn logs_streams_tail_timestamps() {
    let env = env_or_skip!();
    env.ctr(
        "",
        "l1",
        &[],
        &["sh", "-c", "echo one; echo two; echo three; echo oops >&2"],
    );
    env.ok(&["start", "l1"]);
    env.ok(&["wait", "l1"]);
    let r = env.run(&["logs", "l1"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "one\ntwo\nthree\n");
    assert_eq!(r.stderr, "oops\n");
    let r = env.run(&["logs", "--tail", "2", "l1"]);
    assert_eq!(r.stdout, "three\n");
    assert_eq!(r.stderr, "oops\n");
    let r = env.run(&["logs", "--tail", "0", "l1"]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    let r = env.run(&["logs", "-t", "l1"]);
    let first = r.stdout.lines().next().unwrap();
    let (ts, text) = first.split_once(' ').unwrap();
    assert!(ts.ends_with('Z') && ts.contains('T'), "{first}");
    assert_eq!(text, "one");
    env.fails(&["logs", "bogus"], 125);
}

#[test]
fn logs_follow_until_exit() {
    let env = env_or_skip!();
    env.ctr(
        "",
        "f1",
        &[],
        &[
            "sh",
            "-c",
            "for i in 1 2 3; do echo line$i; sleep 0.3; done",
        ],
    );
    env.ok(&["start", "f1"]);
    let out = env.ok(&["logs", "-f", "f1"]);
    assert_eq!(out, "line1\nline2\nline3");
}

#[test]
fn pod_logs_prefix_and_container_filter() {
    let env = env_or_skip!();
    env.pod("lp", &[]);
    let a = env.ctr("lp", "la", &[], &["sh", "-c", "echo from-a"]);
    let b = env.ctr("lp", "lb", &[], &["sh", "-c", "echo from-b"]);
    env.ok(&["pod", "start", "lp"]);
    env.ok(&["wait", "la", "lb"]);
    let out = env.ok(&["pod", "logs", "lp"]);
    assert!(
        out.lines().any(|l| l == format!("{} from-a", &a[..12])),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l == format!("{} from-b", &b[..12])),
        "{out}"
    );
    assert_eq!(env.ok(&["pod", "logs", "-c", "lb", "lp"]), "from-b");
    let out = env.ok(&["pod", "logs", "--names", "lp"]);
    assert!(out.lines().any(|l| l == "la from-a"), "{out}");
    env.fails(&["pod", "logs", "-c", "nope", "lp"], 125);
    env.fails(&["pod", "logs", "bogus"], 125);
}

#[test]
fn ps_columns_all_and_pod() {
    let env = env_or_skip!();
    env.pod("pp", &["--infra=false"]);
    let id = env.ctr("pp", "c1", &[], &["sleep", "1000"]);
    // not running: only with -a
    assert_eq!(env.ok(&["ps", "-q"]), "");
    let out = env.ok(&["ps", "-a"]);
    let lines: Vec<&str> = out.lines().collect();
    let header: Vec<&str> = lines[0]
        .split("  ")
        .filter(|s| !s.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        vec![
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES"
        ]
    );
    assert!(lines[1].starts_with(&id[..12]), "{out}");
    assert!(lines[1].contains(&env.rootfs()), "{out}");
    assert!(
        lines[1].contains("sleep 1000") && lines[1].contains("Created"),
        "{out}"
    );
    env.ok(&["pod", "start", "pp"]);
    let out = env.ok(&["ps", "--pod"]);
    assert!(out.lines().next().unwrap().contains("PODNAME"), "{out}");
    assert!(out.contains("pp") && out.contains("Up "), "{out}");
    assert_eq!(
        env.ok(&["ps", "--format", "{{.Names}} {{.State}} {{.PodName}}"]),
        "c1 running pp"
    );
    let v = json(&env.ok(&["ps", "--format", "json"]));
    assert_eq!(v[0]["Names"][0], "c1");
    assert_eq!(v[0]["State"], "running");
    assert_eq!(
        env.ok(&["ps", "-a", "--filter", "pod=pp", "--format", "{{.Names}}"]),
        "c1"
    );
    assert_eq!(env.ok(&["ps", "-a", "--filter", "name=nomatch", "-q"]), "");
}

#[test]
fn container_exists() {
    let env = env_or_skip!();
    let id = env.ctr("", "ex", &[], &["true"]);
    let r = env.fails(&["container", "exists", "ex"], 0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    env.fails(&["exists", &id[..12]], 0);
    env.fails(&["exists", "nope"], 1);
}

#[test]
fn init_then_start() {
    let env = env_or_skip!();
    env.ctr("", "i1", &[], &["sleep", "1000"]);
    assert_eq!(env.ok(&["init", "i1"]), "i1");
    assert_eq!(env.ctr_state("i1"), "created");
    env.ok(&["start", "i1"]);
    assert_eq!(env.ctr_state("i1"), "running");
}

#[test]
fn pause_unpause_container() {
    let env = env_or_skip!();
    env.ctr("", "pz", &[], &["sleep", "1000"]);
    env.ok(&["start", "pz"]);
    assert_eq!(env.ok(&["pause", "pz"]), "pz");
    assert_eq!(env.ctr_state("pz"), "paused");
    assert_eq!(env.ok(&["unpause", "pz"]), "pz");
    assert_eq!(env.ctr_state("pz"), "running");
}

#[test]
fn top_level_inspect_falls_back_to_pods() {
    let env = env_or_skip!();
    env.pod("ip", &["--infra=false"]);
    assert_eq!(env.ok(&["inspect", "ip", "--format", "{{.Name}}"]), "ip");
    env.fails(&["container", "inspect", "ip"], 125);
    let r = env.fails(&["inspect", "nothing"], 125);
    assert!(r.stderr.contains("no such object"), "{}", r.stderr);
}

#[test]
fn config_file_default_stop_timeout() {
    let env = env_or_skip!();
    let cfg = env.dir.path().join("podctl.toml");
    std::fs::write(&cfg, "stop_timeout = 4\n").unwrap();
    let rootfs = env.rootfs();
    let cfg_s = cfg.display().to_string();
    env.ok(&[
        "--config", &cfg_s, "create", "--name", "st", "--rootfs", &rootfs, "true",
    ]);
    assert_eq!(
        env.ok(&["inspect", "st", "--format", "{{.Config.StopTimeout}}"]),
        "4"
    );
}
