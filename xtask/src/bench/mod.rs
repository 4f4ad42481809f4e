//! `cargo xtask bench`: podctl and podman side by side on the same pods.
//!
//! Both CLIs get the same busybox rootfs (one copy each, used in place with
//! `--rootfs`), runc as runtime and private state directories. Each repetition runs
//! the operation sequence in both tools, alternating which goes first, then the runc
//! floor. A last, untimed repetition runs under ptrace to read each CLI's own peak
//! RSS at exit and scans `/proc` for the per-container monitors (podctl's monitor,
//! conmon). The pod state is checked after each step, outside the timed region, so
//! a tool cannot win by doing nothing.

mod floor;
mod measure;
mod stats;
mod tools;

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::{
    cleanup,
    flags::BenchArgs,
    util::{self, Profile, TempDir},
};
use floor::Floor;
use measure::{Mode, Runner};
use stats::{fmt_kb, fmt_ms, fmt_ratio, median, ratio, Table};
use tools::{Kind, Shape, Tool};

/// Name of the pod the operation sequence runs on.
const POD: &str = "bench";
/// Name of the pod the scaling runs use.
const SCALE_POD: &str = "scale";
/// The start-scaling shapes.
const SCALING: [Shape; 4] = [
    Shape::Flat(1),
    Shape::Flat(10),
    Shape::Flat(50),
    Shape::Chain(10),
];

/// Runs the benchmark, prints the tables and writes the JSON report.
pub fn run(args: &BenchArgs) -> Result<()> {
    let host = util::check_host()?;
    util::install_sigint_flag();
    let podman = if args.no_podman {
        eprintln!("==> --no-podman: measuring podctl alone");
        None
    } else {
        let found = util::which("podman");
        if found.is_none() {
            eprintln!(
                "==> podman is not installed: printing podctl's figures alone \
                 (apt-get install -y podman to compare)"
            );
        }
        found
    };
    let podctl = util::build_podctl(Profile::Release)?;
    let json_path = match &args.json {
        Some(p) => p.clone(),
        None => util::target_dir()?.join("bench").join("report.json"),
    };

    // Short paths: podman's conmon sockets and runc state live under this directory.
    let scratch = TempDir::new("xb")?;
    let mut tools = Vec::new();
    let rootfs = scratch.path().join("rootfs-podctl");
    util::build_rootfs(&host.busybox, &rootfs)?;
    tools.push(Tool::podctl(
        &podctl,
        scratch.path().join("podctl"),
        &host.runc,
        rootfs,
    )?);
    if let Some(podman) = &podman {
        let rootfs = scratch.path().join("rootfs-podman");
        util::build_rootfs(&host.busybox, &rootfs)?;
        tools.push(Tool::podman(
            podman,
            scratch.path().join("podman"),
            &host.runc,
            rootfs,
        )?);
    }
    let floor_rootfs = scratch.path().join("rootfs-floor");
    util::build_rootfs(&host.busybox, &floor_rootfs)?;

    let mut bench = Bench {
        args: args.clone(),
        runner: Runner::new(scratch.path()),
        runc: host.runc.clone(),
        scratch: scratch.path().to_path_buf(),
        floor_rootfs,
        tools,
        ops: Ops::default(),
        monitors: BTreeMap::new(),
        scaling: Vec::new(),
        floor_ms: Vec::new(),
    };
    let started = Instant::now();
    let load_before = loadavg();
    let result = bench.run_all();
    let load_after = loadavg();
    eprintln!("==> cleaning up");
    bench.cleanup();
    drop(scratch);
    result?;

    let mut machine = machine_info(&host.runc, podman.as_deref());
    machine["loadavg_1m"] = json!({"before": load_before, "after": load_after});
    let report = bench.report(&machine);
    println!("{report}");
    let json = bench.json(&machine, started.elapsed().as_secs_f64());
    if let Some(parent) = json_path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&json_path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    eprintln!("==> report written to {}", json_path.display());
    Ok(())
}

/// Timings and peak RSS per operation and tool, in first-recorded order.
#[derive(Debug, Default)]
struct Ops {
    order: Vec<String>,
    /// (op, tool) → wall times in ms.
    times: BTreeMap<(String, String), Vec<f64>>,
    /// (op, tool) → `ru_maxrss` of each timed run (CLI and the children it reaped).
    maxrss: BTreeMap<(String, String), Vec<u64>>,
    /// (op, tool) → the CLI's own peak RSS from the memory pass.
    self_rss: BTreeMap<(String, String), u64>,
}

impl Ops {
    fn key(&mut self, op: &str, tool: &str) -> (String, String) {
        if !self.order.iter().any(|o| o == op) {
            self.order.push(op.to_owned());
        }
        (op.to_owned(), tool.to_owned())
    }

    fn median_ms(&self, op: &str, tool: &str) -> Option<f64> {
        self.times
            .get(&(op.to_owned(), tool.to_owned()))
            .and_then(|v| median(v))
    }

    fn rss(&self, op: &str, tool: &str) -> Option<u64> {
        self.self_rss
            .get(&(op.to_owned(), tool.to_owned()))
            .copied()
    }
}

/// Monitor processes seen while the pod ran (memory pass).
#[derive(Debug, Clone)]
struct Monitors {
    count: usize,
    hwm_kb: Vec<u64>,
    rss_kb: Vec<u64>,
}

/// Start times of one scaling shape.
#[derive(Debug, Clone)]
struct ScaleRow {
    shape: Shape,
    /// tool → ms samples.
    times: BTreeMap<String, Vec<f64>>,
    floor_ms: Vec<f64>,
}

struct Bench {
    args: BenchArgs,
    runner: Runner,
    runc: PathBuf,
    scratch: PathBuf,
    floor_rootfs: PathBuf,
    tools: Vec<Tool>,
    ops: Ops,
    monitors: BTreeMap<String, Monitors>,
    scaling: Vec<ScaleRow>,
    floor_ms: Vec<f64>,
}

impl Bench {
    fn run_all(&mut self) -> Result<()> {
        self.operations()?;
        self.pod_ps()?;
        if !self.args.no_scaling {
            self.scaling()?;
        }
        Ok(())
    }

    /// Tool order for repetition `rep`: alternate who goes first.
    fn order(&self, rep: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.tools.len()).collect();
        if rep % 2 == 1 {
            idx.reverse();
        }
        idx
    }

    /// Times one CLI command of `tool`, recording it under `op`.
    fn timed(&mut self, t: usize, op: &str, args: &[&str], mode: Mode) -> Result<measure::Sample> {
        util::check_interrupted()?;
        let tool = &self.tools[t];
        let sample = self.runner.run(&mut tool.cmd(args), mode)?;
        let key = self.ops.key(op, tool.name());
        match mode {
            Mode::Time => {
                self.ops
                    .times
                    .entry(key.clone())
                    .or_default()
                    .push(sample.wall.as_secs_f64() * 1e3);
                self.ops
                    .maxrss
                    .entry(key)
                    .or_default()
                    .push(sample.maxrss_kb);
            }
            Mode::Memory => {
                if let Some(kb) = sample.self_hwm_kb {
                    self.ops.self_rss.insert(key, kb);
                }
            }
        }
        Ok(sample)
    }

    /// An untimed step.
    fn untimed(&self, t: usize, args: &[&str]) -> Result<()> {
        util::check_interrupted()?;
        self.tools[t].run(args).map(drop)
    }

    fn operations(&mut self) -> Result<()> {
        let n = self.args.containers;
        for t in 0..self.tools.len() {
            eprintln!(
                "==> {}: creating pod {POD} (infra + {n} containers)",
                self.tools[t].name()
            );
            self.tools[t].create_pod(POD, Shape::Flat(n))?;
        }
        let floor = Floor::new(
            &self.runc,
            &self.scratch.join("floor"),
            &self.floor_rootfs,
            n + 1,
        )?;
        let result = (|| -> Result<()> {
            for rep in 0..self.args.reps {
                eprintln!("==> operations: repetition {}/{}", rep + 1, self.args.reps);
                for t in self.order(rep) {
                    self.sequence(t, Mode::Time)?;
                }
                util::check_interrupted()?;
                self.floor_ms.push(floor.run_once()?.as_secs_f64() * 1e3);
            }
            eprintln!("==> operations: memory pass");
            for t in 0..self.tools.len() {
                self.sequence(t, Mode::Memory)?;
            }
            Ok(())
        })();
        floor.delete_all();
        result?;
        for tool in &self.tools {
            tool.rm_pod_quiet(POD);
        }
        Ok(())
    }

    /// start, pause, unpause, inspect, restart, kill, then stop -t 0 from running.
    fn sequence(&mut self, t: usize, mode: Mode) -> Result<()> {
        let tool_name = self.tools[t].name();
        self.timed(t, "pod start", &["pod", "start", POD], mode)?;
        self.tools[t].expect_state(POD, "Running")?;
        if mode == Mode::Memory {
            let procs = self.tools[t].monitors();
            let hwm_kb = procs
                .iter()
                .filter_map(|p| util::proc_status_kb(p.pid, "VmHWM"))
                .collect();
            let rss_kb = procs
                .iter()
                .filter_map(|p| util::proc_status_kb(p.pid, "VmRSS"))
                .collect();
            let label = match self.tools[t].kind {
                Kind::Podctl => "podctl monitor",
                Kind::Podman => "conmon",
            };
            self.monitors.insert(
                label.to_owned(),
                Monitors {
                    count: procs.len(),
                    hwm_kb,
                    rss_kb,
                },
            );
        }
        self.timed(t, "pod pause", &["pod", "pause", POD], mode)?;
        self.tools[t].expect_state(POD, "Paused")?;
        self.timed(t, "pod unpause", &["pod", "unpause", POD], mode)?;
        self.tools[t].expect_state(POD, "Running")?;
        self.timed(t, "pod inspect", &["pod", "inspect", POD], mode)?;
        self.timed(t, "pod restart", &["pod", "restart", POD], mode)?;
        self.tools[t].expect_state(POD, "Running")?;
        self.timed(t, "pod kill", &["pod", "kill", POD], mode)?;
        // Settle: SIGKILL is asynchronous; stop records the exits in both tools.
        self.untimed(t, &["pod", "stop", "-t", "0", POD])?;
        self.tools[t].expect_state(POD, "Exited")?;
        self.untimed(t, &["pod", "start", POD])?;
        self.tools[t].expect_state(POD, "Running")?;
        self.timed(t, "pod stop -t 0", &["pod", "stop", "-t", "0", POD], mode)?;
        self.tools[t].expect_state(POD, "Exited")?;
        if mode == Mode::Time {
            eprintln!("    {tool_name}: done");
        }
        Ok(())
    }

    fn ps_op(&self) -> String {
        format!("pod ps ({} pods)", self.args.ps_pods)
    }

    fn pod_ps(&mut self) -> Result<()> {
        let m = self.args.ps_pods;
        for t in 0..self.tools.len() {
            eprintln!(
                "==> {}: creating {m} pods for `pod ps`",
                self.tools[t].name()
            );
            for i in 0..m {
                util::check_interrupted()?;
                self.tools[t].create_empty_pod(&format!("ps-{i}"))?;
            }
        }
        let op = self.ps_op();
        let reps = (0..self.args.reps)
            .flat_map(|rep| self.order(rep).into_iter().map(|t| (t, Mode::Time)));
        let memory = (0..self.tools.len()).map(|t| (t, Mode::Memory));
        for (t, mode) in reps.chain(memory).collect::<Vec<_>>() {
            let out = self.timed(t, &op, &["pod", "ps"], mode)?.stdout;
            let listed = out.lines().filter(|l| l.contains(" ps-")).count();
            if listed != m {
                bail!(
                    "{} pod ps listed {listed} of the {m} pods:\n{out}",
                    self.tools[t].name()
                );
            }
        }
        for tool in &self.tools {
            if !util::run_quiet(&mut tool.cmd(&["pod", "rm", "-a", "-f"])) {
                for i in 0..m {
                    tool.rm_pod_quiet(&format!("ps-{i}"));
                }
            }
        }
        Ok(())
    }

    fn scaling(&mut self) -> Result<()> {
        for (i, shape) in SCALING.into_iter().enumerate() {
            eprintln!("==> scaling: {}", shape.label());
            for tool in &self.tools {
                tool.create_pod(SCALE_POD, shape)?;
            }
            let floor = Floor::new(
                &self.runc,
                &self.scratch.join(format!("floor-scale-{i}")),
                &self.floor_rootfs,
                shape.containers() + 1,
            )?;
            let mut row = ScaleRow {
                shape,
                times: BTreeMap::new(),
                floor_ms: Vec::new(),
            };
            let result = (|| -> Result<()> {
                for rep in 0..self.args.reps {
                    for t in self.order(rep) {
                        let tool = &self.tools[t];
                        util::check_interrupted()?;
                        let s = self
                            .runner
                            .run(&mut tool.cmd(&["pod", "start", SCALE_POD]), Mode::Time)?;
                        tool.expect_state(SCALE_POD, "Running")?;
                        tool.run(&["pod", "stop", "-t", "0", SCALE_POD])?;
                        row.times
                            .entry(tool.name().to_owned())
                            .or_default()
                            .push(s.wall.as_secs_f64() * 1e3);
                    }
                    util::check_interrupted()?;
                    row.floor_ms.push(floor.run_once()?.as_secs_f64() * 1e3);
                }
                Ok(())
            })();
            floor.delete_all();
            for tool in &self.tools {
                tool.rm_pod_quiet(SCALE_POD);
            }
            result?;
            self.scaling.push(row);
        }
        Ok(())
    }

    fn cleanup(&self) {
        for tool in &self.tools {
            tool.cleanup();
            let left = cleanup::force_cleanup(&self.runc, &tool.dir, &tool.pod_ids());
            cleanup::warn_leftovers(tool.name(), &left);
        }
        let left = cleanup::force_cleanup(&self.runc, &self.scratch, &[]);
        cleanup::warn_leftovers("the runc floor", &left);
    }

    fn has_podman(&self) -> bool {
        self.tools.iter().any(|t| t.kind == Kind::Podman)
    }

    /// The Markdown report: machine, main table, monitors, scaling.
    fn report(&self, machine: &Value) -> String {
        let n = self.args.containers;
        let k = self.args.reps;
        let mut out = String::new();
        let order = if self.has_podman() {
            ", podctl and podman alternating"
        } else {
            ""
        };
        out.push_str(&format!(
            "Machine: {}\nPods: infra + {n} containers (`sh -c \"{}\"`), medians of {k} \
             repetitions{order}.\n\n",
            machine_line(machine),
            tools::CTR_SCRIPT
        ));
        if !self.has_podman() {
            out.push_str("podman: not measured (absent or --no-podman).\n\n");
        }
        let mut table = Table::new([
            "operation",
            "podctl ms",
            "podman ms",
            "podctl/podman",
            "podctl CLI RSS",
            "podman CLI RSS",
        ]);
        for op in &self.ops.order {
            let ours = self.ops.median_ms(op, "podctl");
            let theirs = self.ops.median_ms(op, "podman");
            table.row([
                op.clone(),
                fmt_ms(ours),
                fmt_ms(theirs),
                fmt_ratio(ratio(ours, theirs)),
                fmt_kb(self.ops.rss(op, "podctl")),
                fmt_kb(self.ops.rss(op, "podman")),
            ]);
        }
        let podman = self.has_podman();
        let keep = |h: &str| podman || !h.contains("podman");
        table.retain_columns(keep);
        out.push_str(&table.render());
        let floor = median(&self.floor_ms);
        let start = self.ops.median_ms("pod start", "podctl");
        out.push_str(&format!(
            "\nFloor: `runc create` + `runc start` of {} containers in sequence: {} ms; \
             podctl pod start / floor: {}\n",
            n + 1,
            fmt_ms(floor),
            fmt_ratio(ratio(start, floor))
        ));
        let peak = |tool: &str| {
            self.ops
                .self_rss
                .iter()
                .filter(|((_, t), _)| t == tool)
                .map(|(_, kb)| *kb)
                .max()
        };
        let podman_peak = if podman {
            format!(", podman {}", fmt_kb(peak("podman")))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "CLI peak RSS over all operations: podctl {}{podman_peak}\n\n",
            fmt_kb(peak("podctl")),
        ));

        let mut mon = Table::new([
            "per-container monitor",
            "processes",
            "peak RSS (median)",
            "peak RSS (max)",
            "RSS now (median)",
        ]);
        for (name, m) in &self.monitors {
            mon.row([
                name.clone(),
                m.count.to_string(),
                fmt_kb(median_u64(&m.hwm_kb)),
                fmt_kb(m.hwm_kb.iter().max().copied()),
                fmt_kb(median_u64(&m.rss_kb)),
            ]);
        }
        out.push_str(&mon.render());

        if !self.scaling.is_empty() {
            out.push_str("\nScaling of `pod start` (containers besides infra):\n\n");
            let mut sc = Table::new([
                "pod start",
                "podctl ms",
                "podman ms",
                "podctl/podman",
                "runc floor ms",
                "podctl/floor",
            ]);
            for row in &self.scaling {
                let ours = row.times.get("podctl").and_then(|v| median(v));
                let theirs = row.times.get("podman").and_then(|v| median(v));
                let floor = median(&row.floor_ms);
                sc.row([
                    row.shape.label(),
                    fmt_ms(ours),
                    fmt_ms(theirs),
                    fmt_ratio(ratio(ours, theirs)),
                    fmt_ms(floor),
                    fmt_ratio(ratio(ours, floor)),
                ]);
            }
            sc.retain_columns(keep);
            out.push_str(&sc.render());
        }
        out
    }

    fn json(&self, machine: &Value, elapsed_s: f64) -> Value {
        let tool_names: Vec<&str> = self.tools.iter().map(Tool::name).collect();
        let ops: Vec<Value> = self
            .ops
            .order
            .iter()
            .map(|op| {
                let mut per_tool = serde_json::Map::new();
                for tool in &tool_names {
                    let key = (op.clone(), (*tool).to_owned());
                    per_tool.insert(
                        (*tool).to_owned(),
                        json!({
                            "samples_ms": self.ops.times.get(&key),
                            "median_ms": self.ops.median_ms(op, tool),
                            "cli_peak_rss_kb": self.ops.rss(op, tool),
                            "maxrss_with_reaped_children_kb": self.ops.maxrss.get(&key),
                        }),
                    );
                }
                json!({
                    "op": op,
                    "tools": per_tool,
                    "ratio_podctl_podman": ratio(
                        self.ops.median_ms(op, "podctl"),
                        self.ops.median_ms(op, "podman"),
                    ),
                })
            })
            .collect();
        let monitors: serde_json::Map<String, Value> = self
            .monitors
            .iter()
            .map(|(name, m)| {
                (
                    name.clone(),
                    json!({
                        "count": m.count,
                        "vmhwm_kb": m.hwm_kb,
                        "vmrss_kb": m.rss_kb,
                        "vmhwm_median_kb": median_u64(&m.hwm_kb),
                    }),
                )
            })
            .collect();
        let scaling: Vec<Value> = self
            .scaling
            .iter()
            .map(|row| {
                let ours = row.times.get("podctl").and_then(|v| median(v));
                let theirs = row.times.get("podman").and_then(|v| median(v));
                json!({
                    "shape": row.shape.label(),
                    "containers": row.shape.containers(),
                    "samples_ms": row.times,
                    "median_ms": {"podctl": ours, "podman": theirs},
                    "ratio_podctl_podman": ratio(ours, theirs),
                    "runc_floor_samples_ms": row.floor_ms,
                    "runc_floor_median_ms": median(&row.floor_ms),
                })
            })
            .collect();
        json!({
            "machine": machine,
            "params": {
                "containers": self.args.containers,
                "reps": self.args.reps,
                "ps_pods": self.args.ps_pods,
                "container_command": ["sh", "-c", tools::CTR_SCRIPT],
            },
            "tools": tool_names,
            "podman_measured": self.has_podman(),
            "operations": ops,
            "runc_floor": {
                "containers": self.args.containers + 1,
                "samples_ms": self.floor_ms,
                "median_ms": median(&self.floor_ms),
            },
            "monitors": monitors,
            "scaling": scaling,
            "elapsed_s": elapsed_s,
        })
    }
}

fn median_u64(v: &[u64]) -> Option<u64> {
    let as_f: Vec<f64> = v.iter().map(|x| *x as f64).collect();
    median(&as_f).map(|m| m.round() as u64)
}

/// The 1-minute load average: other work on the machine skews absolute times (the
/// alternation keeps the ratios fair), so the report records it.
fn loadavg() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What the run ran on.
fn machine_info(runc: &Path, podman: Option<&Path>) -> Value {
    let first_line = |mut cmd: std::process::Command| {
        util::output(&mut cmd)
            .ok()
            .and_then(|o| o.lines().next().map(str::to_owned))
    };
    let mut runc_cmd = std::process::Command::new(runc);
    runc_cmd.arg("--version");
    let podman_version = podman.and_then(|p| {
        let mut cmd = std::process::Command::new(p);
        cmd.arg("--version");
        first_line(cmd)
    });
    let os = fs::read_to_string("/etc/os-release").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_owned())
    });
    let mem_kb = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| util::parse_status_kb(&s, "MemTotal"));
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "mem_gib": mem_kb.map(|kb| (kb as f64 / 1024.0 / 1024.0).round() as u64),
        "os": os,
        "kernel": fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned()),
        "runc": first_line(runc_cmd),
        "podman": podman_version,
        "cgroup": cgroup_mode(),
    })
}

fn machine_line(m: &Value) -> String {
    let s = |k: &str| m[k].as_str().unwrap_or("?").to_owned();
    let load = |k: &str| {
        m["loadavg_1m"][k]
            .as_f64()
            .map_or("?".to_owned(), |l| format!("{l:.2}"))
    };
    format!(
        "{} CPUs, {} GiB, {}, kernel {}, {}, {}, cgroup {}; load average {} before, {} after",
        m["cpus"],
        m["mem_gib"],
        s("os"),
        s("kernel"),
        s("runc"),
        m["podman"].as_str().unwrap_or("podman absent"),
        s("cgroup"),
        load("before"),
        load("after"),
    )
}

/// `v2` (unified), `v1 hybrid` (v1 with a v2 mount at `unified`), or `v1`.
fn cgroup_mode() -> &'static str {
    if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "v2"
    } else if Path::new("/sys/fs/cgroup/unified").is_dir() {
        "v1 hybrid"
    } else {
        "v1"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench_with(tools: Vec<Tool>) -> Bench {
        Bench {
            args: BenchArgs::default(),
            runner: Runner::new(Path::new("/nonexistent")),
            runc: PathBuf::from("/usr/sbin/runc"),
            scratch: PathBuf::from("/nonexistent"),
            floor_rootfs: PathBuf::from("/nonexistent"),
            tools,
            ops: Ops::default(),
            monitors: BTreeMap::new(),
            scaling: Vec::new(),
            floor_ms: Vec::new(),
        }
    }

    fn fake_tools(dir: &Path) -> Vec<Tool> {
        vec![
            Tool::podctl(
                Path::new("/bin/podctl"),
                dir.join("a"),
                Path::new("/usr/sbin/runc"),
                dir.join("r"),
            )
            .unwrap(),
            Tool::podman(
                Path::new("/bin/podman"),
                dir.join("b"),
                Path::new("/usr/sbin/runc"),
                dir.join("r"),
            )
            .unwrap(),
        ]
    }

    #[test]
    fn report_without_podman_has_no_podman_columns() {
        let dir = TempDir::new("xtask-test-bench").unwrap();
        let mut tools = fake_tools(dir.path());
        tools.truncate(1);
        let mut b = bench_with(tools);
        let key = b.ops.key("pod start", "podctl");
        b.ops.times.insert(key, vec![10.0]);
        let text = b.report(&json!({}));
        assert!(text.contains("podman: not measured"), "{text}");
        assert!(text.contains("| pod start |      10.0 |"), "{text}");
        assert!(!text.contains("podman ms"), "{text}");
        assert!(!text.contains("podman CLI"), "{text}");
        assert!(!text.contains("alternating"), "{text}");
    }

    #[test]
    fn alternation() {
        let dir = TempDir::new("xtask-test-bench").unwrap();
        let b = bench_with(fake_tools(dir.path()));
        assert_eq!(b.order(0), [0, 1]);
        assert_eq!(b.order(1), [1, 0]);
        assert_eq!(b.order(2), [0, 1]);
    }

    #[test]
    fn report_and_json_from_recorded_samples() {
        let dir = TempDir::new("xtask-test-bench").unwrap();
        let mut b = bench_with(fake_tools(dir.path()));
        for (tool, ms) in [
            ("podctl", [10.0, 30.0, 20.0]),
            ("podman", [80.0, 100.0, 90.0]),
        ] {
            let key = b.ops.key("pod start", tool);
            b.ops.times.insert(key.clone(), ms.to_vec());
            b.ops.self_rss.insert(key, 4096);
        }
        b.floor_ms = vec![25.0, 40.0];
        b.monitors.insert(
            "conmon".into(),
            Monitors {
                count: 2,
                hwm_kb: vec![2048, 3072],
                rss_kb: vec![1024, 1024],
            },
        );
        b.scaling.push(ScaleRow {
            shape: Shape::Chain(10),
            times: BTreeMap::from([("podctl".to_owned(), vec![50.0])]),
            floor_ms: vec![100.0],
        });
        let machine = json!({"cpus": 2, "mem_gib": 24, "os": "Debian", "kernel": "6.1",
                             "runc": "runc 1.1.5", "podman": "podman 4.3.1", "cgroup": "v1 hybrid"});
        let text = b.report(&machine);
        assert!(
            text.contains("| pod start |      20.0 |      90.0 |         0.22× |"),
            "{text}"
        );
        assert!(
            text.contains("of 11 containers in sequence: 32.5 ms; podctl pod start / floor: 0.62×"),
            "{text}"
        );
        assert!(text.contains("| conmon "), "{text}");
        assert!(
            text.contains("| chain 10  |      50.0 |         – |             – |"),
            "{text}"
        );
        let json = b.json(&machine, 1.0);
        assert_eq!(json["operations"][0]["tools"]["podctl"]["median_ms"], 20.0);
        let r = json["operations"][0]["ratio_podctl_podman"]
            .as_f64()
            .unwrap();
        assert!((r - 20.0 / 90.0).abs() < 1e-9);
        assert_eq!(json["runc_floor"]["median_ms"], 32.5);
        assert_eq!(json["monitors"]["conmon"]["vmhwm_median_kb"], 2560);
        assert_eq!(json["scaling"][0]["shape"], "chain 10");
    }
}
