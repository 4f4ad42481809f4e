//! `cargo xtask fuzz`: runs each cargo-fuzz target of `fuzz/` for a bounded time and
//! prints how many inputs each one executed; fails when libFuzzer reports a crash (a
//! panic, a sanitizer error, a timeout or running out of memory), naming the artifact.
//!
//! Each target runs as
//! `cargo +nightly fuzz run --debug-assertions <t> fuzz/corpus/<t> fuzz/seeds/<t> --
//! -max_total_time=S -timeout=10`: new inputs go to the (git-ignored) corpus, the
//! committed seeds are only read. libFuzzer's output goes to `fuzz/target/logs/<t>.log`.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

use crate::util;

/// Usage text of `cargo xtask fuzz`.
pub const USAGE: &str = "\
cargo xtask fuzz [OPTIONS]

Runs every fuzz target of fuzz/ (or one) for a bounded time with cargo-fuzz and the
nightly toolchain; prints executions per target; fails on any crash.
    --secs S         seconds per target (default 60)
    --target T       only this target (config, names, signal, template)
    -h, --help       print this text
";

/// Default time per target, seconds.
const DEFAULT_SECS: u64 = 60;
/// libFuzzer's per-input time limit: a slower input is reported as a hang.
const INPUT_TIMEOUT_SECS: u64 = 10;

/// Options of `cargo xtask fuzz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzArgs {
    /// Seconds of fuzzing per target.
    pub secs: u64,
    /// Only this target, when given.
    pub target: Option<String>,
}

/// Parses the arguments after `fuzz`; `Ok(None)` asks for the usage text.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Option<FuzzArgs>> {
    let mut out = FuzzArgs {
        secs: DEFAULT_SECS,
        target: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String> {
            match inline.clone().or_else(|| it.next()) {
                Some(v) if !v.starts_with("--") => Ok(v),
                _ => bail!("option `{flag}` needs a value"),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--secs" => {
                let raw = value()?;
                out.secs = raw
                    .parse()
                    .with_context(|| format!("option `--secs`: `{raw}` is not a whole number"))?;
                if out.secs == 0 {
                    bail!("option `--secs` must be at least 1");
                }
            }
            "--target" => out.target = Some(value()?),
            _ => bail!("unknown option `{arg}` for `fuzz`\n\n{USAGE}"),
        }
    }
    Ok(Some(out))
}

/// What one target's run gave.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    target: String,
    /// Inputs executed.
    runs: u64,
    /// Seconds libFuzzer reported (0 when it crashed before its final line).
    secs: u64,
    /// Inputs in the corpus directory afterwards.
    corpus: usize,
    /// The crash artifact, when libFuzzer wrote one.
    artifact: Option<PathBuf>,
    log: PathBuf,
}

/// Entry point: `args` are the arguments after `fuzz`.
pub fn run<I: IntoIterator<Item = String>>(args: I) -> Result<()> {
    let Some(args) = parse_args(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    let root = util::workspace_root();
    let fuzz_dir = root.join("fuzz");
    let all = targets(&fuzz_dir)?;
    let selected = match &args.target {
        Some(t) if all.contains(t) => vec![t.clone()],
        Some(t) => bail!("unknown fuzz target `{t}`: one of {}", all.join(", ")),
        None => all,
    };
    check_tools(&root)?;

    // Build first (all selected targets at once), so compile errors show plainly.
    let mut build = cargo_fuzz(&root);
    build.args(["build", "--debug-assertions"]);
    if let [one] = selected.as_slice() {
        build.arg(one);
    }
    eprintln!("$ {}", util::display(&build));
    let status = build.status().context("running cargo fuzz build")?;
    if !status.success() {
        bail!("`cargo fuzz build` failed ({status})");
    }

    let logs = fuzz_dir.join("target").join("logs");
    fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut outcomes = Vec::new();
    for t in &selected {
        outcomes.push(run_target(&root, &fuzz_dir, &logs, t, args.secs)?);
    }

    println!();
    print!("{}", table(&outcomes, &root));
    let crashed: Vec<&Outcome> = outcomes.iter().filter(|o| o.artifact.is_some()).collect();
    if !crashed.is_empty() {
        for o in &crashed {
            let a = o.artifact.as_deref().unwrap_or(Path::new("?"));
            eprintln!(
                "crash in `{}`: {} (log {}); reproduce with `cargo +nightly fuzz run --debug-assertions {} {}`",
                o.target,
                rel(a, &root),
                rel(&o.log, &root),
                o.target,
                rel(a, &root),
            );
        }
        bail!("fuzzing found {} crashing target(s)", crashed.len());
    }
    Ok(())
}

/// The targets: the `.rs` files of `fuzz/fuzz_targets`, sorted.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let dir = fuzz_dir.join("fuzz_targets");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                out.push(stem.to_owned());
            }
        }
    }
    out.sort();
    if out.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    Ok(out)
}

/// `cargo fuzz …` through rustup's `cargo` with the nightly toolchain, from the workspace
/// root, without the variables of the cargo that runs xtask (they would pin stable) and
/// with cargo-fuzz's own target dir (`fuzz/target`).
fn cargo_fuzz(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").arg("fuzz").current_dir(root);
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Fails with how to install what is missing: the nightly toolchain or cargo-fuzz.
fn check_tools(root: &Path) -> Result<()> {
    let mut nightly = Command::new("cargo");
    nightly
        .args(["+nightly", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .current_dir(root);
    if !util::run_quiet(&mut nightly) {
        bail!(
            "the nightly toolchain is needed for cargo fuzz: install it with `rustup toolchain install nightly`"
        );
    }
    let mut fuzz = cargo_fuzz(root);
    fuzz.arg("--version");
    if !util::run_quiet(&mut fuzz) {
        bail!("cargo-fuzz is not installed: install it with `cargo install cargo-fuzz`");
    }
    Ok(())
}

fn run_target(
    root: &Path,
    fuzz_dir: &Path,
    logs: &Path,
    target: &str,
    secs: u64,
) -> Result<Outcome> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let seeds = fuzz_dir.join("seeds").join(target);
    fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let log = logs.join(format!("{target}.log"));
    let file = fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let mut cmd = cargo_fuzz(root);
    cmd.args(["run", "--debug-assertions", target])
        .arg(&corpus)
        .args(seeds.is_dir().then_some(&seeds))
        .arg("--")
        .arg(format!("-max_total_time={secs}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    eprintln!(
        "fuzzing `{target}` for {secs} s (log {}): {}",
        rel(&log, root),
        util::display(&cmd)
    );
    let status = cmd.status().context("running cargo fuzz run")?;
    let text = fs::read_to_string(&log).unwrap_or_default();
    let artifact = find_artifact(&text).map(|a| root.join(a));
    let done = parse_done(&text);
    if !status.success() && artifact.is_none() {
        bail!(
            "`cargo fuzz run {target}` failed ({status}) without a crash artifact; the end of {}:\n{}",
            log.display(),
            tail(&text, 20)
        );
    }
    let (runs, secs) = done.unwrap_or((last_exec_count(&text).unwrap_or(0), 0));
    let corpus = fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
    Ok(Outcome {
        target: target.to_owned(),
        runs,
        secs,
        corpus,
        artifact,
        log,
    })
}

/// libFuzzer's final `Done N runs in S second(s)` line.
fn parse_done(log: &str) -> Option<(u64, u64)> {
    log.lines().rev().find_map(|l| {
        let rest = l.trim().strip_prefix("Done ")?;
        let (runs, rest) = rest.split_once(" runs in ")?;
        let secs = rest.strip_suffix(" second(s)")?;
        Some((runs.parse().ok()?, secs.parse().ok()?))
    })
}

/// The executions of libFuzzer's last status line (`#1234\tpulse …`), for runs cut short
/// by a crash.
fn last_exec_count(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| {
        let rest = l.strip_prefix('#')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The path of `Test unit written to PATH` (crash, timeout or out-of-memory input).
fn find_artifact(log: &str) -> Option<PathBuf> {
    log.lines().find_map(|l| {
        let (_, path) = l.split_once("Test unit written to ")?;
        let path = path.trim();
        (!path.is_empty()).then(|| PathBuf::from(path))
    })
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn rel(p: &Path, root: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn table(outcomes: &[Outcome], root: &Path) -> String {
    let mut out = format!(
        "{:<10} {:>12} {:>6} {:>10} {:>7}  {}\n",
        "TARGET", "EXECUTIONS", "SECS", "EXEC/S", "CORPUS", "RESULT"
    );
    let mut total = 0;
    for o in outcomes {
        total += o.runs;
        let rate = o.runs.checked_div(o.secs).unwrap_or(0);
        let result = match &o.artifact {
            Some(a) => format!("CRASH {}", rel(a, root)),
            None => "ok".to_owned(),
        };
        out.push_str(&format!(
            "{:<10} {:>12} {:>6} {:>10} {:>7}  {}\n",
            o.target, o.runs, o.secs, rate, o.corpus, result
        ));
    }
    out.push_str(&format!("{:<10} {:>12}\n", "total", total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Option<FuzzArgs>> {
        parse_args(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_options() {
        assert_eq!(
            args(&[]).unwrap(),
            Some(FuzzArgs {
                secs: 60,
                target: None
            })
        );
        assert_eq!(
            args(&["--secs", "5", "--target=names"]).unwrap(),
            Some(FuzzArgs {
                secs: 5,
                target: Some("names".into())
            })
        );
        assert_eq!(args(&["--secs=7"]).unwrap().unwrap().secs, 7);
        assert_eq!(args(&["--help"]).unwrap(), None);
        for bad in [
            &["--secs"][..],
            &["--secs", "x"],
            &["--secs", "0"],
            &["--bogus"],
            &["--target"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    const DONE_LOG: &str = "\
INFO: seed corpus: files: 6 min: 2b max: 10b total: 36b rss: 56Mb
#7\tINITED cov: 158 ft: 204 corp: 6/36b exec/s: 0 rss: 56Mb
#2690528\tDONE   cov: 272 ft: 544 corp: 136/6057b lim: 4096 exec/s: 86791 rss: 550Mb
Done 2690528 runs in 31 second(s)
";

    const CRASH_LOG: &str = "\
#1024\tpulse  cov: 10 ft: 11 corp: 3/9b exec/s: 512 rss: 40Mb
#1500\tNEW    cov: 12 ft: 13 corp: 4/12b lim: 4 exec/s: 500 rss: 40Mb
thread '<unnamed>' panicked at src/model/signal.rs:91:29:
attempt to add with overflow
==1234== ERROR: libFuzzer: deadly signal
artifact_prefix='/w/fuzz/artifacts/signal/'; Test unit written to /w/fuzz/artifacts/signal/crash-da39a3ee
Base64: UlRNSU4rMjE0NzQ4MzY0Nw==
";

    #[test]
    fn parses_libfuzzer_output() {
        assert_eq!(parse_done(DONE_LOG), Some((2_690_528, 31)));
        assert_eq!(find_artifact(DONE_LOG), None);
        assert_eq!(parse_done(CRASH_LOG), None);
        assert_eq!(last_exec_count(CRASH_LOG), Some(1500));
        assert_eq!(
            find_artifact(CRASH_LOG),
            Some(PathBuf::from("/w/fuzz/artifacts/signal/crash-da39a3ee"))
        );
    }

    #[test]
    fn table_shows_rates_and_crashes() {
        let root = Path::new("/w");
        let t = table(
            &[
                Outcome {
                    target: "names".into(),
                    runs: 1000,
                    secs: 10,
                    corpus: 5,
                    artifact: None,
                    log: "/w/fuzz/target/logs/names.log".into(),
                },
                Outcome {
                    target: "signal".into(),
                    runs: 7,
                    secs: 0,
                    corpus: 1,
                    artifact: Some("/w/fuzz/artifacts/signal/crash-1".into()),
                    log: "/w/fuzz/target/logs/signal.log".into(),
                },
            ],
            root,
        );
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("TARGET"), "{t}");
        assert!(
            lines[1].contains("1000") && lines[1].contains(" 100 ") && lines[1].ends_with("ok")
        );
        assert!(
            lines[2].ends_with("CRASH fuzz/artifacts/signal/crash-1"),
            "{t}"
        );
        assert!(
            lines[3].starts_with("total") && lines[3].ends_with("1007"),
            "{t}"
        );
    }

    #[test]
    fn finds_the_committed_targets() {
        let t = targets(&util::workspace_root().join("fuzz")).unwrap();
        for want in ["config", "names", "signal", "template"] {
            assert!(t.iter().any(|x| x == want), "{t:?}");
        }
    }
}
