//! The floor: `runc create` + `runc start` of the pod's containers one after the other,
//! with nothing else — what any pod manager on runc must at least spend.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result};

use crate::{bench::tools::CTR_SCRIPT, util};

/// Bundles and a private runc `--root` for the floor runs.
#[derive(Debug)]
pub struct Floor {
    runc: PathBuf,
    root: PathBuf,
    bundles: Vec<(String, PathBuf)>,
}

impl Floor {
    /// Prepares `count` bundles under `dir` whose config.json comes from `runc spec`,
    /// with the shared busybox rootfs (read-write) and the benchmark container's command.
    pub fn new(runc: &Path, dir: &Path, rootfs: &Path, count: usize) -> Result<Floor> {
        let root = dir.join("runc-root");
        fs::create_dir_all(&root)?;
        let template = dir.join("template");
        fs::create_dir_all(&template)?;
        util::run(
            Command::new(runc)
                .args(["spec", "--bundle"])
                .arg(&template)
                .stdin(Stdio::null()),
        )?;
        let spec = fs::read_to_string(template.join("config.json"))?;
        let mut spec: serde_json::Value =
            serde_json::from_str(&spec).context("runc spec wrote invalid JSON")?;
        adapt_spec(&mut spec, rootfs);
        let mut bundles = Vec::with_capacity(count);
        for i in 0..count {
            let bundle = dir.join(format!("b{i}"));
            fs::create_dir_all(&bundle)?;
            fs::write(
                bundle.join("config.json"),
                serde_json::to_vec_pretty(&spec)?,
            )?;
            bundles.push((format!("xtask-floor-{}-{i}", std::process::id()), bundle));
        }
        Ok(Floor {
            runc: runc.to_path_buf(),
            root,
            bundles,
        })
    }

    /// runc with all stdio on /dev/null: with `terminal: false` the container inherits
    /// `runc create`'s stdio, and a pipe would never reach EOF.
    fn runc(&self) -> Command {
        let mut cmd = Command::new(&self.runc);
        cmd.arg("--root")
            .arg(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    /// Creates and starts every container in sequence; returns the elapsed time. The
    /// containers are deleted afterwards (not timed).
    pub fn run_once(&self) -> Result<Duration> {
        let start = Instant::now();
        let result = self.create_and_start_all();
        let elapsed = start.elapsed();
        self.delete_all();
        result.map(|()| elapsed)
    }

    fn create_and_start_all(&self) -> Result<()> {
        for (id, bundle) in &self.bundles {
            util::run(self.runc().args(["create", "--bundle"]).arg(bundle).arg(id))?;
            util::run(self.runc().args(["start", id]))?;
        }
        Ok(())
    }

    /// Deletes every floor container (best effort).
    pub fn delete_all(&self) {
        for (id, _) in &self.bundles {
            util::run_quiet(self.runc().args(["delete", "-f", id]));
        }
    }
}

/// Points the spec at the rootfs (read-write), runs the benchmark script without a
/// terminal.
fn adapt_spec(spec: &mut serde_json::Value, rootfs: &Path) {
    spec["root"]["path"] = rootfs.to_string_lossy().into_owned().into();
    spec["root"]["readonly"] = false.into();
    spec["process"]["terminal"] = false.into();
    spec["process"]["args"] = serde_json::json!(["sh", "-c", CTR_SCRIPT]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_is_adapted() {
        let mut spec = serde_json::json!({
            "process": {"terminal": true, "args": ["sh"]},
            "root": {"path": "rootfs", "readonly": true},
        });
        adapt_spec(&mut spec, Path::new("/tmp/r"));
        assert_eq!(spec["root"]["path"], "/tmp/r");
        assert_eq!(spec["root"]["readonly"], false);
        assert_eq!(spec["process"]["terminal"], false);
        assert_eq!(spec["process"]["args"][2], CTR_SCRIPT);
    }
}
