//! pod start / stop / kill / pause / unpause / restart against real runc, after podman's
//! `test/e2e/pod_{start,stop,kill,pause,restart}_test.go`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

/// Number of running containers (infra included).
fn running(env: &common::Env) -> usize {
    env.ok(&["ps", "-q"])
        .lines()
        .filter(|l| !l.is_empty())
        .count()
}

/// A pod with an infra container and one `sleep` container.
fn sleeping_pod(env: &common::Env, name: &str) -> String {
    let id = env.pod(name, &[]);
    env.ctr(name, &format!("{name}-top"), &[], &["sleep", "1000"]);
    id
}

// --- start -------------------------------------------------------------------------------

#[test]
fn pod_start_bogus_pod() {
    let env = env_or_skip!();
    let r = env.fails(&["pod", "start", "123"], 125);
    assert_eq!(
        r.stderr,
        "Error: no pod with name or ID 123 found: no such pod\n"
    );
}

#[test]
fn pod_start_single_empty_pod() {
    let env = env_or_skip!();
    let id = env.pod("empty", &["--infra=false"]);
    let r = env.fails(&["pod", "start", &id], 125);
    assert!(
        r.stderr
            .contains("no containers in pod empty have no dependencies, cannot start pod"),
        "{}",
        r.stderr
    );
}

#[test]
fn pod_start_single_pod_by_name() {
    let env = env_or_skip!();
    env.pod("foobar99", &[]);
    env.ctr("foobar99", "c1", &[], &["ls"]);
    // podctl prints the pod's name
    assert_eq!(env.ok(&["pod", "start", "foobar99"]), "foobar99");
}

#[test]
fn pod_start_infra_only_pod() {
    let env = env_or_skip!();
    env.pod("onlyinfra", &[]);
    env.ok(&["pod", "start", "onlyinfra"]);
    assert_eq!(running(&env), 1);
    assert_eq!(env.pod_status("onlyinfra"), "Running");
}

#[test]
fn pod_start_multiple_pods() {
    let env = env_or_skip!();
    let id1 = sleeping_pod(&env, "foobar99");
    let id2 = sleeping_pod(&env, "foobar100");
    let out = env.ok(&["pod", "start", &id1, &id2]);
    assert_eq!(out, "foobar99\nfoobar100");
    assert_eq!(running(&env), 4);
}

#[test]
fn pod_start_all_pods() {
    let env = env_or_skip!();
    sleeping_pod(&env, "foobar99");
    sleeping_pod(&env, "foobar100");
    env.ok(&["pod", "start", "--all"]);
    assert_eq!(running(&env), 4);
}

#[test]
fn pod_start_latest_pod() {
    let env = env_or_skip!();
    sleeping_pod(&env, "foobar99");
    sleeping_pod(&env, "foobar100");
    assert_eq!(env.ok(&["pod", "start", "--latest"]), "foobar100");
    assert_eq!(running(&env), 2);
    assert_eq!(env.pod_status("foobar99"), "Created");
}

#[test]
fn pod_start_multiple_pods_with_bogus() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "foobar99");
    let r = env.fails(&["pod", "start", &id, "doesnotexist"], 125);
    assert_eq!(r.out(), "foobar99");
    assert!(r.stderr.contains("doesnotexist"));
    assert_eq!(env.pod_status("foobar99"), "Running");
}

#[test]
fn pod_start_twice_is_fine() {
    let env = env_or_skip!();
    sleeping_pod(&env, "twice");
    env.ok(&["pod", "start", "twice"]);
    env.ok(&["pod", "start", "twice"]);
    assert_eq!(running(&env), 2);
}

// --- stop --------------------------------------------------------------------------------

#[test]
fn pod_stop_bogus_pod() {
    let env = env_or_skip!();
    env.fails(&["pod", "stop", "123"], 125);
}

#[test]
fn pod_stop_bogus_pod_ignore() {
    let env = env_or_skip!();
    let r = env.fails(&["pod", "stop", "--ignore", "123"], 0);
    assert_eq!(r.stdout, "");
}

#[test]
fn pod_stop_single_pod_by_name() {
    let env = env_or_skip!();
    sleeping_pod(&env, "foobar99");
    env.ok(&["pod", "start", "foobar99"]);
    assert_eq!(env.ok(&["pod", "stop", "-t", "0", "foobar99"]), "foobar99");
    assert_eq!(running(&env), 0);
    assert_eq!(env.pod_status("foobar99"), "Exited");
    // nothing is left in the runtime after a stop (cleanup follows it)
    assert!(
        env.runtime_containers().is_empty(),
        "{:?}",
        env.runtime_containers()
    );
}

#[test]
fn pod_stop_multiple_pods_and_all() {
    let env = env_or_skip!();
    sleeping_pod(&env, "p1");
    sleeping_pod(&env, "p2");
    sleeping_pod(&env, "p3");
    env.ok(&["pod", "start", "-a"]);
    assert_eq!(running(&env), 6);
    env.ok(&["pod", "stop", "-t", "0", "p1", "p2"]);
    assert_eq!(running(&env), 2);
    env.ok(&["pod", "stop", "-t", "0", "--all"]);
    assert_eq!(running(&env), 0);
}

#[test]
fn pod_stop_latest_pod() {
    let env = env_or_skip!();
    sleeping_pod(&env, "p1");
    sleeping_pod(&env, "p2");
    env.ok(&["pod", "start", "-a"]);
    assert_eq!(env.ok(&["pod", "stop", "-t", "0", "--latest"]), "p2");
    assert_eq!(env.pod_status("p1"), "Running");
    assert_eq!(env.pod_status("p2"), "Exited");
}

#[test]
fn pod_stop_multiple_pods_with_bogus() {
    let env = env_or_skip!();
    sleeping_pod(&env, "p1");
    env.ok(&["pod", "start", "p1"]);
    let r = env.fails(&["pod", "stop", "-t", "0", "p1", "bogus"], 125);
    assert_eq!(r.out(), "p1");
    assert_eq!(running(&env), 0);
    // --ignore skips the missing one
    sleeping_pod(&env, "p2");
    env.ok(&["pod", "start", "p2"]);
    env.ok(&["pod", "stop", "-t", "0", "--ignore", "p2", "bogus"]);
}

#[test]
fn pod_stop_already_stopped_pod() {
    let env = env_or_skip!();
    sleeping_pod(&env, "p1");
    env.ok(&["pod", "start", "p1"]);
    env.ok(&["pod", "stop", "-t", "0", "p1"]);
    assert_eq!(env.ok(&["pod", "stop", "p1"]), "p1");
}

#[test]
fn pod_stop_uses_stop_signal_before_timeout() {
    let env = env_or_skip!();
    env.pod("trap", &[]);
    // the container exits 7 on SIGINT, its stop signal
    env.ctr(
        "trap",
        "t",
        &["--stop-signal", "INT"],
        &[
            "sh",
            "-c",
            "trap 'echo caught; exit 7' INT; echo ready; while true; do sleep 0.1; done",
        ],
    );
    env.ok(&["pod", "start", "trap"]);
    assert!(env.wait_until(Duration::from_secs(20), || env
        .ok(&["logs", "t"])
        .contains("ready")));
    env.ok(&["pod", "stop", "-t", "30", "trap"]);
    assert_eq!(
        env.ok(&["inspect", "t", "--format", "{{.State.ExitCode}}"]),
        "7"
    );
    assert!(env.ok(&["logs", "t"]).contains("caught"));
}

#[test]
fn pod_stop_timeout_then_sigkill() {
    let env = env_or_skip!();
    env.pod("stubborn", &[]);
    env.ctr(
        "stubborn",
        "s",
        &[],
        &[
            "sh",
            "-c",
            "trap '' TERM; echo ready; while true; do sleep 0.1; done",
        ],
    );
    env.ok(&["pod", "start", "stubborn"]);
    assert!(env.wait_until(Duration::from_secs(20), || env
        .ok(&["logs", "s"])
        .contains("ready")));
    env.ok(&["pod", "stop", "-t", "1", "stubborn"]);
    assert_eq!(
        env.ok(&["inspect", "s", "--format", "{{.State.ExitCode}}"]),
        "137"
    );
}

// --- kill --------------------------------------------------------------------------------

#[test]
fn pod_kill_bogus() {
    let env = env_or_skip!();
    env.fails(&["pod", "kill", "foobar"], 125);
}

#[test]
fn pod_kill_by_id_and_name() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "k1");
    env.ok(&["pod", "start", "k1"]);
    // prints the full id
    assert_eq!(env.ok(&["pod", "kill", "k1"]), id);
    assert!(env.wait_until(Duration::from_secs(20), || running(&env) == 0));
    assert_eq!(
        env.ok(&["inspect", "k1-top", "--format", "{{.State.ExitCode}}"]),
        "137"
    );
}

#[test]
fn pod_kill_with_signal_name_and_number() {
    let env = env_or_skip!();
    env.pod("k2", &[]);
    env.ctr(
        "k2",
        "h",
        &[],
        &[
            "sh",
            "-c",
            "trap 'echo got-usr1' USR1; echo ready; while true; do sleep 0.1; done",
        ],
    );
    env.ok(&["pod", "start", "k2"]);
    assert!(env.wait_until(Duration::from_secs(20), || env
        .ok(&["logs", "h"])
        .contains("ready")));
    env.ok(&["pod", "kill", "-s", "SIGUSR1", "k2"]);
    assert!(env.wait_until(Duration::from_secs(20), || env
        .ok(&["logs", "h"])
        .contains("got-usr1")));
    // still running: USR1 is handled
    assert_eq!(env.ctr_state("h"), "running");
    env.ok(&["pod", "kill", "--signal", "9", "k2"]);
    assert!(env.wait_until(Duration::from_secs(20), || running(&env) == 0));
}

#[test]
fn pod_kill_bad_signal() {
    let env = env_or_skip!();
    sleeping_pod(&env, "k3");
    env.ok(&["pod", "start", "k3"]);
    let r = env.fails(&["pod", "kill", "-s", "bogus", "k3"], 125);
    assert_eq!(r.stderr, "Error: invalid signal: bogus\n");
    assert_eq!(running(&env), 2);
}

#[test]
fn pod_kill_all_and_latest() {
    let env = env_or_skip!();
    sleeping_pod(&env, "k4");
    sleeping_pod(&env, "k5");
    env.ok(&["pod", "start", "-a"]);
    env.ok(&["pod", "kill", "--latest"]);
    assert!(env.wait_until(Duration::from_secs(20), || running(&env) == 2));
    assert_eq!(env.pod_status("k4"), "Running");
    env.ok(&["pod", "kill", "-a"]);
    assert!(env.wait_until(Duration::from_secs(20), || running(&env) == 0));
}

// --- pause / unpause ---------------------------------------------------------------------

#[test]
fn pod_pause_bogus() {
    let env = env_or_skip!();
    env.fails(&["pod", "pause", "foobar"], 125);
    env.fails(&["pod", "unpause", "foobar"], 125);
}

#[test]
fn pod_pause_and_unpause() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "pz");
    env.ok(&["pod", "start", "pz"]);
    assert_eq!(env.ok(&["pod", "pause", "pz"]), id);
    assert_eq!(env.pod_status("pz"), "Paused");
    assert_eq!(env.ctr_state("pz-top"), "paused");
    assert_eq!(
        env.ok(&[
            "pod",
            "ps",
            "--format",
            "{{.Status}}",
            "--filter",
            "status=paused"
        ]),
        "Paused"
    );
    assert_eq!(env.ok(&["pod", "unpause", "pz"]), id);
    assert_eq!(env.pod_status("pz"), "Running");
    assert_eq!(env.ctr_state("pz-top"), "running");
}

#[test]
fn pod_unpause_running_pod_is_noop() {
    let env = env_or_skip!();
    sleeping_pod(&env, "pz");
    env.ok(&["pod", "start", "pz"]);
    env.ok(&["pod", "unpause", "pz"]);
    assert_eq!(env.pod_status("pz"), "Running");
}

#[test]
fn pod_stop_paused_pod() {
    let env = env_or_skip!();
    sleeping_pod(&env, "pz");
    env.ok(&["pod", "start", "pz"]);
    env.ok(&["pod", "pause", "pz"]);
    env.ok(&["pod", "stop", "-t", "0", "pz"]);
    assert_eq!(env.pod_status("pz"), "Exited");
}

#[test]
fn pod_pause_all() {
    let env = env_or_skip!();
    sleeping_pod(&env, "a1");
    sleeping_pod(&env, "a2");
    env.ok(&["pod", "start", "-a"]);
    env.ok(&["pod", "pause", "-a"]);
    assert_eq!(env.pod_status("a1"), "Paused");
    assert_eq!(env.pod_status("a2"), "Paused");
    env.ok(&["pod", "unpause", "--all"]);
    assert_eq!(env.pod_status("a1"), "Running");
    assert_eq!(env.pod_status("a2"), "Running");
}

// --- restart -----------------------------------------------------------------------------

fn started_at(env: &common::Env, ctr: &str) -> String {
    env.ok(&["inspect", ctr, "--format", "{{.State.StartedAt}}"])
}

#[test]
fn pod_restart_bogus() {
    let env = env_or_skip!();
    env.fails(&["pod", "restart", "123"], 125);
}

#[test]
fn pod_restart_running_pod() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "r1");
    env.ok(&["pod", "start", "r1"]);
    let before = started_at(&env, "r1-top");
    let pid_before = env.ok(&["inspect", "r1-top", "--format", "{{.State.Pid}}"]);
    assert_eq!(env.ok(&["pod", "restart", "r1"]), id);
    assert_eq!(env.pod_status("r1"), "Running");
    assert_ne!(started_at(&env, "r1-top"), before);
    assert_ne!(
        env.ok(&["inspect", "r1-top", "--format", "{{.State.Pid}}"]),
        pid_before
    );
    assert_eq!(running(&env), 2);
}

#[test]
fn pod_restart_stopped_pod() {
    let env = env_or_skip!();
    sleeping_pod(&env, "r2");
    env.ok(&["pod", "start", "r2"]);
    env.ok(&["pod", "stop", "-t", "0", "r2"]);
    env.ok(&["pod", "restart", "r2"]);
    assert_eq!(env.pod_status("r2"), "Running");
}

#[test]
fn pod_restart_all_and_latest() {
    let env = env_or_skip!();
    sleeping_pod(&env, "r3");
    sleeping_pod(&env, "r4");
    env.ok(&["pod", "start", "-a"]);
    let a = started_at(&env, "r3-top");
    let b = started_at(&env, "r4-top");
    env.ok(&["pod", "restart", "--latest"]);
    assert_eq!(started_at(&env, "r3-top"), a);
    assert_ne!(started_at(&env, "r4-top"), b);
    env.ok(&["pod", "restart", "-a"]);
    assert_ne!(started_at(&env, "r3-top"), a);
    assert_eq!(running(&env), 4);
}

#[test]
fn pod_restart_multiple_with_bogus() {
    let env = env_or_skip!();
    sleeping_pod(&env, "r5");
    env.ok(&["pod", "start", "r5"]);
    env.fails(&["pod", "restart", "r5", "bogus"], 125);
    assert_eq!(env.pod_status("r5"), "Running");
}
