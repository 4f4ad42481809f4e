//! Command-line parsing for `cargo xtask` (hand-rolled: a handful of flags does not
//! need a parser crate).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// Usage text printed by `cargo xtask help` and on a parse error.
pub const USAGE: &str = "\
cargo xtask <TASK> [OPTIONS]

TASKS:
    ci       cargo fmt --check, cargo clippy -D warnings, cargo test (the CI gate)
    demo     build podctl and run a real pod end to end (needs root, runc, catatonit)
        --keep             leave the pod running and its state directories in place
        --release          use a release build of podctl instead of a debug one
    bench    time podctl against podman on the same pods (needs root, runc, catatonit)
        --containers N     containers per pod besides infra (default 10)
        --reps K           repetitions of each measurement (default 5)
        --json PATH        where to write the report (default target/bench/report.json)
        --ps-pods M        pods listed by the `pod ps` measurement (default 200)
        --no-podman        measure podctl alone even when podman is installed
        --no-scaling       skip the N = 1, 10, 50 and chain-of-10 start scaling runs
    fuzz     run each cargo-fuzz target for a bounded time (`cargo xtask fuzz --help`)
    help     print this text
";

/// One `cargo xtask` invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// The CI gate: fmt check, clippy, tests.
    Ci,
    /// A real pod end to end through the CLI.
    Demo(DemoArgs),
    /// podctl side by side with podman.
    Bench(BenchArgs),
    /// Print the usage text.
    Help,
}

/// Options of `cargo xtask demo`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoArgs {
    /// Leave the pod and its state directories in place.
    pub keep: bool,
    /// Build podctl with `--release`.
    pub release: bool,
}

/// Options of `cargo xtask bench`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchArgs {
    /// Containers per pod besides infra.
    pub containers: usize,
    /// Repetitions of every measurement.
    pub reps: usize,
    /// Report path; `None` means `<target dir>/bench/report.json`.
    pub json: Option<PathBuf>,
    /// Number of pods listed by the `pod ps` measurement.
    pub ps_pods: usize,
    /// Skip podman even when it is installed.
    pub no_podman: bool,
    /// Skip the start-scaling runs.
    pub no_scaling: bool,
}

impl Default for BenchArgs {
    fn default() -> Self {
        BenchArgs {
            containers: 10,
            reps: 5,
            json: None,
            ps_pods: 200,
            no_podman: false,
            no_scaling: false,
        }
    }
}

/// Parses the arguments after `cargo xtask` (program name already removed).
pub fn parse<I>(args: I) -> Result<Task>
where
    I: IntoIterator<Item = String>,
{
    let mut args = Args::new(args);
    let Some(task) = args.next_raw() else {
        return Ok(Task::Help);
    };
    let task = match task.as_str() {
        "ci" => Task::Ci,
        "demo" => {
            let mut demo = DemoArgs::default();
            while let Some(flag) = args.next_flag()? {
                match flag.as_str() {
                    "--keep" => demo.keep = args.switch(&flag)?,
                    "--release" => demo.release = args.switch(&flag)?,
                    _ => bail!("unknown option `{flag}` for `demo`\n\n{USAGE}"),
                }
            }
            Task::Demo(demo)
        }
        "bench" => {
            let mut bench = BenchArgs::default();
            while let Some(flag) = args.next_flag()? {
                match flag.as_str() {
                    "--containers" => bench.containers = args.number(&flag, 1)?,
                    "--reps" => bench.reps = args.number(&flag, 1)?,
                    "--ps-pods" => bench.ps_pods = args.number(&flag, 1)?,
                    "--json" => bench.json = Some(PathBuf::from(args.value(&flag)?)),
                    "--no-podman" => bench.no_podman = args.switch(&flag)?,
                    "--no-scaling" => bench.no_scaling = args.switch(&flag)?,
                    _ => bail!("unknown option `{flag}` for `bench`\n\n{USAGE}"),
                }
            }
            Task::Bench(bench)
        }
        "help" | "-h" | "--help" => Task::Help,
        other => bail!("unknown task `{other}`\n\n{USAGE}"),
    };
    if let Task::Ci | Task::Help = task {
        if let Some(extra) = args.next_raw() {
            bail!("unexpected argument `{extra}`\n\n{USAGE}");
        }
    }
    Ok(task)
}

/// A cursor over the arguments that understands `--flag value` and `--flag=value`.
struct Args {
    rest: std::vec::IntoIter<String>,
    /// The value glued to the current flag by `=`, if any.
    inline: Option<String>,
}

impl Args {
    fn new<I: IntoIterator<Item = String>>(args: I) -> Self {
        Args {
            rest: args.into_iter().collect::<Vec<_>>().into_iter(),
            inline: None,
        }
    }

    fn next_raw(&mut self) -> Option<String> {
        self.rest.next()
    }

    /// The next option name; `-h`/`--help` become an error carrying the usage text.
    fn next_flag(&mut self) -> Result<Option<String>> {
        let Some(arg) = self.rest.next() else {
            return Ok(None);
        };
        if arg == "-h" || arg == "--help" {
            bail!("{USAGE}");
        }
        if !arg.starts_with("--") {
            bail!("unexpected argument `{arg}`\n\n{USAGE}");
        }
        match arg.split_once('=') {
            Some((flag, value)) => {
                self.inline = Some(value.to_owned());
                Ok(Some(flag.to_owned()))
            }
            None => {
                self.inline = None;
                Ok(Some(arg))
            }
        }
    }

    fn switch(&mut self, flag: &str) -> Result<bool> {
        match self.inline.take() {
            None => Ok(true),
            Some(value) => bail!("option `{flag}` takes no value (got `{value}`)"),
        }
    }

    fn value(&mut self, flag: &str) -> Result<String> {
        if let Some(value) = self.inline.take() {
            return Ok(value);
        }
        match self.rest.next() {
            Some(value) if !value.starts_with("--") => Ok(value),
            _ => bail!("option `{flag}` needs a value"),
        }
    }

    fn number(&mut self, flag: &str, min: usize) -> Result<usize> {
        let raw = self.value(flag)?;
        let n: usize = raw
            .parse()
            .with_context(|| format!("option `{flag}`: `{raw}` is not a whole number"))?;
        if n < min {
            bail!("option `{flag}` must be at least {min} (got {n})");
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Task> {
        parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn no_task_is_help() {
        assert_eq!(parse_str("").unwrap(), Task::Help);
        assert_eq!(parse_str("help").unwrap(), Task::Help);
        assert_eq!(parse_str("--help").unwrap(), Task::Help);
    }

    #[test]
    fn ci_takes_no_arguments() {
        assert_eq!(parse_str("ci").unwrap(), Task::Ci);
        let err = parse_str("ci --fast").unwrap_err().to_string();
        assert!(err.contains("unexpected argument `--fast`"), "{err}");
    }

    #[test]
    fn unknown_task_is_an_error() {
        let err = parse_str("deploy").unwrap_err().to_string();
        assert!(err.starts_with("unknown task `deploy`"), "{err}");
    }

    #[test]
    fn demo_flags() {
        assert_eq!(parse_str("demo").unwrap(), Task::Demo(DemoArgs::default()));
        assert_eq!(
            parse_str("demo --keep --release").unwrap(),
            Task::Demo(DemoArgs {
                keep: true,
                release: true
            })
        );
        let err = parse_str("demo --keep=yes").unwrap_err().to_string();
        assert!(err.contains("takes no value"), "{err}");
        let err = parse_str("demo --verbose").unwrap_err().to_string();
        assert!(
            err.starts_with("unknown option `--verbose` for `demo`"),
            "{err}"
        );
    }

    #[test]
    fn bench_defaults() {
        assert_eq!(
            parse_str("bench").unwrap(),
            Task::Bench(BenchArgs::default())
        );
        let d = BenchArgs::default();
        assert_eq!((d.containers, d.reps, d.ps_pods), (10, 5, 200));
    }

    #[test]
    fn bench_values_both_spellings() {
        let task =
            parse_str("bench --containers 3 --reps=7 --json /tmp/r.json --ps-pods=20 --no-podman")
                .unwrap();
        assert_eq!(
            task,
            Task::Bench(BenchArgs {
                containers: 3,
                reps: 7,
                json: Some(PathBuf::from("/tmp/r.json")),
                ps_pods: 20,
                no_podman: true,
                no_scaling: false,
            })
        );
    }

    #[test]
    fn bench_bad_values() {
        let err = parse_str("bench --reps").unwrap_err().to_string();
        assert_eq!(err, "option `--reps` needs a value");
        let err = parse_str("bench --reps --json x").unwrap_err().to_string();
        assert_eq!(err, "option `--reps` needs a value");
        let err = parse_str("bench --containers ten").unwrap_err().to_string();
        assert_eq!(err, "option `--containers`: `ten` is not a whole number");
        let err = parse_str("bench --reps 0").unwrap_err().to_string();
        assert_eq!(err, "option `--reps` must be at least 1 (got 0)");
        let err = parse_str("bench extra").unwrap_err().to_string();
        assert!(err.starts_with("unexpected argument `extra`"), "{err}");
    }
}
