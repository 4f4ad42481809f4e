//! pod rm / prune / exists against real runc, after podman's `test/e2e/pod_rm_test.go`,
//! `pod_prune_test.go` and `pod_exists_test.go`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

fn sleeping_pod(env: &common::Env, name: &str) -> String {
    let id = env.pod(name, &[]);
    env.ctr(name, &format!("{name}-top"), &[], &["sleep", "1000"]);
    id
}

#[test]
fn pod_rm_empty_pod() {
    let env = env_or_skip!();
    let id = env.pod("empty", &["--infra=false"]);
    assert_eq!(env.ok(&["pod", "rm", "empty"]), id);
    env.fails(&["pod", "exists", "empty"], 1);
}

#[test]
fn pod_rm_stopped_pod_removes_containers() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "p1");
    env.ok(&["pod", "start", "p1"]);
    env.ok(&["pod", "stop", "-t", "0", "p1"]);
    assert_eq!(env.ok(&["pod", "rm", &id[..12]]), id);
    env.fails(&["pod", "exists", "p1"], 1);
    env.fails(&["exists", "p1-top"], 1);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn pod_rm_created_pod_with_containers() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "never-started");
    assert_eq!(env.ok(&["pod", "rm", "never-started"]), id);
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn pod_rm_running_pod_needs_force() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "p2");
    env.ok(&["pod", "start", "p2"]);
    let r = env.fails(&["pod", "rm", "p2"], 125);
    assert!(
        r.stderr
            .contains("cannot remove pod with running containers without force"),
        "{}",
        r.stderr
    );
    assert_eq!(env.pod_status("p2"), "Running");
    assert_eq!(env.ok(&["pod", "rm", "-f", "-t", "0", "p2"]), id);
    env.fails(&["pod", "exists", "p2"], 1);
    // nothing left in the runtime
    assert!(
        env.runtime_containers().is_empty(),
        "{:?}",
        env.runtime_containers()
    );
}

#[test]
fn pod_rm_bogus_exits_1() {
    let env = env_or_skip!();
    let r = env.fails(&["pod", "rm", "bogus"], 1);
    assert_eq!(
        r.stderr,
        "Error: no pod with name or ID bogus found: no such pod\n"
    );
    let r = env.fails(&["pod", "rm", "--ignore", "bogus"], 0);
    assert_eq!(r.stdout, "");
}

#[test]
fn pod_rm_bogus_and_real_pod() {
    let env = env_or_skip!();
    let id = env.pod("real", &["--infra=false"]);
    let r = env.fails(&["pod", "rm", "bogus", "real"], 1);
    assert_eq!(r.out(), id);
    env.fails(&["pod", "exists", "real"], 1);
    let id = env.pod("real2", &["--infra=false"]);
    assert_eq!(env.ok(&["pod", "rm", "-i", "bogus", "real2"]), id);
}

#[test]
fn pod_rm_all() {
    let env = env_or_skip!();
    let a = env.pod("a", &["--infra=false"]);
    let b = env.pod("b", &["--infra=false"]);
    let out = env.ok(&["pod", "rm", "-a"]);
    assert!(out.contains(&a) && out.contains(&b), "{out}");
    assert_eq!(env.ok(&["pod", "ps", "-q"]), "");
    // -a with nothing left is fine
    env.ok(&["pod", "rm", "-a"]);
}

#[test]
fn pod_rm_all_with_running_pod_needs_force() {
    let env = env_or_skip!();
    sleeping_pod(&env, "run");
    env.pod("idle", &["--infra=false"]);
    env.ok(&["pod", "start", "run"]);
    env.fails(&["pod", "rm", "-a"], 125);
    // the idle pod is removed, the running one stays
    env.fails(&["pod", "exists", "idle"], 1);
    env.ok(&["pod", "exists", "run"]);
    env.ok(&["pod", "rm", "-fa", "-t", "0"]);
    assert_eq!(env.ok(&["pod", "ps", "-q"]), "");
    assert!(env.runtime_containers().is_empty());
}

#[test]
fn pod_rm_latest() {
    let env = env_or_skip!();
    env.pod("first", &["--infra=false"]);
    let second = env.pod("second", &["--infra=false"]);
    assert_eq!(env.ok(&["pod", "rm", "--latest"]), second);
    env.ok(&["pod", "exists", "first"]);
}

#[test]
fn pod_exists() {
    let env = env_or_skip!();
    let id = env.pod("here", &["--infra=false"]);
    let r = env.fails(&["pod", "exists", "here"], 0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    env.fails(&["pod", "exists", &id], 0);
    env.fails(&["pod", "exists", &id[..10]], 0);
    let r = env.fails(&["pod", "exists", "nothere"], 1);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
}

#[test]
fn pod_prune_removes_only_stopped_pods() {
    let env = env_or_skip!();
    sleeping_pod(&env, "running");
    let stopped = sleeping_pod(&env, "stopped");
    env.ok(&["pod", "start", "-a"]);
    env.ok(&["pod", "stop", "-t", "0", "stopped"]);
    assert_eq!(env.ok(&["pod", "prune", "-f"]), stopped);
    env.fails(&["pod", "exists", "stopped"], 1);
    env.ok(&["pod", "exists", "running"]);
}

#[test]
fn pod_prune_asks_for_confirmation() {
    let env = env_or_skip!();
    sleeping_pod(&env, "st");
    env.ok(&["pod", "start", "st"]);
    env.ok(&["pod", "stop", "-t", "0", "st"]);
    // "no" (and end of input) keeps everything
    let r = env.run_stdin(&["pod", "prune"], "n\n");
    assert_eq!(r.code, 0);
    assert!(r
        .stderr
        .contains("Are you sure you want to continue? [y/N]"));
    env.ok(&["pod", "exists", "st"]);
    let r = env.run_stdin(&["pod", "prune"], "");
    assert_eq!(r.code, 0);
    env.ok(&["pod", "exists", "st"]);
    // "y" prunes
    let r = env.run_stdin(&["pod", "prune"], "y\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.fails(&["pod", "exists", "st"], 1);
}

#[test]
fn pod_prune_nothing_to_prune() {
    let env = env_or_skip!();
    env.pod("created", &["--infra=false"]);
    assert_eq!(env.ok(&["pod", "prune", "--force"]), "");
    env.ok(&["pod", "exists", "created"]);
}
