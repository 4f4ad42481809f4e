//! pod-cgroups on the real host: detection, and (as root) a pod cgroup created,
//! joined by a process, read, refused removal while busy, removed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use pod_cgroups::{detect_mode, CgroupError, CgroupMode, HostCgroups, DEFAULT_ROOT, UNIFIED_DIR};
use pod_core::{CgroupProbe, ContainerId, PodId};

/// The mode /proc/self/mountinfo says the host has, independently of statfs.
fn mode_from_mountinfo() -> Option<CgroupMode> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    // later mounts on the same point hide earlier ones
    let mut mounts: Vec<(String, String)> = Vec::new();
    for line in info.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(sep) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (Some(point), Some(fstype)) = (fields.get(4), fields.get(sep + 1)) else {
            continue;
        };
        mounts.retain(|(p, _)| p != point);
        mounts.push((point.to_string(), fstype.to_string()));
    }
    let fstype = |p: &str| mounts.iter().find(|(m, _)| m == p).map(|(_, t)| t.as_str());
    if fstype(DEFAULT_ROOT) == Some("cgroup2") {
        return Some(CgroupMode::Unified);
    }
    let v1 = mounts
        .iter()
        .any(|(p, t)| t == "cgroup" && p.starts_with(&format!("{DEFAULT_ROOT}/")));
    let unified = fstype(&format!("{DEFAULT_ROOT}/{UNIFIED_DIR}")) == Some("cgroup2");
    match (v1, unified) {
        (_, true) => Some(CgroupMode::Hybrid),
        (true, false) => Some(CgroupMode::Legacy),
        (false, false) => None,
    }
}

#[test]
fn detects_the_host() {
    let Some(expected) = mode_from_mountinfo() else {
        println!("skipped: no cgroup filesystem mounted at {DEFAULT_ROOT}");
        return;
    };
    assert_eq!(detect_mode(Path::new(DEFAULT_ROOT)).unwrap(), expected);
    let cg = HostCgroups::detect().unwrap();
    assert_eq!(cg.mode(), expected);
    assert_eq!(cg.rootless(), !nix::unistd::geteuid().is_root());
    assert_eq!(cg.root(), Path::new(DEFAULT_ROOT));
    println!("host cgroup mode: {expected:?}");
}

/// Kills the test's process and removes what the test created, even when it fails.
struct Cleanup {
    child: Option<Child>,
    dirs: Vec<PathBuf>,
}

impl Cleanup {
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn rmdir_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                rmdir_tree(&e.path());
            }
        }
    }
    let _ = fs::remove_dir(dir);
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.kill();
        for d in &self.dirs {
            rmdir_tree(d);
        }
    }
}

/// The cgroup directories of `rel` that `cg` manages: `<root>/<rel>` on v2, one per
/// mounted hierarchy on v1.
fn cgroup_dirs(cg: &HostCgroups, rel: &str) -> Vec<PathBuf> {
    match cg.mode() {
        CgroupMode::Unified => vec![cg.root().join(rel)],
        _ => fs::read_dir(cg.root())
            .unwrap()
            .flatten()
            .map(|e| e.path().join(rel))
            .collect(),
    }
}

/// Create a pod cgroup and a container cgroup below it, move a `sleep` into it, read
/// its stats, see removal refused while it runs, kill it, remove, check it is gone.
async fn roundtrip(cg: HostCgroups, v1_controllers: &[&str]) {
    let top = format!(
        "podctl-test-{}-{}",
        std::process::id(),
        &PodId::random().as_str()[..8]
    );
    let parent = format!("/{top}/pod_{}", PodId::random());
    let ctr = ContainerId::random();
    let ctr_parent = format!("{parent}/{ctr}");
    let mut cleanup = Cleanup {
        child: None,
        dirs: cgroup_dirs(&cg, &top),
    };

    match cg.create_pod_cgroup(&parent).await {
        Ok(()) => {}
        Err(pod_core::Error::Cgroup(e))
            if matches!(e.downcast_ref::<CgroupError>(),
                Some(CgroupError::Create { source, .. }) if source.raw_os_error() == Some(erofs())) =>
        {
            println!("skipped: {} is read-only here: {e}", cg.root().display());
            return;
        }
        Err(e) => panic!("create {parent}: {e}"),
    }
    let rel_pod = parent.trim_start_matches('/');
    let rel_ctr = ctr_parent.trim_start_matches('/');
    if cg.mode().is_v2() {
        assert!(cg.root().join(rel_pod).is_dir());
    } else {
        for c in v1_controllers {
            assert!(cg.root().join(c).join(rel_pod).is_dir(), "{c}");
        }
    }
    // the container's cgroup, as runc would make it: on v1 the same steps one level
    // deeper (cpuset copied down); on v2 a plain leaf (a cgroup with controllers enabled
    // in its own subtree_control cannot take processes)
    if cg.mode().is_v2() {
        fs::create_dir(cg.root().join(ctr_parent.trim_start_matches('/'))).unwrap();
    } else {
        cg.create_pod_cgroup(&ctr_parent).await.unwrap();
    }

    let child = Command::new("sleep").arg("1000").spawn().unwrap();
    let pid = child.id().to_string();
    cleanup.child = Some(child);
    let joined: Vec<PathBuf> = if cg.mode().is_v2() {
        vec![cg.root().join(rel_ctr)]
    } else {
        // joining cpuset proves cpus/mems were copied down
        v1_controllers
            .iter()
            .map(|c| cg.root().join(c).join(rel_ctr))
            .collect()
    };
    for dir in &joined {
        fs::write(dir.join("cgroup.procs"), &pid)
            .unwrap_or_else(|e| panic!("join {}: {e}", dir.display()));
    }

    let stats = cg.stats(&parent, &ctr).await.unwrap();
    let pids_file = if cg.mode().is_v2() {
        cg.root().join(rel_ctr).join("pids.current")
    } else {
        cg.root().join("pids").join(rel_ctr).join("pids.current")
    };
    if pids_file.exists() {
        assert_eq!(stats.pids, 1, "{stats:?}");
    }
    println!("stats of the test cgroup: {stats:?}");

    let e = cg.remove_pod_cgroup(&parent).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("still has processes"), "{msg}");
    assert!(msg.contains(rel_ctr), "{msg}");

    cleanup.kill();
    cg.remove_pod_cgroup(&parent).await.unwrap();
    for dir in cgroup_dirs(&cg, rel_pod) {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    cg.remove_pod_cgroup(&format!("/{top}")).await.unwrap();
    for dir in cgroup_dirs(&cg, &top) {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
}

fn erofs() -> i32 {
    nix::errno::Errno::EROFS as i32
}

fn root_or_skip() -> bool {
    if !nix::unistd::geteuid().is_root() {
        println!("skipped: needs root to create cgroups");
        return false;
    }
    true
}

#[tokio::test]
async fn real_pod_cgroup_roundtrip() {
    if !root_or_skip() {
        return;
    }
    let Some(mode) = mode_from_mountinfo() else {
        println!("skipped: no cgroup filesystem mounted at {DEFAULT_ROOT}");
        return;
    };
    let cg = HostCgroups::detect().unwrap();
    assert_eq!(cg.mode(), mode);
    let controllers: Vec<&str> = ["memory", "freezer", "pids", "cpuacct", "cpuset"]
        .into_iter()
        .filter(|c| cg.root().join(c).is_dir())
        .collect();
    roundtrip(cg, &controllers).await;
}

/// On a hybrid host the `unified` mount is a real cgroup2 root: exercise the v2 path.
#[tokio::test]
async fn real_v2_roundtrip_on_hybrid_unified_mount() {
    if !root_or_skip() {
        return;
    }
    if mode_from_mountinfo() != Some(CgroupMode::Hybrid) {
        println!("skipped: not a hybrid host (the v2 path runs in real_pod_cgroup_roundtrip on v2 hosts)");
        return;
    }
    let cg = HostCgroups::with_root(&Path::new(DEFAULT_ROOT).join(UNIFIED_DIR), false).unwrap();
    assert_eq!(cg.mode(), CgroupMode::Unified);
    roundtrip(cg, &[]).await;
}
