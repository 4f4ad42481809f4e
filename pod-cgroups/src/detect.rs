//! Which cgroup hierarchy a root holds: unified (v2), hybrid or legacy (v1).

use std::path::{Path, PathBuf};

use nix::sys::statfs::{statfs, FsType, CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC};
use pod_core::CgroupMode;

use crate::error::CgroupError;

/// The default cgroup root of a Linux host.
pub const DEFAULT_ROOT: &str = "/sys/fs/cgroup";

/// The name of the cgroup2 mount of a hybrid host, below the root.
pub const UNIFIED_DIR: &str = "unified";

/// cgroup v1 subsystems the kernel knows (a hierarchy may join several, `cpu,cpuacct`).
pub const V1_SUBSYSTEMS: &[&str] = &[
    "blkio",
    "cpu",
    "cpuacct",
    "cpuset",
    "devices",
    "freezer",
    "hugetlb",
    "memory",
    "misc",
    "net_cls",
    "net_prio",
    "perf_event",
    "pids",
    "rdma",
];

/// Detects the cgroup hierarchy under `root` (normally `/sys/fs/cgroup`).
///
/// `statfs` comes first: a root of type cgroup2 (magic `0x63677270`) is
/// [`CgroupMode::Unified`]; otherwise cgroup v1 mounts below the root make it
/// [`CgroupMode::Legacy`], or [`CgroupMode::Hybrid`] when a cgroup2 filesystem is also
/// mounted at `<root>/unified`. When no cgroup filesystem is found that way (a fake tree
/// on an ordinary filesystem), the tree's contents decide: a `cgroup.controllers` file at
/// the root means v2, `<root>/unified/cgroup.controllers` means hybrid, directories named
/// after v1 controllers (`freezer`, `memory`, `cpu,cpuacct`, ...) mean v1.
///
/// Errors when the root is missing or not a directory, or holds no hierarchy at all.
pub fn detect_mode(root: &Path) -> Result<CgroupMode, CgroupError> {
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CgroupError::RootMissing {
            path: root.to_path_buf(),
        },
        _ => CgroupError::Read {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    if !meta.is_dir() {
        return Err(CgroupError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    if let Some(mode) = detect_by_statfs(root)? {
        return Ok(mode);
    }
    detect_by_contents(root)?.ok_or_else(|| CgroupError::NoHierarchy {
        path: root.to_path_buf(),
    })
}

fn fs_type(path: &Path) -> Result<FsType, CgroupError> {
    statfs(path)
        .map(|s| s.filesystem_type())
        .map_err(|source| CgroupError::Statfs {
            path: path.to_path_buf(),
            source,
        })
}

/// The subdirectories of `dir` (following symlinks), sorted by name.
pub(crate) fn subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, CgroupError> {
    let read_err = |source| CgroupError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let path = entry.path();
        if path.is_dir() {
            out.push((entry.file_name().to_string_lossy().into_owned(), path));
        }
    }
    out.sort();
    Ok(out)
}

/// Does a directory name (`memory`, `cpu,cpuacct`) name a v1 controller?
pub(crate) fn is_v1_controller_dir(name: &str) -> bool {
    name.split(',').any(|n| V1_SUBSYSTEMS.contains(&n))
}

fn detect_by_statfs(root: &Path) -> Result<Option<CgroupMode>, CgroupError> {
    if fs_type(root)? == CGROUP2_SUPER_MAGIC {
        return Ok(Some(CgroupMode::Unified));
    }
    let mut v1 = false;
    let mut unified = false;
    for (name, path) in subdirs(root)? {
        // A mount point we cannot statfs (permissions) is not evidence either way.
        let Ok(ty) = fs_type(&path) else { continue };
        if name == UNIFIED_DIR && ty == CGROUP2_SUPER_MAGIC {
            unified = true;
        } else if ty == CGROUP_SUPER_MAGIC {
            v1 = true;
        }
    }
    Ok(match (v1, unified) {
        (true, true) => Some(CgroupMode::Hybrid),
        (true, false) => Some(CgroupMode::Legacy),
        // systemd's hybrid layout with no v1 controller mounted (yet)
        (false, true) => Some(CgroupMode::Hybrid),
        (false, false) => None,
    })
}

fn detect_by_contents(root: &Path) -> Result<Option<CgroupMode>, CgroupError> {
    if root.join("cgroup.controllers").is_file() {
        return Ok(Some(CgroupMode::Unified));
    }
    let unified = root.join(UNIFIED_DIR).join("cgroup.controllers").is_file();
    let v1 = subdirs(root)?
        .iter()
        .any(|(name, _)| is_v1_controller_dir(name));
    Ok(match (v1, unified) {
        (_, true) => Some(CgroupMode::Hybrid),
        (true, false) => Some(CgroupMode::Legacy),
        (false, false) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_dir_names() {
        assert!(is_v1_controller_dir("memory"));
        assert!(is_v1_controller_dir("cpu,cpuacct"));
        assert!(is_v1_controller_dir("net_cls,net_prio"));
        assert!(!is_v1_controller_dir("systemd"));
        assert!(!is_v1_controller_dir("unified"));
        assert!(!is_v1_controller_dir("podctl"));
    }

    #[test]
    fn subdirs_lists_dirs_only_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("c")).unwrap();
        let names: Vec<_> = subdirs(dir.path())
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
    }
}
