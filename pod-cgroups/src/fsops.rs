//! Cgroup filesystem operations: create, remove and read a cgroup, for v1 and v2.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;
use nix::sys::statfs::{statfs, CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC};
use pod_core::CgroupStats;

use crate::detect::subdirs;
use crate::error::CgroupError;
use crate::parse;

/// The v1 controllers a pod cgroup is created in: those runc sets up for a container.
pub const V1_POD_CONTROLLERS: &[&str] = &[
    "cpu", "cpuacct", "memory", "pids", "freezer", "devices", "blkio", "cpuset",
];

/// Turns a cgroup parent (`/podctl/pod_<id>`) into a path relative to a hierarchy root.
/// Empty (or `/`) gives an empty path. `..`, `.` and empty components are refused.
pub fn relative_parent(parent: &str) -> Result<PathBuf, CgroupError> {
    let trimmed = parent.trim_start_matches('/').trim_end_matches('/');
    let mut rel = PathBuf::new();
    if trimmed.is_empty() {
        return Ok(rel);
    }
    for comp in trimmed.split('/') {
        if comp.is_empty() || comp == "." || comp == ".." {
            return Err(CgroupError::InvalidParent(parent.to_owned()));
        }
        rel.push(comp);
    }
    // belt and braces: only normal components survive
    if rel.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(rel)
    } else {
        Err(CgroupError::InvalidParent(parent.to_owned()))
    }
}

/// Reads a cgroup file.
pub fn read(path: &Path) -> Result<String, CgroupError> {
    std::fs::read_to_string(path).map_err(|source| CgroupError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a cgroup file; `None` when it does not exist.
pub fn read_opt(path: &Path) -> Result<Option<String>, CgroupError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CgroupError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes a value to a cgroup file.
pub fn write(path: &Path, value: &str) -> Result<(), CgroupError> {
    std::fs::write(path, value).map_err(|source| CgroupError::Write {
        path: path.to_path_buf(),
        value: value.to_owned(),
        source,
    })
}

fn mkdir(path: &Path) -> Result<(), CgroupError> {
    match std::fs::create_dir(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        Err(source) => Err(CgroupError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The v1 hierarchy holding `controller`: `<root>/<controller>` or a co-mounted
/// `<root>/a,b` directory; `None` when the controller is not mounted.
pub fn v1_hierarchy(root: &Path, controller: &str) -> Result<Option<PathBuf>, CgroupError> {
    let direct = root.join(controller);
    if direct.is_dir() {
        return Ok(Some(direct));
    }
    Ok(subdirs(root)?
        .into_iter()
        .find(|(name, _)| name.split(',').any(|n| n == controller))
        .map(|(_, path)| path))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Creates `rel` in every mounted controller of [`V1_POD_CONTROLLERS`]; in the cpuset
/// hierarchy each new level gets `cpuset.cpus`/`cpuset.mems` from its parent, which
/// v1 requires before a task can join.
pub fn v1_create(root: &Path, rel: &Path) -> Result<(), CgroupError> {
    // hierarchy (deduplicated: cpu and cpuacct may be one mount) → holds cpuset?
    let mut hierarchies: BTreeMap<PathBuf, (PathBuf, bool)> = BTreeMap::new();
    for controller in V1_POD_CONTROLLERS {
        let Some(h) = v1_hierarchy(root, controller)? else {
            tracing::debug!(controller, "cgroup v1 controller not mounted, skipped");
            continue;
        };
        let entry = hierarchies.entry(canonical(&h)).or_insert((h, false));
        entry.1 |= *controller == "cpuset";
    }
    for (hierarchy, cpuset) in hierarchies.into_values() {
        let mut dir = hierarchy;
        for comp in rel.components() {
            let child = dir.join(comp);
            mkdir(&child)?;
            if cpuset {
                copy_cpuset(&dir, &child)?;
            }
            dir = child;
        }
    }
    Ok(())
}

fn copy_cpuset(parent: &Path, child: &Path) -> Result<(), CgroupError> {
    for file in ["cpuset.cpus", "cpuset.mems"] {
        let own = read_opt(&child.join(file))?.unwrap_or_default();
        if !own.trim().is_empty() {
            continue;
        }
        let inherited = read(&parent.join(file))?;
        let inherited = inherited.trim();
        if !inherited.is_empty() {
            write(&child.join(file), inherited)?;
        }
    }
    Ok(())
}

/// Creates `<root>/<rel>` level by level, enabling in each level's
/// `cgroup.subtree_control` (the root's included) the controllers it has, where the
/// kernel allows it.
pub fn v2_create(root: &Path, rel: &Path) -> Result<(), CgroupError> {
    let mut dir = root.to_path_buf();
    enable_subtree_controllers(&dir);
    for comp in rel.components() {
        dir = dir.join(comp);
        mkdir(&dir)?;
        enable_subtree_controllers(&dir);
    }
    Ok(())
}

/// Best effort: enabling fails for good reasons (not delegated to us, processes in a
/// non-root cgroup, ...), and containers then simply run without those controllers.
fn enable_subtree_controllers(dir: &Path) {
    let available = match read_opt(&dir.join("cgroup.controllers")) {
        Ok(Some(c)) => parse::controllers(&c),
        Ok(None) => return,
        Err(e) => {
            tracing::debug!(error = %e, "cannot list cgroup controllers");
            return;
        }
    };
    let control = dir.join("cgroup.subtree_control");
    let enabled = match read_opt(&control) {
        Ok(c) => parse::controllers(&c.unwrap_or_default()),
        Err(e) => {
            tracing::debug!(error = %e, "cannot read subtree_control");
            return;
        }
    };
    let missing: Vec<_> = available
        .iter()
        .filter(|c| !enabled.contains(c))
        .map(|c| format!("+{c}"))
        .collect();
    if missing.is_empty() || write(&control, &missing.join(" ")).is_ok() {
        return;
    }
    for c in &missing {
        if let Err(e) = write(&control, c) {
            tracing::debug!(error = %e, "cannot enable cgroup controller");
        }
    }
}

/// Removes `rel` from every v1 hierarchy under `root` (and from the `unified` v2 mount
/// of a hybrid host): runc creates a container's cgroup in every mounted hierarchy, so
/// leftovers can be anywhere. All hierarchies are tried; the first error is returned.
pub fn v1_remove(root: &Path, rel: &Path) -> Result<(), CgroupError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut first_err = None;
    for (_, hierarchy) in subdirs(root)? {
        if !seen.insert(canonical(&hierarchy)) {
            continue;
        }
        if let Err(e) = remove_tree(&hierarchy.join(rel)) {
            first_err.get_or_insert(e);
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Removes `<root>/<rel>`.
pub fn v2_remove(root: &Path, rel: &Path) -> Result<(), CgroupError> {
    remove_tree(&root.join(rel))
}

fn is_cgroup_fs(path: &Path) -> bool {
    statfs(path)
        .map(|s| {
            let t = s.filesystem_type();
            t == CGROUP_SUPER_MAGIC || t == CGROUP2_SUPER_MAGIC
        })
        .unwrap_or(false)
}

/// Depth-first removal of a cgroup directory and its child cgroups. A missing directory
/// is fine; a cgroup that still has processes is [`CgroupError::Busy`].
pub fn remove_tree(dir: &Path) -> Result<(), CgroupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(CgroupError::Read {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut children = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| CgroupError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            children.push(entry.path());
        }
    }
    for child in children {
        remove_tree(&child)?;
    }
    match std::fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) if e.raw_os_error() == Some(Errno::EBUSY as i32) => Err(CgroupError::Busy {
            path: dir.to_path_buf(),
        }),
        Err(e) if e.kind() == ErrorKind::DirectoryNotEmpty && !is_cgroup_fs(dir) => {
            // A cgroup tree on an ordinary filesystem (a fake tree, a tmpfs copy): its
            // "interface files" are plain files that must go first — unless they say
            // processes are still in the cgroup, which is what EBUSY says on cgroupfs.
            remove_plain_cgroup_dir(dir)
        }
        Err(source) => Err(CgroupError::Remove {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

fn remove_plain_cgroup_dir(dir: &Path) -> Result<(), CgroupError> {
    for file in ["cgroup.procs", "tasks"] {
        if let Some(content) = read_opt(&dir.join(file))? {
            if parse::has_pids(&content) {
                return Err(CgroupError::Busy {
                    path: dir.to_path_buf(),
                });
            }
        }
    }
    let remove_err = |source| CgroupError::Remove {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(remove_err)? {
        let path = entry.map_err(remove_err)?.path();
        if !path.is_dir() {
            std::fs::remove_file(&path).map_err(|source| CgroupError::Remove {
                path: path.clone(),
                source,
            })?;
        }
    }
    std::fs::remove_dir(dir).map_err(remove_err)
}

fn read_u64_opt(
    path: &Path,
    parse: fn(&str, &Path) -> Result<u64, CgroupError>,
) -> Result<u64, CgroupError> {
    match read_opt(path)? {
        Some(c) => parse(&c, path),
        None => Ok(0),
    }
}

fn memory_in_use(dir: &Path, usage: u64, inactive_key: &str) -> Result<u64, CgroupError> {
    let stat = dir.join("memory.stat");
    let inactive = match read_opt(&stat)? {
        Some(c) => parse::flat_keyed(&c, inactive_key, &stat)?.unwrap_or(0),
        None => 0,
    };
    Ok(usage.saturating_sub(inactive))
}

/// Usage of the v1 cgroup `rel` (a container's): `cpuacct.usage`,
/// `memory.usage_in_bytes` minus `total_inactive_file` (as podman and docker report
/// it), `memory.limit_in_bytes`, `pids.current`. Controllers that are not mounted, and
/// files a controller does not have, count as 0. `Ok(None)` when the cgroup exists in
/// none of the cpuacct, memory and pids hierarchies.
pub fn v1_stats(root: &Path, rel: &Path) -> Result<Option<CgroupStats>, CgroupError> {
    let dir = |controller| -> Result<Option<PathBuf>, CgroupError> {
        Ok(v1_hierarchy(root, controller)?
            .map(|h| h.join(rel))
            .filter(|d| d.is_dir()))
    };
    let (cpu, mem, pids) = (dir("cpuacct")?, dir("memory")?, dir("pids")?);
    if cpu.is_none() && mem.is_none() && pids.is_none() {
        return Ok(None);
    }
    let mut stats = CgroupStats::default();
    if let Some(d) = cpu {
        stats.cpu_usage_ns = read_u64_opt(&d.join("cpuacct.usage"), parse::single_u64)?;
    }
    if let Some(d) = mem {
        let usage = read_u64_opt(&d.join("memory.usage_in_bytes"), parse::single_u64)?;
        stats.memory_bytes = memory_in_use(&d, usage, "total_inactive_file")?;
        stats.memory_limit = read_u64_opt(&d.join("memory.limit_in_bytes"), parse::v1_limit)?;
    }
    if let Some(d) = pids {
        stats.pids = read_u64_opt(&d.join("pids.current"), parse::single_u64)?;
    }
    Ok(Some(stats))
}

/// Usage of the v2 cgroup `<root>/<rel>`: `cpu.stat` `usage_usec` × 1000,
/// `memory.current` minus `inactive_file`, `memory.max` (`max` → 0), `pids.current`.
/// Files of controllers not enabled for the cgroup count as 0. `Ok(None)` when the
/// cgroup does not exist.
pub fn v2_stats(root: &Path, rel: &Path) -> Result<Option<CgroupStats>, CgroupError> {
    let dir = root.join(rel);
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut stats = CgroupStats::default();
    let cpu_stat = dir.join("cpu.stat");
    if let Some(c) = read_opt(&cpu_stat)? {
        let usec = parse::flat_keyed(&c, "usage_usec", &cpu_stat)?.unwrap_or(0);
        stats.cpu_usage_ns = usec.saturating_mul(1000);
    }
    let usage = read_u64_opt(&dir.join("memory.current"), parse::single_u64)?;
    stats.memory_bytes = memory_in_use(&dir, usage, "inactive_file")?;
    stats.memory_limit = read_u64_opt(&dir.join("memory.max"), parse::v2_limit)?;
    stats.pids = read_u64_opt(&dir.join("pids.current"), parse::single_u64)?;
    Ok(Some(stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_parents() {
        assert_eq!(
            relative_parent("/podctl/pod_abc").unwrap(),
            Path::new("podctl/pod_abc")
        );
        assert_eq!(relative_parent("podctl/x/").unwrap(), Path::new("podctl/x"));
        assert_eq!(relative_parent("").unwrap(), Path::new(""));
        assert_eq!(relative_parent("/").unwrap(), Path::new(""));
        for bad in ["/podctl/../etc", "/a//b", "./a", "/a/./b", ".."] {
            let e = relative_parent(bad).unwrap_err();
            assert!(matches!(e, CgroupError::InvalidParent(_)), "{bad}: {e}");
        }
    }

    #[test]
    fn comounted_hierarchy_is_found() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("cpu,cpuacct")).unwrap();
        std::fs::create_dir(root.path().join("memory")).unwrap();
        let h = v1_hierarchy(root.path(), "cpuacct").unwrap().unwrap();
        assert_eq!(h, root.path().join("cpu,cpuacct"));
        assert_eq!(
            v1_hierarchy(root.path(), "memory").unwrap().unwrap(),
            root.path().join("memory")
        );
        assert!(v1_hierarchy(root.path(), "pids").unwrap().is_none());
        // "cpu" must not match "cpuset" or "cpuacct" by prefix
        std::fs::remove_dir(root.path().join("cpu,cpuacct")).unwrap();
        std::fs::create_dir(root.path().join("cpuset")).unwrap();
        assert!(v1_hierarchy(root.path(), "cpu").unwrap().is_none());
    }

    #[test]
    fn v1_create_once_per_comounted_hierarchy() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("cpu,cpuacct")).unwrap();
        v1_create(root.path(), Path::new("podctl/pod_1")).unwrap();
        assert!(root.path().join("cpu,cpuacct/podctl/pod_1").is_dir());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn enable_subtree_skips_already_enabled() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cgroup.controllers"), "cpu memory pids\n").unwrap();
        std::fs::write(dir.path().join("cgroup.subtree_control"), "memory\n").unwrap();
        enable_subtree_controllers(dir.path());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("cgroup.subtree_control")).unwrap(),
            "+cpu +pids"
        );
    }

    #[test]
    fn enable_subtree_without_controllers_file_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        enable_subtree_controllers(dir.path());
        assert!(!dir.path().join("cgroup.subtree_control").exists());
    }
}
