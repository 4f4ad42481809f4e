//! Parsers for cgroup stat files (v1 and v2).
//!
//! They work on the text of a file; `path` is only used in error messages.

use std::path::Path;

use crate::error::CgroupError;

/// A v1 memory limit at or above this is "no limit" (the kernel reports
/// `PAGE_COUNTER_MAX * PAGE_SIZE`, `0x7ffffffffffff000` with 4 KiB pages).
const V1_UNLIMITED: u64 = 1 << 62;

fn parse_error(path: &Path, value: &str) -> CgroupError {
    CgroupError::Parse {
        path: path.to_path_buf(),
        value: value.to_owned(),
    }
}

/// A file holding one unsigned number (`cpuacct.usage`, `memory.current`,
/// `pids.current`, ...).
pub fn single_u64(content: &str, path: &Path) -> Result<u64, CgroupError> {
    let v = content.trim();
    v.parse().map_err(|_| parse_error(path, v))
}

/// A v2 limit file (`memory.max`, `pids.max`): a number, or `max` for none (→ 0).
pub fn v2_limit(content: &str, path: &Path) -> Result<u64, CgroupError> {
    match content.trim() {
        "max" => Ok(0),
        _ => single_u64(content, path),
    }
}

/// A v1 limit file (`memory.limit_in_bytes`): a number, where the huge "unlimited"
/// value (and `-1`, as some kernels print) is 0 = none.
pub fn v1_limit(content: &str, path: &Path) -> Result<u64, CgroupError> {
    if content.trim() == "-1" {
        return Ok(0);
    }
    let v = single_u64(content, path)?;
    Ok(if v >= V1_UNLIMITED { 0 } else { v })
}

/// The value of `key` in a flat-keyed file (`cpu.stat`, `memory.stat`): lines of
/// `key value`. `Ok(None)` when the key is absent; an error when its value is not a
/// number.
pub fn flat_keyed(content: &str, key: &str, path: &Path) -> Result<Option<u64>, CgroupError> {
    for line in content.lines() {
        let mut fields = line.split_whitespace();
        if fields.next() != Some(key) {
            continue;
        }
        let value = fields.next().unwrap_or_default();
        if fields.next().is_some() {
            return Err(parse_error(path, line));
        }
        return value.parse().map(Some).map_err(|_| parse_error(path, line));
    }
    Ok(None)
}

/// The controllers listed in `cgroup.controllers` / `cgroup.subtree_control`
/// (space-separated names).
pub fn controllers(content: &str) -> Vec<String> {
    content.split_whitespace().map(str::to_owned).collect()
}

/// Does a `cgroup.procs` / `tasks` file list any process?
pub fn has_pids(content: &str) -> bool {
    content.lines().any(|l| !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("/fake/file")
    }

    #[test]
    fn single_values() {
        assert_eq!(single_u64("123456789\n", p()).unwrap(), 123_456_789);
        assert_eq!(single_u64("  0 ", p()).unwrap(), 0);
        let e = single_u64("abc\n", p()).unwrap_err();
        assert_eq!(e.to_string(), "unexpected content \"abc\" in /fake/file");
        assert!(single_u64("", p()).is_err());
        assert!(single_u64("-5", p()).is_err());
    }

    #[test]
    fn v2_limits() {
        assert_eq!(v2_limit("max\n", p()).unwrap(), 0);
        assert_eq!(v2_limit("268435456\n", p()).unwrap(), 268_435_456);
        assert!(v2_limit("unlimited", p()).is_err());
    }

    #[test]
    fn v1_limits() {
        assert_eq!(v1_limit("9223372036854771712\n", p()).unwrap(), 0);
        assert_eq!(v1_limit("9223372036854710272\n", p()).unwrap(), 0);
        assert_eq!(v1_limit("-1\n", p()).unwrap(), 0);
        assert_eq!(v1_limit("104857600\n", p()).unwrap(), 104_857_600);
        assert!(v1_limit("lots", p()).is_err());
    }

    #[test]
    fn cpu_stat_v2() {
        let s = "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n";
        assert_eq!(flat_keyed(s, "usage_usec", p()).unwrap(), Some(1500));
        assert_eq!(flat_keyed(s, "system_usec", p()).unwrap(), Some(500));
        assert_eq!(flat_keyed(s, "throttled_usec", p()).unwrap(), None);
        // a key that is only a prefix of another does not match
        assert_eq!(flat_keyed(s, "usage", p()).unwrap(), None);
    }

    #[test]
    fn memory_stat_v1() {
        let s = "cache 4096\nrss 8192\ninactive_file 100\ntotal_inactive_file 300\n";
        assert_eq!(flat_keyed(s, "inactive_file", p()).unwrap(), Some(100));
        assert_eq!(
            flat_keyed(s, "total_inactive_file", p()).unwrap(),
            Some(300)
        );
    }

    #[test]
    fn flat_keyed_bad_values() {
        assert!(flat_keyed("usage_usec x\n", "usage_usec", p()).is_err());
        assert!(flat_keyed("usage_usec\n", "usage_usec", p()).is_err());
        assert!(flat_keyed("usage_usec 1 2\n", "usage_usec", p()).is_err());
        assert_eq!(flat_keyed("", "usage_usec", p()).unwrap(), None);
    }

    #[test]
    fn controller_lists() {
        assert_eq!(
            controllers("cpuset cpu io memory pids\n"),
            ["cpuset", "cpu", "io", "memory", "pids"]
        );
        assert!(controllers("\n").is_empty());
    }

    #[test]
    fn pid_lists() {
        assert!(!has_pids(""));
        assert!(!has_pids("\n"));
        assert!(has_pids("42\n"));
        assert!(has_pids("1\n2\n"));
    }
}
