//! `pod stats`: one sample of CPU, memory and pids per running container, from the
//! cgroup probe.

use std::io::Write;

use chrono::Utc;
use pod_core::{Engine, PodSummary};
use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;
use crate::format::{header_from, human_size, json_pretty, render_template, OutputFormat};
use crate::template::Template;

/// One row of `pod stats` (podman's field names).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatsRow {
    /// Short pod id.
    #[serde(rename = "Pod")]
    pub pod: String,
    /// Short container id.
    #[serde(rename = "CID")]
    pub cid: String,
    /// Container name.
    #[serde(rename = "Name")]
    pub name: String,
    /// `12.34%`.
    #[serde(rename = "CPU")]
    pub cpu: String,
    /// `1.2MB / 8.2GB`.
    #[serde(rename = "MemUsage")]
    pub mem_usage: String,
    /// `0.01%`.
    #[serde(rename = "Mem")]
    pub mem: String,
    /// Network I/O (not measured: `-- / --`).
    #[serde(rename = "NetIO")]
    pub net_io: String,
    /// Block I/O (not measured: `-- / --`).
    #[serde(rename = "BlockIO")]
    pub block_io: String,
    /// Number of processes.
    #[serde(rename = "PIDS")]
    pub pids: String,
}

const HEADERS: &[(&str, &str)] = &[
    ("Pod", "POD"),
    ("CID", "CID"),
    ("Name", "NAME"),
    ("CPU", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("Mem", "MEM %"),
    ("NetIO", "NET IO"),
    ("BlockIO", "BLOCK IO"),
    ("PIDS", "PIDS"),
];

const DEFAULT_FORMAT: &str =
    "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.PIDS}}";

fn host_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|r| r.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Samples every running container of the pods (containers whose cgroup cannot be read
/// are skipped).
pub async fn collect(engine: &Engine, pods: &[PodSummary]) -> Vec<StatsRow> {
    let now = Utc::now();
    let host_mem = host_memory();
    let mut rows = Vec::new();
    for p in pods {
        for c in p.containers.iter().filter(|c| c.status.state.is_active()) {
            let Ok(s) = engine
                .cgroups()
                .stats(&p.config.cgroup_parent, c.id())
                .await
            else {
                continue;
            };
            let elapsed_ns = c
                .status
                .started_at
                .map(|t| (now - t).num_nanoseconds().unwrap_or(i64::MAX))
                .unwrap_or(0);
            let cpu = if elapsed_ns > 0 {
                s.cpu_usage_ns as f64 / elapsed_ns as f64 * 100.0
            } else {
                0.0
            };
            let limit = if s.memory_limit == 0 || (host_mem > 0 && s.memory_limit > host_mem) {
                host_mem
            } else {
                s.memory_limit
            };
            let mem = if limit > 0 {
                s.memory_bytes as f64 / limit as f64 * 100.0
            } else {
                0.0
            };
            rows.push(StatsRow {
                pod: p.config.id.short().to_owned(),
                cid: c.id().short().to_owned(),
                name: c.name().to_string(),
                cpu: format!("{cpu:.2}%"),
                mem_usage: format!("{} / {}", human_size(s.memory_bytes), human_size(limit)),
                mem: format!("{mem:.2}%"),
                net_io: "-- / --".into(),
                block_io: "-- / --".into(),
                pids: s.pids.to_string(),
            });
        }
    }
    rows
}

/// Prints the rows as a table, JSON or template.
pub fn print(rows: &[StatsRow], fmt: &OutputFormat) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if let OutputFormat::Json = fmt {
        writeln!(out, "{}", json_pretty(&rows)?)?;
        return Ok(());
    }
    let values: Vec<Value> = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::from)?;
    let text = match fmt {
        OutputFormat::Template(t) => render_template(t, &values, &header_from(HEADERS), false)?,
        _ => render_template(
            &Template::parse(DEFAULT_FORMAT)?,
            &values,
            &header_from(HEADERS),
            false,
        )?,
    };
    write!(out, "{text}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_header() {
        let t = Template::parse(DEFAULT_FORMAT).unwrap();
        assert_eq!(
            t.render_header(&header_from(HEADERS)),
            "POD\tCID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tPIDS"
        );
        assert!(host_memory() > 0);
    }
}
