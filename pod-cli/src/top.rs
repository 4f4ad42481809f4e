//! `pod top`: the processes of a pod's containers, read from `/proc` (each container's
//! init pid and all its descendants), printed with podman's default descriptors
//! `USER PID PPID %CPU ELAPSED TTY TIME COMMAND`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::format::align;

/// One process as `/proc/<pid>/stat` and friends describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proc {
    /// Pid.
    pub pid: i32,
    /// Parent pid.
    pub ppid: i32,
    /// Real uid.
    pub uid: u32,
    /// Controlling terminal device number (0 = none).
    pub tty_nr: u64,
    /// CPU time in clock ticks (user + system).
    pub cpu_ticks: u64,
    /// Start time in clock ticks since boot.
    pub start_ticks: u64,
    /// Command line (or `[comm]` for kernel threads / zombies).
    pub args: String,
}

/// Parses `/proc/<pid>/stat`: (ppid, tty_nr, utime+stime, starttime, comm).
pub fn parse_stat(stat: &str) -> Option<(i32, u64, u64, u64, String)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let rest: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    // rest[0] = state (field 3), so field N is rest[N - 3]
    let field = |n: usize| rest.get(n - 3).copied();
    let ppid = field(4)?.parse().ok()?;
    let tty = field(7)?.parse().ok()?;
    let utime: u64 = field(14)?.parse().ok()?;
    let stime: u64 = field(15)?.parse().ok()?;
    let start = field(22)?.parse().ok()?;
    Some((ppid, tty, utime + stime, start, comm))
}

fn read_proc(proc_root: &Path, pid: i32) -> Option<Proc> {
    let dir = proc_root.join(pid.to_string());
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let (ppid, tty_nr, cpu_ticks, start_ticks, comm) = parse_stat(&stat)?;
    let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|u| u.parse().ok())
        .unwrap_or(0);
    let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
    let args = cmdline
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Some(Proc {
        pid,
        ppid,
        uid,
        tty_nr,
        cpu_ticks,
        start_ticks,
        args: if args.is_empty() {
            format!("[{comm}]")
        } else {
            args
        },
    })
}

/// Parent pid of every process under `proc_root`.
fn ppid_map(proc_root: &Path) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(proc_root) else {
        return out;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if let Some((ppid, ..)) = std::fs::read_to_string(e.path().join("stat"))
            .ok()
            .and_then(|s| parse_stat(&s))
        {
            out.push((pid, ppid));
        }
    }
    out
}

/// The given pids and all their descendants, sorted.
pub fn process_tree(proc_root: &Path, roots: &[i32]) -> BTreeSet<i32> {
    let map = ppid_map(proc_root);
    let mut seen = BTreeSet::new();
    let mut stack: Vec<i32> = roots.to_vec();
    while let Some(p) = stack.pop() {
        if seen.insert(p) {
            stack.extend(map.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        }
    }
    seen
}

/// Formats seconds as Go's `time.Duration` string at second precision (`1h2m3s`, `0s`).
pub fn go_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn tty_name(tty_nr: u64) -> String {
    if tty_nr == 0 {
        return "?".into();
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 => format!("tty{minor}"),
        _ => format!("{major}:{minor}"),
    }
}

fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let _pw = f.next()?;
                (f.next()?.parse::<u32>().ok()? == uid).then(|| name.to_owned())
            })
        })
        .unwrap_or_else(|| uid.to_string())
}

fn clock_ticks() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|t| u64::try_from(t).ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

fn uptime_secs() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Renders the table for the processes of the given container init pids.
pub fn render(pids: &[i32]) -> String {
    let root = Path::new("/proc");
    let tck = clock_ticks() as f64;
    let uptime = uptime_secs();
    let mut text = String::from("USER\tPID\tPPID\t%CPU\tELAPSED\tTTY\tTIME\tCOMMAND\n");
    for pid in process_tree(root, pids) {
        let Some(p) = read_proc(root, pid) else {
            continue;
        };
        let elapsed = (uptime - p.start_ticks as f64 / tck).max(0.0);
        let cpu = p.cpu_ticks as f64 / tck;
        let pcpu = if elapsed > 0.0 {
            cpu / elapsed * 100.0
        } else {
            0.0
        };
        text.push_str(&format!(
            "{}\t{}\t{}\t{:.3}\t{}\t{}\t{}\t{}\n",
            user_name(p.uid),
            p.pid,
            p.ppid,
            pcpu,
            go_duration(elapsed as u64),
            tty_name(p.tty_nr),
            go_duration(cpu as u64),
            p.args
        ));
    }
    align(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_parsing_handles_spaces_in_comm() {
        let stat = "1234 (my (odd) prog) S 1 1234 1234 34816 1234 4194560 100 0 0 0 7 3 0 0 20 0 1 0 5555 1000 100 0";
        let (ppid, tty, cpu, start, comm) = parse_stat(stat).unwrap();
        assert_eq!(ppid, 1);
        assert_eq!(tty, 34816);
        assert_eq!(cpu, 10);
        assert_eq!(start, 5555);
        assert_eq!(comm, "my (odd) prog");
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn durations_and_ttys() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(65), "1m5s");
        assert_eq!(go_duration(3723), "1h2m3s");
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(34816), "pts/0");
    }

    #[test]
    fn own_process_tree() {
        let me = std::process::id() as i32;
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let tree = process_tree(Path::new("/proc"), &[me]);
        assert!(tree.contains(&me));
        assert!(tree.contains(&(child.id() as i32)));
        let out = render(&[child.id() as i32]);
        assert!(out.starts_with("USER"), "{out}");
        assert!(out.contains("sleep 5"), "{out}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
