//! The two CLIs under test, driven through the same podman-shaped verbs, each with
//! its own state directories under the benchmark's scratch directory.

use std::{
    cell::RefCell,
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};

use crate::util::{self, ProcInfo};

/// What every benchmark container runs: sleeps until TERM, then exits 0.
pub const CTR_SCRIPT: &str = "trap 'exit 0' TERM; sleep 1000 & wait";

/// containers.conf for podman: only the ulimits these machines need (podman's default
/// `nofile` exceeds the hard limit runc may set here).
const CONTAINERS_CONF: &str =
    "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n";

/// Which CLI a [`Tool`] drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// This project.
    Podctl,
    /// The reference.
    Podman,
}

/// The containers of a pod besides infra.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// N independent containers.
    Flat(usize),
    /// N containers, each `--requires` the previous one.
    Chain(usize),
}

impl Shape {
    /// Containers besides infra.
    pub fn containers(self) -> usize {
        match self {
            Shape::Flat(n) | Shape::Chain(n) => n,
        }
    }

    /// A label for tables and JSON.
    pub fn label(self) -> String {
        match self {
            Shape::Flat(n) => format!("flat {n}"),
            Shape::Chain(n) => format!("chain {n}"),
        }
    }
}

/// One CLI with its global flags and environment.
#[derive(Debug)]
pub struct Tool {
    /// Which one.
    pub kind: Kind,
    program: PathBuf,
    global: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    /// Its state lives here and nowhere else.
    pub dir: PathBuf,
    rootfs: PathBuf,
    pod_ids: RefCell<Vec<String>>,
}

impl Tool {
    /// podctl with `--root`, `--runroot` under `dir` and runc as runtime.
    pub fn podctl(bin: &Path, dir: PathBuf, runc: &Path, rootfs: PathBuf) -> Result<Tool> {
        fs::create_dir_all(&dir)?;
        let global = vec![
            "--root".into(),
            dir.join("root").into(),
            "--runroot".into(),
            dir.join("run").into(),
            "--runtime".into(),
            runc.into(),
        ];
        Ok(Tool {
            kind: Kind::Podctl,
            program: bin.to_path_buf(),
            global,
            env: Vec::new(),
            dir,
            rootfs,
            pod_ids: RefCell::new(Vec::new()),
        })
    }

    /// podman with isolated storage (`--root`, `--runroot`, `--tmpdir` under `dir`,
    /// the default overlay driver), runc as runtime and a private containers.conf.
    pub fn podman(bin: &Path, dir: PathBuf, runc: &Path, rootfs: PathBuf) -> Result<Tool> {
        fs::create_dir_all(&dir)?;
        let conf = dir.join("containers.conf");
        fs::write(&conf, CONTAINERS_CONF)
            .with_context(|| format!("cannot write {}", conf.display()))?;
        let global = vec![
            "--root".into(),
            dir.join("root").into(),
            "--runroot".into(),
            dir.join("run").into(),
            "--tmpdir".into(),
            dir.join("tmp").into(),
            "--runtime".into(),
            runc.into(),
        ];
        Ok(Tool {
            kind: Kind::Podman,
            program: bin.to_path_buf(),
            global,
            env: vec![("CONTAINERS_CONF".into(), conf.into())],
            dir,
            rootfs,
            pod_ids: RefCell::new(Vec::new()),
        })
    }

    /// The name used in tables and JSON keys.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Podctl => "podctl",
            Kind::Podman => "podman",
        }
    }

    /// `<tool> <global flags> ARGS`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.global).args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `ARGS`, returning stdout; failure is an error with stderr.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        util::output(&mut self.cmd(args))
    }

    /// Creates a pod (infra included) and its containers, not started.
    pub fn create_pod(&self, pod: &str, shape: Shape) -> Result<()> {
        self.create_empty_pod(pod)?;
        let rootfs = self
            .rootfs
            .to_str()
            .context("rootfs path is not UTF-8")?
            .to_owned();
        for i in 1..=shape.containers() {
            let name = ctr_name(pod, i);
            let prev = ctr_name(pod, i.saturating_sub(1));
            let mut args = vec!["create", "--pod", pod, "--name", &name];
            if let Shape::Chain(_) = shape {
                if i > 1 {
                    args.extend(["--requires", prev.as_str()]);
                }
            }
            // Last before the command: podman's `--rootfs` is a switch that makes the
            // first positional argument the rootfs, and options stop there.
            args.extend(["--rootfs", &rootfs, "sh", "-c", CTR_SCRIPT]);
            self.run(&args)?;
        }
        Ok(())
    }

    /// `pod create --name POD`. podman gets `--network none`: podctl's infra gives the
    /// pod a network namespace with loopback only, and so does podman's with it, so
    /// both do the same work (no bridge, no netavark).
    pub fn create_empty_pod(&self, pod: &str) -> Result<()> {
        let id = match self.kind {
            Kind::Podctl => self.run(&["pod", "create", "--name", pod])?,
            Kind::Podman => self.run(&["pod", "create", "--name", pod, "--network", "none"])?,
        };
        self.pod_ids.borrow_mut().push(id.trim().to_owned());
        Ok(())
    }

    /// Removes a pod, forcing and ignoring errors (cleanup).
    pub fn rm_pod_quiet(&self, pod: &str) {
        util::run_quiet(&mut self.cmd(&["pod", "rm", "-f", "-t", "0", pod]));
    }

    /// The pod's `State` from `pod inspect` (podman 4 prints an object, podctl an
    /// array of one).
    pub fn pod_state(&self, pod: &str) -> Result<String> {
        let out = self.run(&["pod", "inspect", pod])?;
        let json: serde_json::Value = serde_json::from_str(&out)
            .with_context(|| format!("{} pod inspect printed no JSON: {out}", self.name()))?;
        let obj = json.as_array().and_then(|a| a.first()).unwrap_or(&json);
        obj["State"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("{} pod inspect has no State: {out}", self.name()))
    }

    /// Fails unless the pod is in `want` state.
    pub fn expect_state(&self, pod: &str, want: &str) -> Result<()> {
        let got = self.pod_state(pod)?;
        if got != want {
            bail!("{} pod {pod} is {got}, expected {want}", self.name());
        }
        Ok(())
    }

    /// The container monitors this tool left running (podctl's monitor, conmon),
    /// recognized by their argv mentioning this tool's directory.
    pub fn monitors(&self) -> Vec<ProcInfo> {
        let dir = self.dir.to_string_lossy().into_owned();
        let program = self
            .program
            .canonicalize()
            .unwrap_or_else(|_| self.program.clone());
        let kind = self.kind;
        util::find_processes(|p| {
            let mentions_dir = p.cmdline.iter().any(|a| a.contains(&dir));
            let is_monitor = match kind {
                Kind::Podctl => p.exe == program,
                Kind::Podman => p.exe.file_name().is_some_and(|n| n == "conmon"),
            };
            is_monitor && mentions_dir
        })
    }

    /// Best-effort removal through the CLI of everything this tool created (pods,
    /// containers, podman's pause image); [`crate::cleanup::force_cleanup`] then
    /// removes whatever it left.
    pub fn cleanup(&self) {
        util::run_quiet(&mut self.cmd(&["pod", "rm", "-a", "-f", "-t", "0"]));
        util::run_quiet(&mut self.cmd(&["rm", "-a", "-f", "-t", "0"]));
        if self.kind == Kind::Podman {
            util::run_quiet(&mut self.cmd(&["rmi", "-a", "-f"]));
        }
    }

    /// Ids of the pods this tool created (for the last-resort cgroup cleanup).
    pub fn pod_ids(&self) -> Vec<String> {
        self.pod_ids.borrow().clone()
    }
}

/// `<pod>-c<i>`; `i` = 0 names nothing that exists (chain predecessor of the first).
pub fn ctr_name(pod: &str, i: usize) -> String {
    format!("{pod}-c{i}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(Shape::Flat(10).containers(), 10);
        assert_eq!(Shape::Chain(3).label(), "chain 3");
        assert_eq!(ctr_name("b", 2), "b-c2");
    }

    #[test]
    fn podman_command_carries_isolation() {
        let dir = crate::util::TempDir::new("xtask-test-tools").unwrap();
        let tool = Tool::podman(
            Path::new("/usr/bin/podman"),
            dir.path().join("podman"),
            Path::new("/usr/sbin/runc"),
            dir.path().join("rootfs"),
        )
        .unwrap();
        let cmd = tool.cmd(&["pod", "ps"]);
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args[0], "--root");
        assert!(args.contains(&"--tmpdir".to_owned()));
        assert_eq!(&args[args.len() - 2..], ["pod", "ps"]);
        let conf = fs::read_to_string(dir.path().join("podman/containers.conf")).unwrap();
        assert!(conf.contains("nofile=1024:1024"), "{conf}");
        assert!(cmd.get_envs().any(|(k, _)| k == "CONTAINERS_CONF"));
    }
}
