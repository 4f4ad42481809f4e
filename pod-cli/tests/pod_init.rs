//! Init containers, exit policy and `--requires` ordering against real runc, after
//! podman's `test/e2e/pod_initcontainers_test.go`, `pod_create_test.go` (exit policy)
//! and `container_graph` behavior.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

#[test]
fn init_container_without_pod_fails() {
    let env = env_or_skip!();
    let rootfs = env.rootfs();
    let r = env.fails(
        &[
            "create",
            "--init-ctr",
            "always",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
    );
    assert_eq!(
        r.stderr,
        "Error: init containers must be created in a pod\n"
    );
}

#[test]
fn init_container_bad_type_fails() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    let rootfs = env.rootfs();
    env.fails(
        &[
            "create",
            "--init-ctr",
            "unknown",
            "--pod",
            "foobar",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
    );
}

#[test]
fn init_containers_do_not_degrade_pod_status() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    env.ctr("foobar", "top", &[], &["sleep", "1000"]);
    env.ctr("foobar", "init", &["--init-ctr", "always"], &["date"]);
    env.ok(&["pod", "start", "foobar"]);
    assert_eq!(env.pod_status("foobar"), "Running");
    // the always init container stays, exited
    assert_eq!(env.ctr_state("init"), "exited");
}

#[test]
fn init_container_in_running_pod_fails() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    env.ctr("foobar", "top", &[], &["sleep", "1000"]);
    env.ok(&["pod", "start", "foobar"]);
    let rootfs = env.rootfs();
    let r = env.fails(
        &[
            "create",
            "--init-ctr",
            "always",
            "--pod",
            "foobar",
            "--rootfs",
            &rootfs,
            "date",
        ],
        125,
    );
    assert_eq!(r.stderr, "Error: cannot add init-ctr to a running pod\n");
}

#[test]
fn init_container_runs_before_pod_containers() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    env.ctr(
        "foobar",
        "init",
        &["--init-ctr", "always"],
        &["sh", "-c", "echo initialized > /data/init-file"],
    );
    env.ctr(
        "foobar",
        "verify",
        &[],
        &["sh", "-c", "cat /data/init-file; sleep 1000"],
    );
    env.ok(&["pod", "start", "foobar"]);
    assert!(
        env.wait_until(Duration::from_secs(20), || env.ok(&["logs", "verify"])
            == "initialized")
    );
}

#[test]
fn once_init_container_is_removed() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    let init = env.ctr(
        "foobar",
        "init",
        &["--init-ctr", "once"],
        &["sh", "-c", "echo once >> /data/once-file"],
    );
    env.ctr("foobar", "verify", &[], &["sleep", "1000"]);
    env.ok(&["pod", "start", "foobar"]);
    env.fails(&["container", "exists", &init], 1);
    let file = env.rootfs_file("data/once-file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "once\n");
    // stop and start again: the init container does not run again
    env.ok(&["pod", "stop", "-t", "0", "foobar"]);
    env.ok(&["pod", "start", "foobar"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "once\n");
    assert_eq!(env.pod_status("foobar"), "Running");
}

#[test]
fn always_init_containers_always_run() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    env.ctr(
        "foobar",
        "init",
        &["--init-ctr", "always"],
        &["sh", "-c", "echo run >> /data/always-file"],
    );
    env.ctr("foobar", "verify", &[], &["sleep", "1000"]);
    env.ok(&["pod", "start", "foobar"]);
    let file = env.rootfs_file("data/always-file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "run\n");
    env.ok(&["pod", "stop", "-t", "0", "foobar"]);
    env.ok(&["pod", "start", "foobar"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "run\nrun\n");
    // restart reruns it too
    env.ok(&["pod", "restart", "foobar"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "run\nrun\nrun\n");
    env.ok(&["container", "exists", "init"]);
}

#[test]
fn failing_init_container_aborts_start() {
    let env = env_or_skip!();
    env.pod("foobar", &[]);
    env.ctr(
        "foobar",
        "badinit",
        &["--init-ctr", "always"],
        &["sh", "-c", "exit 3"],
    );
    env.ctr("foobar", "main", &[], &["sleep", "1000"]);
    let r = env.fails(&["pod", "start", "foobar"], 125);
    assert!(
        r.stderr
            .contains("init container badinit exited with code 3"),
        "{}",
        r.stderr
    );
    assert_ne!(env.ctr_state("main"), "running");
}

#[test]
fn exit_policy_stop_stops_pod_after_last_container() {
    let env = env_or_skip!();
    env.pod("ep", &["--exit-policy", "stop"]);
    env.ctr("ep", "short", &[], &["sleep", "1"]);
    env.ok(&["pod", "start", "ep"]);
    // no podctl process runs meanwhile: the monitor's exit command applies the policy
    let stopped = env.wait_until(Duration::from_secs(20), || {
        env.ok(&[
            "pod",
            "ps",
            "--filter",
            "name=^ep$",
            "--format",
            "{{.Status}}",
        ]) == "Exited"
    });
    assert!(stopped, "pod did not stop: {}", env.ok(&["pod", "ps"]));
    let infra = env.ok(&["pod", "inspect", "ep", "--format", "{{.InfraContainerID}}"]);
    assert_ne!(env.ctr_state(&infra), "running");
    assert!(env.wait_until(Duration::from_secs(20), || env
        .runtime_containers()
        .is_empty()));
}

#[test]
fn exit_policy_continue_keeps_infra_running() {
    let env = env_or_skip!();
    env.pod("ec", &[]);
    env.ctr("ec", "short", &[], &["true"]);
    env.ok(&["pod", "start", "ec"]);
    assert!(
        env.wait_until(Duration::from_secs(20), || env.ctr_state("short")
            == "exited")
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(env.pod_status("ec"), "Degraded");
    let infra = env.ok(&["pod", "inspect", "ec", "--format", "{{.InfraContainerID}}"]);
    assert_eq!(env.ctr_state(&infra), "running");
}

#[test]
fn requires_orders_start_and_stop() {
    let env = env_or_skip!();
    env.pod("dep", &[]);
    env.ctr("dep", "db", &[], &["sleep", "1000"]);
    env.ctr("dep", "app", &["--requires", "db"], &["sleep", "1000"]);
    env.ctr("dep", "web", &["--requires", "app,db"], &["sleep", "1000"]);
    let deps = env.ok(&["inspect", "web", "--format", "{{len .Dependencies}}"]);
    assert_eq!(deps, "2");
    env.ok(&["pod", "start", "dep"]);
    let t = |c: &str, f: &str| env.ok(&["inspect", c, "--format", f]);
    let started = |c: &str| t(c, "{{.State.StartedAt}}");
    // RFC 3339 UTC with fixed nanoseconds sorts as text
    assert!(started("db") <= started("app"), "db must start before app");
    assert!(
        started("app") <= started("web"),
        "app must start before web"
    );
    env.ok(&["pod", "stop", "-t", "0", "dep"]);
    let finished = |c: &str| t(c, "{{.State.FinishedAt}}");
    assert!(
        finished("web") <= finished("app"),
        "web must stop before app"
    );
    assert!(finished("app") <= finished("db"), "app must stop before db");
}

#[test]
fn requires_missing_or_outside_pod_is_refused() {
    let env = env_or_skip!();
    env.pod("p1", &[]);
    env.pod("p2", &[]);
    env.ctr("p1", "a", &[], &["sleep", "1000"]);
    let rootfs = env.rootfs();
    let r = env.fails(
        &[
            "create",
            "--pod",
            "p2",
            "--requires",
            "a",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
    );
    assert!(r.stderr.contains("which is not in pod p2"), "{}", r.stderr);
    let r = env.fails(
        &[
            "create",
            "--pod",
            "p1",
            "--requires",
            "nope",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
    );
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
}

#[test]
fn requires_self_is_a_cycle() {
    let env = env_or_skip!();
    env.pod("cyc", &[]);
    let rootfs = env.rootfs();
    let r = env.fails(
        &[
            "create",
            "--pod",
            "cyc",
            "--name",
            "selfish",
            "--requires",
            "selfish",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
    );
    assert!(r.stderr.starts_with("Error: "), "{}", r.stderr);
    env.fails(&["container", "exists", "selfish"], 1);
}

#[test]
fn container_start_starts_its_dependencies() {
    // as `podman start`: the dependencies of a container are started first
    let env = env_or_skip!();
    env.pod("d2", &["--infra=false"]);
    env.ctr("d2", "base", &[], &["sleep", "1000"]);
    env.ctr("d2", "top", &["--requires", "base"], &["sleep", "1000"]);
    assert_eq!(env.ok(&["start", "top"]), "top");
    assert_eq!(env.ctr_state("base"), "running");
    assert_eq!(env.ctr_state("top"), "running");
    assert_eq!(env.pod_status("d2"), "Running");
}

#[test]
fn failed_dependency_fails_dependents() {
    let env = env_or_skip!();
    env.pod("fd", &["--infra=false"]);
    // a command that cannot be executed: the runtime fails to start it
    env.ctr("fd", "broken", &[], &["/nonexistent-binary"]);
    env.ctr("fd", "after", &["--requires", "broken"], &["sleep", "1000"]);
    env.ctr("fd", "free", &[], &["sleep", "1000"]);
    let r = env.fails(&["pod", "start", "fd"], 125);
    assert!(r.stderr.contains("broken"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("a dependency of container after failed to start"),
        "{}",
        r.stderr
    );
    assert_eq!(env.ctr_state("free"), "running");
    assert_ne!(env.ctr_state("after"), "running");
}
