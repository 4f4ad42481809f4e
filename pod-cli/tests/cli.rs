//! CLI surface tests that need no containers (and no root): config errors, clap errors,
//! completions, man page, argument checks done before any pod is looked up.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use assert_cmd::Command;
use predicates::prelude::*;

/// podctl with temp state dirs and an isolated config home.
fn podctl(dir: &tempfile::TempDir) -> Command {
    let mut c = Command::cargo_bin("podctl").expect("podctl binary");
    c.arg("--root")
        .arg(dir.path().join("root"))
        .arg("--runroot")
        .arg(dir.path().join("run"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .timeout(std::time::Duration::from_secs(60));
    c
}

#[test]
fn help_and_version_exit_zero() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("pod"));
    podctl(&d)
        .args(["pod", "create", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--exit-policy"));
    podctl(&d)
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("podctl"));
}

#[test]
fn unknown_flag_and_command_exit_125() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "start", "--bogus"])
        .assert()
        .code(125)
        .stderr(predicate::str::starts_with("Error: "));
    podctl(&d)
        .arg("frobnicate")
        .assert()
        .code(125)
        .stderr(predicate::str::starts_with("Error: "));
}

#[test]
fn bad_config_key_names_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("podctl.toml");
    std::fs::write(&cfg, "runtime = \"runc\"\nbogus_key = 1\n").unwrap();
    podctl(&d)
        .arg("--config")
        .arg(&cfg)
        .args(["pod", "ps"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains(format!(
            "Error: {}: line 2, column 1: unknown field `bogus_key`",
            cfg.display()
        )));
}

#[test]
fn bad_config_value_names_line() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("config/podctl");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("podctl.toml");
    // found through $XDG_CONFIG_HOME
    std::fs::write(&cfg, "\n\nstop_timeout = \"ten\"\n").unwrap();
    podctl(&d)
        .args(["pod", "ps"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains(format!(
            "{}: line 3, column 16",
            cfg.display()
        )));
}

#[test]
fn missing_explicit_config_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["--config", "/nonexistent/podctl.toml", "pod", "ps"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("/nonexistent/podctl.toml"));
}

#[test]
fn bad_log_level_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["--log-level", "loud", "pod", "ps"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("invalid log level"));
}

#[test]
fn completions_for_each_shell() {
    let d = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        podctl(&d)
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("podctl"));
    }
    podctl(&d).args(["completion", "tcsh"]).assert().code(125);
}

#[test]
fn man_page() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .arg("generate-man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH podctl"));
}

#[test]
fn bad_signal_fails_before_lookup() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "kill", "-s", "FOO", "no-such-pod"])
        .assert()
        .code(125)
        .stderr("Error: invalid signal: FOO\n");
    podctl(&d)
        .args(["kill", "--signal", "0", "no-such-ctr"])
        .assert()
        .code(125)
        .stderr("Error: invalid signal: 0\n");
}

#[test]
fn missing_rootfs_is_a_clear_error() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["create", "--rootfs", "/nonexistent/rootfs", "true"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains(
            "Error: rootfs /nonexistent/rootfs:",
        ));
}

#[test]
fn bad_template_is_a_clear_error() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "ps", "--format", "{{.Name"])
        .assert()
        .code(125)
        .stderr(predicate::str::starts_with("Error: template: "));
    podctl(&d)
        .args(["pod", "ps", "--format", "{{nosuchfunc .Name}}"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains(
            "function \"nosuchfunc\" not defined",
        ));
}

#[test]
fn ps_argument_errors() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "ps", "-q", "--format", "{{.ID}}"])
        .assert()
        .code(125)
        .stderr("Error: quiet and format cannot be used together\n");
    podctl(&d)
        .args(["pod", "ps", "--sort", "size"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("invalid option for --sort"));
    podctl(&d)
        .args(["pod", "ps", "--filter", "bogus=1"])
        .assert()
        .code(125)
        .stderr("Error: bogus is an invalid filter\n");
    podctl(&d)
        .args(["pod", "ps", "--filter", "status=sleepy"])
        .assert()
        .code(125)
        .stderr("Error: sleepy is not a valid pod status\n");
}

#[test]
fn bad_names_and_values_rejected() {
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "create", "--name", "../etc"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("invalid name"));
    podctl(&d)
        .args(["pod", "create", "--exit-policy", "sometimes"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("invalid pod exit policy"));
    podctl(&d)
        .args(["pod", "create", "--share", "ipc,bogus"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("bogus"));
    let rootfs = d.path().to_str().unwrap().to_owned();
    podctl(&d)
        .args([
            "create",
            "--init-ctr",
            "sometimes",
            "--rootfs",
            &rootfs,
            "true",
        ])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("init-ctr"));
}

#[test]
fn empty_store_listing() {
    // Opening a fresh state dir needs no container runtime.
    let d = tempfile::tempdir().unwrap();
    podctl(&d)
        .args(["pod", "ps"])
        .assert()
        .success()
        .stdout("POD ID      NAME        STATUS      CREATED     INFRA ID    # OF CONTAINERS\n");
    podctl(&d)
        .args(["pod", "ps", "--format", "json"])
        .assert()
        .success()
        .stdout("[]\n");
    podctl(&d)
        .args(["pod", "exists", "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
    podctl(&d).args(["exists", "nope"]).assert().code(1);
    podctl(&d)
        .args(["pod", "rm", "nope"])
        .assert()
        .code(1)
        .stderr("Error: no pod with name or ID nope found: no such pod\n");
    podctl(&d)
        .args(["pod", "rm", "--ignore", "nope"])
        .assert()
        .success();
    podctl(&d)
        .args(["pod", "start", "nope"])
        .assert()
        .code(125)
        .stderr("Error: no pod with name or ID nope found: no such pod\n");
    podctl(&d)
        .args(["pod", "start"])
        .assert()
        .code(125)
        .stderr(predicate::str::contains("at least one pod"));
}
