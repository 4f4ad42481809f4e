//! Bundle generation: config.json is written, parsed back and checked.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::path::Path;

use common::ctr;
use oci_spec::runtime::{LinuxNamespaceType, PosixRlimitType, Spec};
use pod_core::{CreateOptions, Namespace};
use pod_oci::bundle::{build_spec, resolve_user, write_bundle, BundleParams, HostInfo};
use pod_oci::OciError;

fn host(nofile_hard: u64) -> HostInfo {
    HostInfo {
        nofile_hard,
        uid: 1000,
        gid: 1000,
        cgroup_v2: false,
    }
}

fn params<'a>(dir: &'a Path, catatonit: &'a Path, rootless: bool, nofile: u64) -> BundleParams<'a> {
    BundleParams {
        dir,
        catatonit,
        rootless,
        host: host(nofile),
    }
}

fn ns(spec: &Spec) -> Vec<(LinuxNamespaceType, Option<String>)> {
    spec.linux()
        .as_ref()
        .unwrap()
        .namespaces()
        .as_ref()
        .unwrap()
        .iter()
        .map(|n| (n.typ(), n.path().as_ref().map(|p| p.display().to_string())))
        .collect()
}

#[test]
fn pod_container_joins_the_infra_namespaces_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = tempfile::tempdir().unwrap();
    let mut c = ctr(Some(rootfs.path()), &["sh", "-c", "echo hi"]);
    c.env = vec!["A=1".into()];
    c.workdir = Some("/tmp".into());
    let opts = CreateOptions {
        hostname: Some("podhost".into()),
        join: vec![
            (Namespace::Ipc, 4321),
            (Namespace::Net, 4321),
            (Namespace::Uts, 4321),
        ],
        shared: vec![],
        cgroup_parent: Some("/podctl/pod_abc".into()),
        pod: None,
    };
    let path = write_bundle(
        &c,
        &opts,
        &params(dir.path(), Path::new("/x/catatonit"), false, 20000),
    )
    .unwrap();
    assert_eq!(path, dir.path().join("config.json"));
    let spec = Spec::load(&path).unwrap();
    if std::env::var_os("DUMP_SPEC").is_some() {
        println!("{}", std::fs::read_to_string(&path).unwrap());
    }

    let root = spec.root().as_ref().unwrap();
    assert_eq!(root.path(), &std::fs::canonicalize(rootfs.path()).unwrap());
    assert_eq!(root.readonly(), Some(false));

    let p = spec.process().as_ref().unwrap();
    assert_eq!(p.args().as_ref().unwrap(), &["sh", "-c", "echo hi"]);
    let env = p.env().as_ref().unwrap();
    assert!(
        env.iter().any(|e| e.starts_with("PATH=/usr/local/sbin")),
        "{env:?}"
    );
    assert!(env.contains(&"A=1".to_string()));
    assert_eq!(p.cwd(), Path::new("/tmp"));
    assert_eq!(p.terminal(), Some(false));
    assert_eq!(p.no_new_privileges(), Some(true));
    assert_eq!((p.user().uid(), p.user().gid()), (0, 0));
    let rl = p.rlimits().as_ref().unwrap();
    let nofile = rl
        .iter()
        .find(|r| r.typ() == PosixRlimitType::RlimitNofile)
        .unwrap();
    assert_eq!((nofile.soft(), nofile.hard()), (20000, 20000));

    // shared uts is joined: runc refuses a hostname then, the infra set it
    assert_eq!(spec.hostname(), &None);
    assert_eq!(
        ns(&spec),
        [
            (LinuxNamespaceType::Pid, None),
            (
                LinuxNamespaceType::Network,
                Some("/proc/4321/ns/net".into())
            ),
            (LinuxNamespaceType::Ipc, Some("/proc/4321/ns/ipc".into())),
            (LinuxNamespaceType::Uts, Some("/proc/4321/ns/uts".into())),
            (LinuxNamespaceType::Mount, None),
        ]
    );
    let linux = spec.linux().as_ref().unwrap();
    assert_eq!(
        linux.cgroups_path().as_deref(),
        Some(Path::new(&format!("/podctl/pod_abc/{}", c.id)))
    );
    assert!(linux
        .masked_paths()
        .as_ref()
        .unwrap()
        .contains(&"/proc/kcore".to_string()));
    assert!(linux
        .readonly_paths()
        .as_ref()
        .unwrap()
        .contains(&"/proc/sys".to_string()));
    assert!(linux.uid_mappings().is_none());
    let dests: Vec<_> = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.destination().display().to_string())
        .collect();
    for d in [
        "/proc",
        "/dev",
        "/dev/pts",
        "/dev/shm",
        "/dev/mqueue",
        "/sys",
    ] {
        assert!(dests.contains(&d.to_string()), "{d} missing in {dests:?}");
    }
    assert!(!dests.contains(&"/catatonit".to_string()));
    // the JSON is what runc expects
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(raw["linux"]["namespaces"][1]["type"], "network");
    assert_eq!(raw["process"]["rlimits"][0]["type"], "RLIMIT_NOFILE");
}

#[test]
fn infra_container_runs_catatonit_in_an_empty_rootfs() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catatonit-bin");
    std::fs::write(&cat, "").unwrap();
    let mut c = ctr(None, &[]);
    c.is_infra = true;
    let opts = CreateOptions {
        hostname: Some("mypod".into()),
        shared: vec![Namespace::Ipc, Namespace::Net, Namespace::Uts],
        ..Default::default()
    };
    let path = write_bundle(&c, &opts, &params(dir.path(), &cat, false, 2_000_000)).unwrap();
    let spec = Spec::load(&path).unwrap();
    let rootfs = dir.path().join("rootfs");
    assert!(rootfs.is_dir());
    assert_eq!(std::fs::read_dir(&rootfs).unwrap().count(), 0);
    assert_eq!(spec.root().as_ref().unwrap().path(), &rootfs);
    assert_eq!(
        spec.process().as_ref().unwrap().args().as_ref().unwrap(),
        &["/catatonit", "-P"]
    );
    let m = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/catatonit"))
        .unwrap();
    assert_eq!(m.source().as_deref(), Some(cat.as_path()));
    assert_eq!(m.typ().as_deref(), Some("bind"));
    assert!(m.options().as_ref().unwrap().contains(&"ro".to_string()));
    assert_eq!(spec.hostname().as_deref(), Some("mypod"));
    // new namespaces for the pod, nothing joined, host cgroup ns
    assert_eq!(
        ns(&spec),
        [
            (LinuxNamespaceType::Pid, None),
            (LinuxNamespaceType::Network, None),
            (LinuxNamespaceType::Ipc, None),
            (LinuxNamespaceType::Uts, None),
            (LinuxNamespaceType::Mount, None),
        ]
    );
    // host hard limit above the cap: capped at podman's 1048576
    let rl = spec.process().as_ref().unwrap().rlimits().as_ref().unwrap()[0];
    assert_eq!((rl.soft(), rl.hard()), (1_048_576, 1_048_576));
    // no cgroup parent: no cgroupsPath
    assert!(spec.linux().as_ref().unwrap().cgroups_path().is_none());
}

#[test]
fn missing_catatonit_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ctr(None, &[]);
    c.is_infra = true;
    let e = write_bundle(
        &c,
        &CreateOptions::default(),
        &params(dir.path(), Path::new("/nonexistent/catatonit"), false, 1024),
    )
    .unwrap_err();
    assert!(matches!(e, OciError::CatatonitMissing(_)));
    let msg = e.to_string();
    assert!(
        msg.contains("/nonexistent/catatonit") && msg.contains("Debian package `catatonit`"),
        "{msg}"
    );
    assert!(!dir.path().join("config.json").exists());
}

#[test]
fn standalone_container_owns_its_namespaces_and_hostname() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = tempfile::tempdir().unwrap();
    let c = ctr(Some(rootfs.path()), &["true"]);
    let spec = build_spec(
        &c,
        &CreateOptions::default(),
        &params(dir.path(), Path::new("/c"), false, 20000),
    )
    .unwrap();
    assert_eq!(spec.hostname().as_deref(), Some(c.id.short()));
    let kinds: Vec<_> = ns(&spec)
        .into_iter()
        .map(|(k, p)| {
            assert!(p.is_none());
            k
        })
        .collect();
    assert_eq!(
        kinds,
        [
            LinuxNamespaceType::Pid,
            LinuxNamespaceType::Network,
            LinuxNamespaceType::Ipc,
            LinuxNamespaceType::Uts,
            LinuxNamespaceType::Mount
        ]
    );
    // a pid namespace joined too, and an empty cgroup parent means none
    let opts = CreateOptions {
        join: vec![(Namespace::Pid, 7)],
        cgroup_parent: Some(String::new()),
        ..Default::default()
    };
    let spec = build_spec(
        &c,
        &opts,
        &params(dir.path(), Path::new("/c"), false, 20000),
    )
    .unwrap();
    assert_eq!(
        ns(&spec)[0],
        (LinuxNamespaceType::Pid, Some("/proc/7/ns/pid".into()))
    );
    assert!(spec.linux().as_ref().unwrap().cgroups_path().is_none());
    // a parent without leading slash
    let opts = CreateOptions {
        cgroup_parent: Some("podctl/p/".into()),
        ..Default::default()
    };
    let spec = build_spec(
        &c,
        &opts,
        &params(dir.path(), Path::new("/c"), false, 20000),
    )
    .unwrap();
    assert_eq!(
        spec.linux().as_ref().unwrap().cgroups_path().as_deref(),
        Some(Path::new(&format!("/podctl/p/{}", c.id)))
    );
}

#[test]
fn rootless_gets_a_user_namespace_and_no_cgroup_path_on_v1() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = tempfile::tempdir().unwrap();
    let c = ctr(Some(rootfs.path()), &["true"]);
    let opts = CreateOptions {
        cgroup_parent: Some("/podctl/p".into()),
        ..Default::default()
    };
    let spec = build_spec(&c, &opts, &params(dir.path(), Path::new("/c"), true, 4096)).unwrap();
    let linux = spec.linux().as_ref().unwrap();
    assert!(ns(&spec).contains(&(LinuxNamespaceType::User, None)));
    let m = linux.uid_mappings().as_ref().unwrap()[0];
    assert_eq!((m.container_id(), m.host_id(), m.size()), (0, 1000, 1));
    assert_eq!(linux.gid_mappings().as_ref().unwrap()[0].host_id(), 1000);
    assert!(linux.cgroups_path().is_none());
    assert!(linux.resources().is_none());
    // on cgroup v2 the path is kept
    let mut p = params(dir.path(), Path::new("/c"), true, 4096);
    p.host.cgroup_v2 = true;
    let spec = build_spec(&c, &opts, &p).unwrap();
    assert!(spec.linux().as_ref().unwrap().cgroups_path().is_some());
    // joining a pod: the infra's user namespace too, no own mappings
    let opts = CreateOptions {
        join: vec![(Namespace::Net, 55)],
        ..Default::default()
    };
    let spec = build_spec(&c, &opts, &p).unwrap();
    assert!(ns(&spec).contains(&(LinuxNamespaceType::User, Some("/proc/55/ns/user".into()))));
    assert!(spec.linux().as_ref().unwrap().uid_mappings().is_none());
}

#[test]
fn users_resolve_numerically_and_through_the_rootfs() {
    let rootfs = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(rootfs.path().join("etc")).unwrap();
    std::fs::write(
        rootfs.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nwww:x:33:34:www:/var/www:/bin/false\n",
    )
    .unwrap();
    std::fs::write(rootfs.path().join("etc/group"), "root:x:0:\nstaff:x:50:\n").unwrap();
    let r = Some(rootfs.path());
    assert_eq!(resolve_user("1000", None).unwrap(), (1000, 0));
    assert_eq!(resolve_user("1000:2000", None).unwrap(), (1000, 2000));
    assert_eq!(resolve_user("33", r).unwrap(), (33, 34));
    assert_eq!(resolve_user("www", r).unwrap(), (33, 34));
    assert_eq!(resolve_user("www:staff", r).unwrap(), (33, 50));
    assert_eq!(resolve_user("www:7", r).unwrap(), (33, 7));
    let e = resolve_user("nobody", r).unwrap_err().to_string();
    assert_eq!(
        e,
        "unable to find user nobody: no matching entries in passwd file"
    );
    let e = resolve_user("www:nogroup", r).unwrap_err().to_string();
    assert_eq!(
        e,
        "unable to find group nogroup: no matching entries in group file"
    );
    assert!(resolve_user("alice", None).is_err());
    assert!(resolve_user(":5", None).is_err());
    assert!(resolve_user("5:", None).is_err());

    // in a spec: non-root users run without effective capabilities
    let dir = tempfile::tempdir().unwrap();
    let mut c = ctr(Some(rootfs.path()), &["id"]);
    c.user = Some("www".into());
    let spec = build_spec(
        &c,
        &CreateOptions::default(),
        &params(dir.path(), Path::new("/c"), false, 1024),
    )
    .unwrap();
    let p = spec.process().as_ref().unwrap();
    assert_eq!((p.user().uid(), p.user().gid()), (33, 34));
    let caps = p.capabilities().as_ref().unwrap();
    assert!(caps.effective().as_ref().unwrap().is_empty());
    assert!(!caps.bounding().as_ref().unwrap().is_empty());
}

#[test]
fn bad_configs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = tempfile::tempdir().unwrap();
    let p = params(dir.path(), Path::new("/c"), false, 1024);
    let e = build_spec(
        &ctr(Some(rootfs.path()), &[]),
        &CreateOptions::default(),
        &p,
    )
    .unwrap_err();
    assert!(e.to_string().contains("has no command"), "{e}");
    let mut c = ctr(Some(rootfs.path()), &["x"]);
    c.workdir = Some("relative".into());
    let e = build_spec(&c, &CreateOptions::default(), &p).unwrap_err();
    assert!(e.to_string().contains("is not absolute"), "{e}");
    let e = build_spec(&ctr(None, &["x"]), &CreateOptions::default(), &p).unwrap_err();
    assert!(e.to_string().contains("has no rootfs"), "{e}");
    let e = build_spec(
        &ctr(Some(Path::new("/nonexistent/rootfs")), &["x"]),
        &CreateOptions::default(),
        &p,
    )
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/rootfs"), "{e}");
}
