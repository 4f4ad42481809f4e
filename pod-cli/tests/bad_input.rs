//! Bad input, one test each: every one fails with a clear message and podman's exit code
//! (125; 1 for `rm` of something missing), and leaves the state as it was (`pod ps`,
//! `ps -a` and the container directories compared before and after).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::Env;

/// Two pods: `p` (infra, container `a`) and `q` (infra, container `qa`); nothing runs.
fn fixture(env: &Env) {
    env.pod("p", &[]);
    env.ctr("p", "a", &[], &["sleep", "100"]);
    env.pod("q", &[]);
    env.ctr("q", "qa", &[], &["sleep", "100"]);
}

/// Runs podctl, asserting the exit code, that stderr is one `Error: ` message holding
/// every `want` piece, and that the state did not change.
fn refused(env: &Env, args: &[&str], code: i32, want: &[&str]) -> String {
    let before = env.snapshot();
    let r = env.run(args);
    assert_eq!(
        r.code, code,
        "podctl {args:?}: want exit {code}, got {}\nstdout: {}\nstderr: {}",
        r.code, r.stdout, r.stderr
    );
    assert!(
        r.stderr.starts_with("Error: "),
        "podctl {args:?}: {}",
        r.stderr
    );
    for w in want {
        assert!(
            r.stderr.contains(w),
            "podctl {args:?}: stderr lacks {w:?}:\n{}",
            r.stderr
        );
    }
    assert!(
        !r.stderr.contains("panicked"),
        "podctl {args:?}: {}",
        r.stderr
    );
    assert_eq!(env.snapshot(), before, "podctl {args:?} changed the state");
    r.stderr
}

const NAME_RULE: &str = "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*";

#[test]
fn name_with_a_slash() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    for name in ["a/b", "/abs", "x/../../etc"] {
        let e = refused(&env, &["pod", "create", "--name", name], 125, &[NAME_RULE]);
        assert!(e.contains(&format!("{name:?}")), "names the name: {e}");
        refused(
            &env,
            &["create", "--name", name, "--rootfs", &rootfs, "true"],
            125,
            &[NAME_RULE],
        );
        refused(
            &env,
            &["pod", "create", "--name", "ok", "--infra-name", name],
            125,
            &[NAME_RULE],
        );
    }
    // Nothing was created outside the state dir either.
    assert!(!env.dir.path().join("etc").exists());
}

#[test]
fn name_dot_dot() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    for name in ["..", ".", "../x", ".hidden", "-flag-like"] {
        let flag = format!("--name={name}");
        refused(&env, &["pod", "create", &flag], 125, &[NAME_RULE]);
        refused(
            &env,
            &["create", "--name", name, "--rootfs", &rootfs, "true"],
            125,
            &[NAME_RULE],
        );
    }
}

/// A NUL byte cannot travel through argv (execve ends the string there), so names with
/// NUL are covered by pod-core's unit test
/// `names_with_nul_or_path_parts_are_refused_everywhere`. Here: NUL reaches podctl
/// through the config file, in the paths it holds.
#[test]
fn nul_byte_through_the_config_file() {
    let env = env_or_skip!();
    fixture(&env);
    for key in ["root", "runroot", "runtime", "catatonit"] {
        let cfg = env.dir.path().join(format!("nul-{key}.toml"));
        std::fs::write(&cfg, format!("{key} = \"/tmp/a\\u0000b\"\n")).unwrap();
        let cfg = cfg.display().to_string();
        let e = refused(
            &env,
            &["--config", &cfg, "pod", "start", "p"],
            125,
            &[
                &cfg,
                "line 1",
                &format!("{key} must not contain a NUL byte"),
            ],
        );
        assert!(!e.contains('\0'), "the NUL is not printed raw: {e:?}");
    }
    // And the test's state is untouched.
    assert_eq!(env.ctr_state("a"), "configured");
}

#[test]
fn name_of_300_characters() {
    let env = env_or_skip!();
    fixture(&env);
    let long = "n".repeat(300);
    refused(
        &env,
        &["pod", "create", "--name", &long],
        125,
        &[NAME_RULE, "at most 253 characters"],
    );
    let rootfs = env.rootfs();
    refused(
        &env,
        &["create", "--name", &long, "--rootfs", &rootfs, "true"],
        125,
        &[NAME_RULE],
    );
    // 253 is the limit and works.
    let ok = "n".repeat(253);
    env.pod(&ok, &["--infra=false"]);
    env.ok(&["pod", "rm", &ok]);
}

#[test]
fn unicode_names() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    for name in [
        "héllo",
        "日本",
        "pod\u{202e}txt",
        "a\u{0301}",
        "web\u{200b}",
    ] {
        refused(&env, &["pod", "create", "--name", name], 125, &[NAME_RULE]);
        refused(
            &env,
            &["create", "--name", name, "--rootfs", &rootfs, "true"],
            125,
            &[NAME_RULE],
        );
    }
}

#[test]
fn id_prefix_matching_two_containers() {
    let env = env_or_skip!();
    fixture(&env);
    // Create containers until two ids (of all, the fixture's included) share their first
    // hex character; `a` is also a container's name, and a name wins over a prefix.
    let mut ids: Vec<String> = env
        .ok(&["ps", "-a", "-q", "--no-trunc"])
        .lines()
        .map(str::to_owned)
        .collect();
    let shared = |ids: &[String]| -> Option<char> {
        ('0'..='9')
            .chain('b'..='f')
            .find(|c| ids.iter().filter(|i| i.starts_with(*c)).count() >= 2)
    };
    let mut i = 0;
    while shared(&ids).is_none() && i < 40 {
        ids.push(env.ctr("p", &format!("c{i}"), &[], &["sleep", "100"]));
        i += 1;
    }
    let prefix = shared(&ids)
        .expect("two ids share a first character")
        .to_string();
    for args in [
        vec!["inspect", prefix.as_str()],
        vec!["start", prefix.as_str()],
        vec!["stop", prefix.as_str()],
        vec!["kill", prefix.as_str()],
        vec!["rm", "-f", prefix.as_str()],
    ] {
        refused(
            &env,
            &args,
            125,
            &[&format!(
                "more than one result for container ID prefix \"{prefix}\""
            )],
        );
    }
}

#[test]
fn unknown_pod_and_container() {
    let env = env_or_skip!();
    fixture(&env);
    let no_pod = "no pod with name or ID nope found: no such pod";
    for verb in [
        "start", "stop", "pause", "unpause", "restart", "kill", "inspect",
    ] {
        refused(&env, &["pod", verb, "nope"], 125, &[no_pod]);
    }
    refused(&env, &["pod", "rm", "nope"], 1, &[no_pod]);
    let no_ctr = "no container with name or ID \"nope\" found: no such container";
    for verb in ["start", "stop", "kill", "wait"] {
        refused(&env, &[verb, "nope"], 125, &[no_ctr]);
    }
    refused(&env, &["rm", "nope"], 1, &[no_ctr]);
    refused(
        &env,
        &["inspect", "nope"],
        125,
        &["no such object: \"nope\""],
    );
    // a container in an unknown pod
    let rootfs = env.rootfs();
    refused(
        &env,
        &["create", "--pod", "nope", "--rootfs", &rootfs, "true"],
        125,
        &[no_pod],
    );
}

#[test]
fn cyclic_requires() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    // A container requiring itself (podman refuses self-reference too).
    refused(
        &env,
        &[
            "create",
            "--pod",
            "p",
            "--name",
            "self",
            "--requires",
            "self",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["container self cannot depend on itself"],
    );
    // A chain that would close a cycle: requires must exist at create, and a container's
    // requires never change, so the only way to close x → y → x is to create x again,
    // which its name (and a fresh id) prevents.
    env.ctr("p", "x", &[], &["sleep", "100"]);
    env.ctr("p", "y", &["--requires", "x"], &["sleep", "100"]);
    refused(
        &env,
        &[
            "create",
            "--pod",
            "p",
            "--name",
            "x",
            "--requires",
            "y",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["the container name \"x\" is already in use"],
    );
    // The graph of the pod is still startable: the dependency order holds.
    env.ok(&["pod", "start", "p"]);
    assert_eq!(env.ctr_state("y"), "running");
    env.ok(&["pod", "stop", "-t", "0", "p"]);
}

#[test]
fn requires_a_container_of_another_pod() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    refused(
        &env,
        &[
            "create",
            "--pod",
            "p",
            "--name",
            "b",
            "--requires",
            "qa",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["container b depends on container qa, which is not in pod p"],
    );
    // a container outside any pod cannot require one in a pod
    refused(
        &env,
        &[
            "create",
            "--name",
            "loose",
            "--requires",
            "a",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["container loose is not in a pod and cannot depend on container a"],
    );
}

#[test]
fn bad_signal() {
    let env = env_or_skip!();
    fixture(&env);
    for sig in [
        "BOGUS",
        "SIGBOGUS",
        "0",
        "65",
        "999999999999",
        "TERM+1",
        "RTMAX+1",
        " ",
    ] {
        refused(
            &env,
            &["pod", "kill", "-s", sig, "p"],
            125,
            &[&format!("invalid signal: {sig}")],
        );
        refused(&env, &["kill", "-s", sig, "a"], 125, &["invalid signal"]);
        // checked before the pod is looked up
        refused(
            &env,
            &["pod", "kill", "-s", sig, "nope"],
            125,
            &["invalid signal"],
        );
    }
    let rootfs = env.rootfs();
    refused(
        &env,
        &[
            "create",
            "--pod",
            "p",
            "--stop-signal",
            "NOPE",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["invalid signal: NOPE"],
    );
}

#[test]
fn negative_or_absurd_time() {
    let env = env_or_skip!();
    fixture(&env);
    for t in ["-5", "-2", "-9223372036854775808"] {
        let msg = format!("invalid --time {t}: must be -1");
        refused(&env, &["pod", "stop", "-t", t, "p"], 125, &[&msg]);
        refused(&env, &["stop", "-t", t, "a"], 125, &[&msg]);
        refused(&env, &["pod", "rm", "-f", "-t", t, "p"], 125, &[&msg]);
        refused(&env, &["rm", "-f", "-t", t, "a"], 125, &[&msg]);
    }
    for t in ["99999999999999999999", "ten", "1.5", ""] {
        refused(
            &env,
            &["pod", "stop", "-t", t, "p"],
            125,
            &["invalid value", "--time"],
        );
    }
    let rootfs = env.rootfs();
    refused(
        &env,
        &[
            "create",
            "--pod",
            "p",
            "--stop-timeout",
            "-3",
            "--rootfs",
            &rootfs,
            "true",
        ],
        125,
        &["--stop-timeout"],
    );
    // A huge but representable timeout is accepted: a container that exits on its stop
    // signal stops at once (-1 = its own stop timeout works too).
    env.pod("h", &["--infra=false"]);
    let trap = ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"];
    env.ctr("h", "t", &[], &trap);
    env.ok(&["pod", "start", "h"]);
    env.ok(&["pod", "stop", "-t", "9223372036854775807", "h"]);
    assert_eq!(env.ctr_state("t"), "exited");
    env.ok(&["pod", "start", "h"]);
    env.ok(&["pod", "stop", "-t", "-1", "h"]);
    assert_eq!(env.ctr_state("t"), "exited");
}

#[test]
fn invalid_exit_policy() {
    let env = env_or_skip!();
    fixture(&env);
    for p in ["bogus", "", "STOP ", "restart"] {
        refused(
            &env,
            &["pod", "create", "--name", "e", "--exit-policy", p],
            125,
            &["invalid pod exit policy", "must be one of [continue stop]"],
        );
    }
}

#[test]
fn bogus_init_ctr() {
    let env = env_or_skip!();
    fixture(&env);
    let rootfs = env.rootfs();
    for v in ["bogus", "", "ONCE ", "never"] {
        refused(
            &env,
            &[
                "create",
                "--pod",
                "p",
                "--init-ctr",
                v,
                "--rootfs",
                &rootfs,
                "true",
            ],
            125,
            &["init-ctr value must be 'always' or 'once'"],
        );
    }
    // valid value, but outside a pod
    refused(
        &env,
        &["create", "--init-ctr", "once", "--rootfs", &rootfs, "true"],
        125,
        &["init containers must be created in a pod"],
    );
}

#[test]
fn rootfs_that_does_not_exist() {
    let env = env_or_skip!();
    fixture(&env);
    let missing = env.dir.path().join("no-such-rootfs");
    let missing = missing.display().to_string();
    refused(
        &env,
        &["create", "--pod", "p", "--rootfs", &missing, "true"],
        125,
        &[&format!("rootfs {missing}"), "No such file or directory"],
    );
    let file = env.dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let file = file.display().to_string();
    refused(
        &env,
        &["create", "--pod", "p", "--rootfs", &file, "true"],
        125,
        &[&format!("rootfs {file}: not a directory")],
    );
    // A rootfs removed after create: the start fails naming it, nothing runs.
    let gone = env.dir.path().join("gone-rootfs");
    common::build_rootfs(&gone);
    let gone_s = gone.display().to_string();
    env.ok(&[
        "create", "--pod", "q", "--name", "g", "--rootfs", &gone_s, "sleep", "100",
    ]);
    std::fs::remove_dir_all(&gone).unwrap();
    let r = env.fails(&["pod", "start", "q"], 125);
    assert!(
        r.stderr
            .starts_with("Error: start of pod q failed for 1 container(s)\n  g: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&gone_s), "names the rootfs: {}", r.stderr);
    assert_ne!(env.ctr_state("g"), "running");
    env.ok(&["pod", "stop", "-t", "0", "q"]);
    assert!(
        env.inconsistencies().is_empty(),
        "{:?}",
        env.inconsistencies()
    );
}

#[test]
fn malformed_toml_config() {
    let env = env_or_skip!();
    fixture(&env);
    let cases: &[(&str, &str)] = &[
        ("root = [1,\n", "line 2, column 1"),
        (
            "runtime = \"runc\"\nstop_timeout = \"ten\"\n",
            "line 2, column 16",
        ),
        ("bogus_key = 1\n", "unknown field `bogus_key`"),
        ("log_level = \"loud\"\n", "invalid log_level"),
        ("parallelism = 0\n", "parallelism must be at least 1"),
        ("stop_timeout = -1\n", "line 1"),
        ("\u{feff}[[[", "line 1"),
        ("root = \"unterminated\n", "line 1"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let cfg = env.dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&cfg, text).unwrap();
        let cfg = cfg.display().to_string();
        refused(
            &env,
            &["--config", &cfg, "pod", "create", "--name", "z"],
            125,
            &[&cfg, want],
        );
    }
    // Not UTF-8 at all.
    let cfg = env.dir.path().join("binary.toml");
    std::fs::write(&cfg, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let cfg = cfg.display().to_string();
    refused(&env, &["--config", &cfg, "pod", "ps"], 125, &[&cfg]);
    // A config file that does not exist, given explicitly.
    let missing = env.dir.path().join("missing.toml").display().to_string();
    refused(
        &env,
        &["--config", &missing, "pod", "ps"],
        125,
        &[&missing, "No such file or directory"],
    );
    // The same errors come from the default config file.
    let dir = env.dir.path().join("config/podctl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("podctl.toml"), "root = \n").unwrap();
    let r = env.run(&["pod", "ps"]);
    assert_eq!(r.code, 125, "{}", r.stderr);
    assert!(r.stderr.contains("podctl.toml: line 1"), "{}", r.stderr);
    std::fs::remove_file(dir.join("podctl.toml")).unwrap();
}

#[test]
fn cgroup_parent_escaping_the_cgroup_root() {
    let env = env_or_skip!();
    fixture(&env);
    for parent in ["/a/../../etc", "..", "/podctl//x", "/./x"] {
        refused(
            &env,
            &["pod", "create", "--name", "cg", "--cgroup-parent", parent],
            125,
            &[&format!("invalid cgroup parent {parent:?}")],
        );
    }
}
