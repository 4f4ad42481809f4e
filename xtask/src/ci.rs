//! `cargo xtask ci`: the gate CI runs — format check, clippy with warnings denied, and
//! every test of the workspace. Output passes through untouched (CI reads the
//! `test result:` lines); the first failing step stops the run and is named.

use anyhow::{bail, Result};

use crate::util::{cargo, display};

/// The steps, in order: the cheap ones first.
const STEPS: &[&[&str]] = &[
    &["fmt", "--all", "--", "--check"],
    &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
    &["test", "--workspace"],
];

/// Runs every step; fails fast on the first that fails.
pub fn run() -> Result<()> {
    for (i, step) in STEPS.iter().enumerate() {
        let mut cmd = cargo();
        cmd.args(*step);
        let shown = display(&cmd);
        eprintln!("==> [{}/{}] {shown}", i + 1, STEPS.len());
        let status = cmd.status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => bail!(
                "ci step {}/{} `{shown}` failed ({status}); later steps were not run",
                i + 1,
                STEPS.len()
            ),
            Err(err) => bail!("ci step `{shown}` could not be started: {err}"),
        }
    }
    eprintln!("==> ci passed: fmt, clippy, tests");
    Ok(())
}
