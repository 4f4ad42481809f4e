//! Security: private state (directories 0700, database, logs and every other file only
//! for the owner), container directories named by id only (never by a name), and a
//! non-root user with its own state who cannot read root's.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Env;

/// Every path under `dir` (not following symlinks), `dir` included.
fn walk(dir: &Path) -> Vec<(PathBuf, std::fs::Metadata)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(p) = todo.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue; // removed meanwhile
        };
        if m.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                todo.extend(rd.filter_map(|e| Some(e.ok()?.path())));
            }
        }
        out.push((p, m));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn mode(m: &std::fs::Metadata) -> u32 {
    m.permissions().mode() & 0o7777
}

fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks the modes under the state dir and the runtime dir; returns what is wrong.
fn mode_problems(env: &Env) -> Vec<String> {
    let mut bad = Vec::new();
    let containers = env.root.join("containers");
    let mut logs = 0;
    for (p, m) in walk(&env.root) {
        let rel = p.strip_prefix(&env.root).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // The infra container's root filesystem (`containers/<id>/rootfs`) is the
        // container's `/`: ordinary 0755 inside the private container directory.
        if parts.len() >= 3 && parts[0] == "containers" && parts[2] == "rootfs" {
            continue;
        }
        if m.uid() != 0 {
            bad.push(format!("{}: owned by uid {}", p.display(), m.uid()));
        }
        let name = parts.last().map(String::as_str).unwrap_or("");
        let want = if m.is_dir() {
            Some(0o700)
        } else if name == "state.db"
            || name.starts_with("state.db-")
            || name == "ctr.log"
            || name.ends_with(".lock")
        {
            Some(0o600)
        } else {
            None
        };
        if name == "ctr.log" {
            logs += 1;
        }
        match want {
            Some(w) if mode(&m) != w => {
                bad.push(format!("{}: mode {:o}, want {w:o}", p.display(), mode(&m)))
            }
            // anything else: nothing for group or others
            None if mode(&m) & 0o077 != 0 => bad.push(format!(
                "{}: mode {:o} gives access to group/others",
                p.display(),
                mode(&m)
            )),
            _ => {}
        }
        if p.starts_with(&containers) && parts.len() >= 2 && !is_id(&parts[1]) {
            bad.push(format!("{}: container dir not named by an id", p.display()));
        }
    }
    if logs == 0 {
        bad.push("no ctr.log found: the run wrote no logs?".into());
    }
    for (p, m) in walk(&env.runroot) {
        let top = p == env.runroot || p == env.runroot.join("runtime");
        if top && mode(&m) != 0o700 {
            bad.push(format!("{}: mode {:o}, want 700", p.display(), mode(&m)));
        }
        // Inside the runtime root, runc's own layout (0711 container dirs, 0600 state):
        // nobody else may read or write.
        if mode(&m) & 0o066 != 0 {
            bad.push(format!(
                "{}: mode {:o} readable/writable by group/others",
                p.display(),
                mode(&m)
            ));
        }
    }
    bad
}

#[test]
fn state_and_runtime_files_are_private() {
    let env = env_or_skip!();
    // A permissive umask must not leak into the modes.
    // SAFETY: umask only changes this process's file creation mask.
    let old = unsafe { libc::umask(0o000) };
    env.pod("web", &[]);
    let talk = [
        "sh",
        "-c",
        "echo out; echo err >&2; trap 'exit 0' TERM; sleep 1000 & wait",
    ];
    env.ctr("web", "a", &[], &talk);
    env.ctr("web", "b", &[], &talk);
    env.ctr("", "solo", &[], &["echo", "done"]);
    env.ok(&["pod", "start", "web"]);
    env.ok(&["start", "solo"]);
    env.ok(&["wait", "solo"]);
    assert!(env.wait_until(Duration::from_secs(30), || {
        env.ok(&["logs", "a"]).contains("out")
    }));
    let running = mode_problems(&env);
    env.ok(&["pod", "stop", "-t", "5", "web"]);
    let stopped = mode_problems(&env);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    assert!(running.is_empty(), "while running:\n{}", running.join("\n"));
    assert!(stopped.is_empty(), "after stop:\n{}", stopped.join("\n"));
}

#[test]
fn names_never_become_paths() {
    let env = env_or_skip!();
    let names = ["web", "db", "state.db", "locks", "containers", "runtime"];
    for (i, n) in names.iter().enumerate() {
        let pod = format!("pod-{n}");
        env.pod(&pod, &["--infra-name", &format!("infra-{i}")]);
        env.ctr(&pod, n, &[], &["sleep", "1000"]);
    }
    env.ok(&["pod", "start", "-a"]);
    // Names made to escape are refused before anything touches the disk.
    for evil in ["../../../escaped", "/tmp/escaped", "a/../../escaped"] {
        env.fails(&["pod", "create", "--name", evil], 125);
        env.fails(&["pod", "create", "--name", "x", "--infra-name", evil], 125);
        let rootfs = env.rootfs();
        env.fails(
            &["create", "--name", evil, "--rootfs", &rootfs, "true"],
            125,
        );
    }
    assert!(!env.dir.path().join("escaped").exists());
    assert!(!Path::new("/tmp/escaped").exists());

    // Every entry named after something is named by its id.
    let ids: Vec<String> = env
        .ok(&["ps", "-a", "--no-trunc", "-q"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 2 * names.len());
    for dir in [env.root.join("containers"), env.runroot.join("runtime")] {
        let mut entries: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(entries, want, "{}", dir.display());
    }
    for e in std::fs::read_dir(env.root.join("locks")).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        let id = n.strip_suffix(".lock").unwrap_or("");
        assert!(is_id(id), "lock file {n} is not <id>.lock");
    }
    // No path component anywhere equals a name given by the user (other than the
    // fixed names of the layout).
    let fixed = ["containers", "locks", "state.db", "runtime"];
    for base in [&env.root, &env.runroot] {
        for (p, _) in walk(base) {
            let rel = p.strip_prefix(base).unwrap();
            for c in rel.components() {
                let c = c.as_os_str().to_string_lossy();
                let user_given =
                    names.contains(&c.as_ref()) || c.starts_with("pod-") || c.starts_with("infra-");
                let first = rel
                    .components()
                    .next()
                    .map(|f| f.as_os_str().to_string_lossy().into_owned());
                let fixed_at_top = fixed.contains(&c.as_ref()) && first.as_deref() == Some(&*c);
                assert!(
                    !user_given || fixed_at_top,
                    "{} is named after a user-given name",
                    p.display()
                );
            }
        }
    }
    env.ok(&["pod", "rm", "-af", "-t", "0"]);
    // Removing a container removes its directory (bundle, log) too.
    let left: Vec<_> = std::fs::read_dir(env.root.join("containers"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "directories of removed containers: {left:?}"
    );
}

/// The unprivileged user of the rootless test (created when missing).
const TEST_USER: &str = "podctl-test";

fn ensure_user() -> Result<(u32, u32), String> {
    if let Ok(Some(u)) = nix::unistd::User::from_name(TEST_USER) {
        return Ok((u.uid.as_raw(), u.gid.as_raw()));
    }
    let out = std::process::Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            TEST_USER,
        ])
        .output()
        .map_err(|e| format!("useradd: {e}"))?;
    // A parallel run may have created it meanwhile: look it up again either way.
    match nix::unistd::User::from_name(TEST_USER) {
        Ok(Some(u)) => Ok((u.uid.as_raw(), u.gid.as_raw())),
        _ => Err(format!(
            "cannot create user {TEST_USER}: {}",
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// Runs `argv` as the test user with only HOME, PATH and XDG_RUNTIME_DIR set.
fn as_user(home: &Path, argv: &[&str]) -> common::Run {
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid",
            TEST_USER,
            "--regid",
            TEST_USER,
            "--init-groups",
            "env",
            "-i",
            "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        ])
        .arg(format!("HOME={}", home.display()))
        .arg(format!("XDG_RUNTIME_DIR={}", home.join("run").display()))
        .args(argv)
        .current_dir("/")
        .output()
        .expect("run setpriv");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_non_root_user_has_its_own_state_and_cannot_read_roots() {
    let env = env_or_skip!();
    if which_setpriv().is_none() {
        eprintln!("SKIPPED: setpriv is not installed");
        return;
    }
    let (uid, gid) = match ensure_user() {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return;
        }
    };
    // root's state, with a pod in it
    let root_pod = env.pod("roots-pod", &[]);

    // The user's home: a private dir it owns, outside root's 0700 test dir.
    let home = tempfile::Builder::new()
        .prefix("podctl-rootless-")
        .tempdir()
        .unwrap();
    let chown = |p: &Path| nix::unistd::chown(p, Some(uid.into()), Some(gid.into())).unwrap();
    chown(home.path());
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    // The binary must be runnable by the user: copy it when its path is not.
    let mut bin = common::podctl_bin();
    if as_user(home.path(), &[bin.to_str().unwrap(), "--version"]).code != 0 {
        let copy = home.path().join("podctl");
        std::fs::copy(&bin, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin = copy;
    }
    let bin = bin.to_str().unwrap();

    let r = as_user(home.path(), &[bin, "pod", "create", "--name", "mine"]);
    assert_eq!(r.code, 0, "rootless pod create: {}", r.stderr);
    let mine = r.out().to_owned();
    let r = as_user(home.path(), &[bin, "pod", "ps", "-q", "--no-trunc"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.out(), mine, "the user sees only its own pod");

    // Its state is under its XDG data dir, its runtime dir under XDG_RUNTIME_DIR; all
    // owned by the user, private.
    let data = home.path().join(".local/share/podctl");
    let run = home.path().join("run/podctl");
    for (p, want) in [
        (data.clone(), 0o700),
        (data.join("state.db"), 0o600),
        (data.join("containers"), 0o700),
        (data.join("locks"), 0o700),
        (run.clone(), 0o700),
        (run.join("runtime"), 0o700),
    ] {
        let m = std::fs::metadata(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(m.uid(), uid, "{} owner", p.display());
        assert_eq!(mode(&m), want, "{} mode", p.display());
    }
    // root's view does not have the user's pod, and the user's state is not root's
    assert!(!env.ok(&["pod", "ps", "-q", "--no-trunc"]).contains(&mine));

    // The user cannot read root's state: a clear error naming it, exit 125.
    let root_dir = env.root.display().to_string();
    let run_dir = env.runroot.display().to_string();
    for args in [
        vec![bin, "--root", &root_dir, "--runroot", &run_dir, "pod", "ps"],
        vec![bin, "--root", &root_dir, "pod", "inspect", "roots-pod"],
        vec![
            bin,
            "--root",
            &root_dir,
            "--runroot",
            &run_dir,
            "pod",
            "rm",
            "-f",
            "roots-pod",
        ],
    ] {
        let r = as_user(home.path(), &args);
        assert_eq!(r.code, 125, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.starts_with("Error: ") && r.stderr.contains(&root_dir),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("Permission denied"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            !r.stdout.contains(&root_pod),
            "{args:?} leaked: {}",
            r.stdout
        );
    }
    // The default state of root is not the user's either.
    let r = as_user(home.path(), &[bin, "pod", "exists", "roots-pod"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // root's pod is untouched
    env.ok(&["pod", "exists", "roots-pod"]);

    let r = as_user(home.path(), &[bin, "pod", "rm", "mine"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn which_setpriv() -> Option<PathBuf> {
    ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}
