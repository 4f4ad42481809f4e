//! `cargo xtask demo`: builds podctl and drives a real pod through the CLI — an infra
//! container, a `once` init container, a database and a web container that
//! `--requires` it — then shows `pod ps`, `ps`, `pod inspect` and the logs, stops and
//! removes the pod. Every command is echoed as `$ podctl …` before its output.

use std::{
    cell::RefCell,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

use crate::{
    cleanup,
    flags::DemoArgs,
    util::{self, Profile, TempDir},
};

const POD: &str = "demo";
const DB_SCRIPT: &str = "trap 'exit 0' TERM; echo db up; while true; do sleep 1; done";
const WEB_SCRIPT: &str =
    "trap 'exit 0' TERM; echo \"web up on host $(hostname)\"; while true; do sleep 1; done";

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<()> {
    let host = util::check_host()?;
    util::install_sigint_flag();
    let profile = if args.release {
        Profile::Release
    } else {
        Profile::Debug
    };
    let bin = util::build_podctl(profile)?;
    let mut scratch = TempDir::new("podctl-demo")?;
    let rootfs = scratch.path().join("rootfs");
    util::build_rootfs(&host.busybox, &rootfs)?;
    let demo = Demo {
        bin,
        root: scratch.path().join("root"),
        runroot: scratch.path().join("run"),
        runc: host.runc,
        rootfs,
        pod_id: RefCell::new(None),
    };
    eprintln!(
        "==> podctl runs with --root {} --runroot {} --runtime {}\n==> ROOTFS={} (busybox)",
        demo.root.display(),
        demo.runroot.display(),
        demo.runc.display(),
        demo.rootfs.display()
    );
    let result = demo.steps(args.keep);
    if result.is_err() || !args.keep {
        if result.is_err() {
            eprintln!("==> cleaning up after the failure: podctl pod rm -f {POD}");
            util::run_quiet(&mut demo.cmd(&["pod", "rm", "-f", POD]));
        }
        let ids: Vec<String> = demo.pod_id.take().into_iter().collect();
        let left = cleanup::force_cleanup(&demo.runc, scratch.path(), &ids);
        cleanup::warn_leftovers("podctl", &left);
    }
    if args.keep && result.is_ok() {
        scratch.keep();
        eprintln!(
            "==> kept; explore with:\n    {} --root {} --runroot {} --runtime {} pod ps\n\
             and clean up with `... pod rm -f {POD}` then `rm -rf {}`",
            demo.bin.display(),
            demo.root.display(),
            demo.runroot.display(),
            demo.runc.display(),
            scratch.path().display()
        );
    }
    result
}

struct Demo {
    bin: PathBuf,
    root: PathBuf,
    runroot: PathBuf,
    runc: PathBuf,
    rootfs: PathBuf,
    /// Set once `pod create` printed it (for the last-resort cgroup cleanup).
    pod_id: RefCell<Option<String>>,
}

impl Demo {
    /// `podctl --root … --runroot … --runtime … ARGS`.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .arg("--runtime")
            .arg(&self.runc)
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Echoes `$ podctl ARGS`, runs it and prints its output; returns the output.
    fn step(&self, args: &[&str]) -> Result<String> {
        util::check_interrupted()?;
        let mut shown = Command::new("podctl");
        shown.args(args);
        let shown = util::display(&shown).replace(&*self.rootfs.to_string_lossy(), "$ROOTFS");
        println!("$ {shown}");
        let out = util::output(&mut self.cmd(args))
            .with_context(|| format!("demo step `{shown}` failed"))?;
        print!("{out}");
        Ok(out)
    }

    fn steps(&self, keep: bool) -> Result<()> {
        let rootfs = path_str(&self.rootfs)?;
        let id = self.step(&["pod", "create", "--name", POD])?;
        self.pod_id.replace(Some(id.trim().to_owned()));
        self.step(&[
            "create",
            "--pod",
            POD,
            "--name",
            "demo-init",
            "--init-ctr",
            "once",
            "--rootfs",
            rootfs,
            "sh",
            "-c",
            "echo init ran",
        ])?;
        self.step(&[
            "create", "--pod", POD, "--name", "db", "--rootfs", rootfs, "sh", "-c", DB_SCRIPT,
        ])?;
        self.step(&[
            "create",
            "--pod",
            POD,
            "--name",
            "web",
            "--requires",
            "db",
            "--rootfs",
            rootfs,
            "sh",
            "-c",
            WEB_SCRIPT,
        ])?;
        self.step(&["pod", "start", POD])?;
        self.step(&["pod", "ps"])?;
        self.step(&["ps", "-a", "--pod"])?;
        self.step(&["pod", "inspect", POD])?;
        self.wait_for_log("db")?;
        self.step(&["logs", "db"])?;
        self.wait_for_log("web")?;
        self.step(&["logs", "web"])?;
        if keep {
            return Ok(());
        }
        self.step(&["pod", "stop", "-t", "2", POD])?;
        self.step(&["pod", "ps"])?;
        self.step(&["pod", "rm", POD])?;
        Ok(())
    }

    /// Containers print right after they start; give them a moment before showing logs.
    fn wait_for_log(&self, ctr: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = util::output(&mut self.cmd(&["logs", ctr]))?;
            if !out.trim().is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("container {ctr} printed nothing within 10 s");
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("path {} is not UTF-8", path.display()))
}
