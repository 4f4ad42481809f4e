//! pod-cgroups on fake cgroup trees in temp dirs: detection, per-pod cgroups, stats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::fs;
use std::path::{Path, PathBuf};

use pod_cgroups::{detect_mode, CgroupError, CgroupMode, CgroupStats, HostCgroups};
use pod_core::{CgroupProbe, ContainerId, PodId};

const V1_ALL: &[&str] = &[
    "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "net_cls",
    "systemd",
];

/// A v1 tree: one directory per hierarchy, cpuset with cpus/mems at its root.
fn fake_v1(hierarchies: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for h in hierarchies {
        fs::create_dir(root.path().join(h)).unwrap();
    }
    if hierarchies.contains(&"cpuset") {
        fs::write(root.path().join("cpuset/cpuset.cpus"), "0-3\n").unwrap();
        fs::write(root.path().join("cpuset/cpuset.mems"), "0\n").unwrap();
    }
    root
}

fn fake_hybrid() -> tempfile::TempDir {
    let root = fake_v1(V1_ALL);
    fs::create_dir(root.path().join("unified")).unwrap();
    fs::write(root.path().join("unified/cgroup.controllers"), "").unwrap();
    root
}

fn fake_v2(controllers: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("cgroup.controllers"), controllers).unwrap();
    fs::write(root.path().join("cgroup.subtree_control"), "").unwrap();
    fs::write(root.path().join("cgroup.procs"), "1\n").unwrap();
    root
}

fn rel(parent: &str) -> &str {
    parent.trim_start_matches('/')
}

fn cgroup_err(e: pod_core::Error) -> CgroupError {
    match e {
        pod_core::Error::Cgroup(inner) => *inner.downcast::<CgroupError>().unwrap(),
        other => panic!("not a cgroup error: {other:?}"),
    }
}

// ---------------------------------------------------------------- detection

#[test]
fn detects_v1_tree() {
    let root = fake_v1(&["freezer", "memory"]);
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Legacy);
}

#[test]
fn detects_comounted_v1_tree() {
    let root = fake_v1(&["cpu,cpuacct", "net_cls,net_prio", "systemd"]);
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Legacy);
}

#[test]
fn detects_hybrid_tree() {
    let root = fake_hybrid();
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Hybrid);
}

#[test]
fn unified_dir_without_cgroup_files_is_not_hybrid() {
    let root = fake_v1(&["memory"]);
    fs::create_dir(root.path().join("unified")).unwrap();
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Legacy);
}

#[test]
fn detects_v2_tree() {
    let root = fake_v2("cpu memory pids\n");
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Unified);
    // a v2 root wins over directories that happen to have controller names
    fs::create_dir(root.path().join("memory")).unwrap();
    assert_eq!(detect_mode(root.path()).unwrap(), CgroupMode::Unified);
}

#[test]
fn missing_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = detect_mode(&missing).unwrap_err();
    assert!(matches!(e, CgroupError::RootMissing { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("cgroup root {} does not exist", missing.display())
    );
    assert!(HostCgroups::with_root(&missing, false).is_err());
}

#[test]
fn file_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    let e = detect_mode(&file).unwrap_err();
    assert!(matches!(e, CgroupError::NotADirectory { .. }), "{e:?}");
    assert!(e.to_string().contains(&file.display().to_string()));
}

#[test]
fn tree_without_hierarchy_is_an_error() {
    let root = fake_v1(&["systemd", "podctl"]);
    let e = detect_mode(root.path()).unwrap_err();
    assert!(matches!(e, CgroupError::NoHierarchy { .. }), "{e:?}");
    assert!(e.to_string().starts_with("no cgroup hierarchy at "));
}

// ---------------------------------------------------------------- parents

#[test]
fn root_pod_parent_is_podctl_pod_id() {
    for root in [fake_v1(V1_ALL), fake_hybrid(), fake_v2("")] {
        let cg = HostCgroups::with_root(root.path(), false).unwrap();
        assert!(!cg.rootless());
        let pod = PodId::random();
        assert_eq!(cg.pod_cgroup_parent(&pod), format!("/podctl/pod_{pod}"));
    }
}

#[test]
fn rootless_v1_and_hybrid_have_no_parent() {
    for (root, mode) in [
        (fake_v1(V1_ALL), CgroupMode::Legacy),
        (fake_hybrid(), CgroupMode::Hybrid),
    ] {
        let cg = HostCgroups::with_root(root.path(), true).unwrap();
        assert_eq!(cg.mode(), mode);
        assert!(cg.rootless());
        assert_eq!(cg.pod_cgroup_parent(&PodId::random()), "");
    }
}

// ---------------------------------------------------------------- v1 create/remove

#[tokio::test]
async fn v1_create_makes_runc_controllers_and_copies_cpuset() {
    let root = fake_v1(V1_ALL);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    assert_eq!(cg.mode(), CgroupMode::Legacy);
    let parent = cg.pod_cgroup_parent(&PodId::random());
    cg.create_pod_cgroup(&parent).await.unwrap();
    for c in pod_cgroups::V1_POD_CONTROLLERS {
        assert!(root.path().join(c).join(rel(&parent)).is_dir(), "{c}");
    }
    // hierarchies runc does not need for the pod are left alone
    assert!(!root.path().join("net_cls/podctl").exists());
    assert!(!root.path().join("systemd/podctl").exists());
    for dir in [
        "cpuset/podctl".to_owned(),
        format!("cpuset/{}", rel(&parent)),
    ] {
        let dir = root.path().join(dir);
        assert_eq!(fs::read_to_string(dir.join("cpuset.cpus")).unwrap(), "0-3");
        assert_eq!(fs::read_to_string(dir.join("cpuset.mems")).unwrap(), "0");
    }
    // creating again is fine
    cg.create_pod_cgroup(&parent).await.unwrap();
}

#[tokio::test]
async fn v1_cpuset_keeps_values_already_set() {
    let root = fake_v1(&["cpuset"]);
    fs::create_dir(root.path().join("cpuset/podctl")).unwrap();
    fs::write(root.path().join("cpuset/podctl/cpuset.cpus"), "1\n").unwrap();
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    cg.create_pod_cgroup("/podctl/pod_a").await.unwrap();
    let read = |p: &str| fs::read_to_string(root.path().join(p)).unwrap();
    assert_eq!(read("cpuset/podctl/cpuset.cpus"), "1\n");
    assert_eq!(read("cpuset/podctl/cpuset.mems"), "0");
    assert_eq!(read("cpuset/podctl/pod_a/cpuset.cpus"), "1");
    assert_eq!(read("cpuset/podctl/pod_a/cpuset.mems"), "0");
}

#[tokio::test]
async fn v1_create_skips_controllers_not_mounted() {
    let root = fake_v1(&["memory", "freezer"]);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    cg.create_pod_cgroup("/podctl/pod_b").await.unwrap();
    assert!(root.path().join("memory/podctl/pod_b").is_dir());
    assert!(root.path().join("freezer/podctl/pod_b").is_dir());
    let names: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[tokio::test]
async fn v1_cpuset_without_parent_values_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir(root.path().join("cpuset")).unwrap();
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let e = cgroup_err(cg.create_pod_cgroup("/podctl/pod_c").await.unwrap_err());
    assert!(matches!(e, CgroupError::Read { .. }), "{e:?}");
    assert!(e.to_string().contains("cpuset.cpus"), "{e}");
}

#[tokio::test]
async fn empty_parent_is_a_noop() {
    let root = fake_v1(V1_ALL);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    cg.create_pod_cgroup("").await.unwrap();
    cg.remove_pod_cgroup("").await.unwrap();
    assert!(fs::read_dir(root.path().join("memory"))
        .unwrap()
        .next()
        .is_none());
}

#[tokio::test]
async fn invalid_parent_is_refused() {
    let root = fake_v1(V1_ALL);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    for bad in ["/podctl/../../etc", "/a//b"] {
        let e = cgroup_err(cg.create_pod_cgroup(bad).await.unwrap_err());
        assert!(matches!(e, CgroupError::InvalidParent(_)), "{e:?}");
        let e = cgroup_err(cg.remove_pod_cgroup(bad).await.unwrap_err());
        assert!(matches!(e, CgroupError::InvalidParent(_)), "{e:?}");
    }
}

/// A leftover container cgroup as runc leaves it on a fake tree: a dir with
/// interface files, `tasks` listing `tasks`.
fn fake_child(dir: &Path, tasks: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("tasks"), tasks).unwrap();
    fs::write(dir.join("cgroup.procs"), tasks).unwrap();
    fs::write(dir.join("notify_on_release"), "0\n").unwrap();
}

#[tokio::test]
async fn v1_remove_takes_leftovers_from_every_hierarchy() {
    let root = fake_hybrid();
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let parent = cg.pod_cgroup_parent(&PodId::random());
    cg.create_pod_cgroup(&parent).await.unwrap();
    let ctr = ContainerId::random();
    for h in ["memory", "freezer", "systemd", "net_cls", "unified"] {
        fake_child(
            &root.path().join(h).join(rel(&parent)).join(ctr.as_str()),
            "",
        );
    }
    // a nested leftover
    fake_child(
        &root
            .path()
            .join("memory")
            .join(rel(&parent))
            .join(ctr.as_str())
            .join("sub"),
        "\n",
    );
    cg.remove_pod_cgroup(&parent).await.unwrap();
    for h in V1_ALL.iter().chain(&["unified"]) {
        assert!(!root.path().join(h).join(rel(&parent)).exists(), "{h}");
    }
    // the shared /podctl stays for other pods
    assert!(root.path().join("memory/podctl").is_dir());
    // already gone: fine
    cg.remove_pod_cgroup(&parent).await.unwrap();
}

#[tokio::test]
async fn v1_remove_refuses_cgroup_with_tasks_and_names_it() {
    let root = fake_v1(V1_ALL);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let parent = cg.pod_cgroup_parent(&PodId::random());
    cg.create_pod_cgroup(&parent).await.unwrap();
    let busy: PathBuf = root.path().join("pids").join(rel(&parent)).join("ctr1");
    fake_child(&busy, "4242\n");
    let e = cgroup_err(cg.remove_pod_cgroup(&parent).await.unwrap_err());
    assert!(matches!(e, CgroupError::Busy { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "cannot remove cgroup {}: it still has processes",
            busy.display()
        )
    );
    // the other hierarchies were still cleaned
    assert!(!root.path().join("memory").join(rel(&parent)).exists());
    assert!(busy.is_dir());
    // once the task is gone, removal completes
    fs::write(busy.join("tasks"), "").unwrap();
    fs::write(busy.join("cgroup.procs"), "").unwrap();
    cg.remove_pod_cgroup(&parent).await.unwrap();
    assert!(!root.path().join("pids").join(rel(&parent)).exists());
}

// ---------------------------------------------------------------- v2 create/remove

#[tokio::test]
async fn v2_create_enables_controllers_down_the_path() {
    let root = fake_v2("cpuset cpu io memory pids\n");
    fs::create_dir(root.path().join("podctl")).unwrap();
    fs::write(
        root.path().join("podctl/cgroup.controllers"),
        "cpu memory\n",
    )
    .unwrap();
    fs::write(root.path().join("podctl/cgroup.subtree_control"), "cpu\n").unwrap();
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    assert_eq!(cg.mode(), CgroupMode::Unified);
    let parent = cg.pod_cgroup_parent(&PodId::random());
    cg.create_pod_cgroup(&parent).await.unwrap();
    assert!(root.path().join(rel(&parent)).is_dir());
    let read = |p: &str| fs::read_to_string(root.path().join(p)).unwrap();
    assert_eq!(
        read("cgroup.subtree_control"),
        "+cpuset +cpu +io +memory +pids"
    );
    assert_eq!(read("podctl/cgroup.subtree_control"), "+memory");
    // no v1 dirs were made
    assert_eq!(fs::read_dir(root.path()).unwrap().count(), 4);
}

#[tokio::test]
async fn v2_remove_is_depth_first_and_refuses_busy() {
    let root = fake_v2("memory\n");
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let parent = cg.pod_cgroup_parent(&PodId::random());
    cg.create_pod_cgroup(&parent).await.unwrap();
    let pod_dir = root.path().join(rel(&parent));
    fs::write(pod_dir.join("cgroup.procs"), "").unwrap();
    fs::create_dir_all(pod_dir.join("a/b")).unwrap();
    fs::write(pod_dir.join("a/b/cgroup.procs"), "77\n").unwrap();
    let e = cgroup_err(cg.remove_pod_cgroup(&parent).await.unwrap_err());
    assert!(
        e.to_string()
            .contains(&pod_dir.join("a/b").display().to_string()),
        "{e}"
    );
    fs::write(pod_dir.join("a/b/cgroup.procs"), "").unwrap();
    cg.remove_pod_cgroup(&parent).await.unwrap();
    assert!(!pod_dir.exists());
    assert!(root.path().join("podctl").is_dir());
    assert!(root.path().join("cgroup.procs").is_file());
}

// ---------------------------------------------------------------- stats

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, content) in files {
        fs::write(dir.join(name), content).unwrap();
    }
}

#[tokio::test]
async fn v1_stats_read_the_container_cgroup() {
    let root = fake_hybrid();
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let parent = cg.pod_cgroup_parent(&PodId::random());
    let ctr = ContainerId::random();
    let dir = |h: &str| root.path().join(h).join(rel(&parent)).join(ctr.as_str());
    write_files(&dir("cpuacct"), &[("cpuacct.usage", "123456789\n")]);
    write_files(
        &dir("memory"),
        &[
            ("memory.usage_in_bytes", "10000\n"),
            ("memory.limit_in_bytes", "9223372036854771712\n"),
            (
                "memory.stat",
                "cache 4000\ninactive_file 50\ntotal_inactive_file 1000\n",
            ),
        ],
    );
    write_files(&dir("pids"), &[("pids.current", "3\n")]);
    let stats = cg.stats(&parent, &ctr).await.unwrap();
    assert_eq!(
        stats,
        CgroupStats {
            cpu_usage_ns: 123_456_789,
            memory_bytes: 9000,
            memory_limit: 0,
            pids: 3,
        }
    );
    fs::write(dir("memory").join("memory.limit_in_bytes"), "1048576\n").unwrap();
    assert_eq!(
        cg.stats(&parent, &ctr).await.unwrap().memory_limit,
        1_048_576
    );
}

#[tokio::test]
async fn v1_stats_with_comounted_cpu_and_missing_pids() {
    let root = fake_v1(&["cpu,cpuacct", "memory"]);
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let ctr = ContainerId::random();
    write_files(
        &root
            .path()
            .join("cpu,cpuacct/podctl/pod_x")
            .join(ctr.as_str()),
        &[("cpuacct.usage", "42\n")],
    );
    let stats = cg.stats("/podctl/pod_x", &ctr).await.unwrap();
    assert_eq!(
        stats,
        CgroupStats {
            cpu_usage_ns: 42,
            ..CgroupStats::default()
        }
    );
}

#[tokio::test]
async fn v2_stats_read_the_container_cgroup() {
    let root = fake_v2("cpu memory pids\n");
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let parent = cg.pod_cgroup_parent(&PodId::random());
    let ctr = ContainerId::random();
    let dir = root.path().join(rel(&parent)).join(ctr.as_str());
    write_files(
        &dir,
        &[
            (
                "cpu.stat",
                "usage_usec 250\nuser_usec 200\nsystem_usec 50\n",
            ),
            ("memory.current", "5000\n"),
            ("memory.max", "max\n"),
            ("memory.stat", "anon 4000\ninactive_file 500\n"),
            ("pids.current", "2\n"),
        ],
    );
    assert_eq!(
        cg.stats(&parent, &ctr).await.unwrap(),
        CgroupStats {
            cpu_usage_ns: 250_000,
            memory_bytes: 4500,
            memory_limit: 0,
            pids: 2,
        }
    );
    fs::write(dir.join("memory.max"), "268435456\n").unwrap();
    assert_eq!(
        cg.stats(&parent, &ctr).await.unwrap().memory_limit,
        268_435_456
    );
}

#[tokio::test]
async fn stats_errors() {
    let root = fake_v2("memory\n");
    let cg = HostCgroups::with_root(root.path(), false).unwrap();
    let ctr = ContainerId::random();
    let e = cgroup_err(cg.stats("/podctl/pod_y", &ctr).await.unwrap_err());
    assert!(matches!(e, CgroupError::NoSuchCgroup { .. }), "{e:?}");
    assert!(e.to_string().contains(ctr.as_str()));
    let e = cgroup_err(cg.stats("", &ctr).await.unwrap_err());
    assert!(matches!(e, CgroupError::NoParent(_)), "{e:?}");
    let dir = root.path().join("podctl/pod_y").join(ctr.as_str());
    write_files(&dir, &[("memory.current", "lots\n")]);
    let e = cgroup_err(cg.stats("/podctl/pod_y", &ctr).await.unwrap_err());
    assert!(matches!(e, CgroupError::Parse { .. }), "{e:?}");
    assert!(e.to_string().contains("memory.current"), "{e}");
}

#[test]
fn errors_convert_into_pod_core_errors() {
    let e: pod_core::Error = CgroupError::InvalidParent("/../x".into()).into();
    assert!(matches!(e, pod_core::Error::Cgroup(_)));
    assert_eq!(
        e.to_string(),
        "invalid cgroup parent \"/../x\": must be a path like /podctl/pod_<id> without '..'"
    );
}
