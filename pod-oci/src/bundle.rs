//! OCI bundles: the `config.json` of a container, built with the `oci-spec` crate.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{
    get_default_maskedpaths, get_default_mounts, get_default_readonly_paths, get_rootless_mounts,
    Capability, LinuxBuilder, LinuxCapabilitiesBuilder, LinuxDeviceCgroupBuilder,
    LinuxIdMappingBuilder, LinuxNamespace, LinuxNamespaceBuilder, LinuxNamespaceType,
    LinuxResourcesBuilder, Mount, MountBuilder, PosixRlimitBuilder, PosixRlimitType,
    ProcessBuilder, RootBuilder, Spec, SpecBuilder, UserBuilder,
};
use oci_spec::OciSpecError;
use pod_core::{ContainerConfig, CreateOptions, Namespace};

use crate::error::OciError;
use crate::files;

/// The PATH a container gets when its environment has none.
pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// The infra container's command when its config has none.
pub const INFRA_COMMAND: [&str; 2] = ["/catatonit", "-P"];
/// Where catatonit is bind-mounted in the infra container.
pub const CATATONIT_DEST: &str = "/catatonit";
/// The RLIMIT_NOFILE a container gets, capped by the host's hard limit (podman's value).
pub const NOFILE_MAX: u64 = 1_048_576;

/// podman's default capabilities.
const DEFAULT_CAPS: [Capability; 11] = [
    Capability::Chown,
    Capability::DacOverride,
    Capability::Fowner,
    Capability::Fsetid,
    Capability::Kill,
    Capability::NetBindService,
    Capability::Setfcap,
    Capability::Setgid,
    Capability::Setpcap,
    Capability::Setuid,
    Capability::SysChroot,
];

/// Facts about the host that go into a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostInfo {
    /// The hard RLIMIT_NOFILE of this process.
    pub nofile_hard: u64,
    /// Effective uid.
    pub uid: u32,
    /// Effective gid.
    pub gid: u32,
    /// Is `/sys/fs/cgroup` cgroup v2?
    pub cgroup_v2: bool,
}

impl HostInfo {
    /// Probes this process and host.
    pub fn probe() -> Self {
        let nofile_hard =
            nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
                .map(|(_, hard)| hard)
                .unwrap_or(1024);
        let cgroup_v2 = nix::sys::statfs::statfs("/sys/fs/cgroup")
            .map(|s| s.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC)
            .unwrap_or(false);
        Self {
            nofile_hard,
            uid: nix::unistd::geteuid().as_raw(),
            gid: nix::unistd::getegid().as_raw(),
            cgroup_v2,
        }
    }
}

/// What a bundle is built from besides the container.
#[derive(Clone, Debug)]
pub struct BundleParams<'a> {
    /// The container's directory (the bundle directory; the infra rootfs goes here).
    pub dir: &'a Path,
    /// Path of the static catatonit on the host.
    pub catatonit: &'a Path,
    /// Rootless mode (user namespace, no cgroup path on v1).
    pub rootless: bool,
    /// Host facts.
    pub host: HostInfo,
}

fn spec_err(id: &str) -> impl Fn(OciSpecError) -> OciError + '_ {
    move |source| OciError::Spec {
        id: id.to_owned(),
        source,
    }
}

/// The cgroups path of a container under a parent: `<parent>/<id>`, absolute.
pub fn cgroups_path(parent: &str, id: &str) -> PathBuf {
    let p = parent.trim_end_matches('/');
    if p.starts_with('/') {
        PathBuf::from(format!("{p}/{id}"))
    } else {
        PathBuf::from(format!("/{p}/{id}"))
    }
}

/// Resolves `user` (`uid[:gid]`, `name[:group]`) to numeric ids, names through the
/// rootfs' `/etc/passwd` and `/etc/group`.
pub fn resolve_user(user: &str, rootfs: Option<&Path>) -> Result<(u32, u32), OciError> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    if u.is_empty() {
        return Err(OciError::User(format!("invalid user {user:?}: empty user")));
    }
    let passwd = rootfs.and_then(|r| std::fs::read_to_string(r.join("etc/passwd")).ok());
    // passwd: name:x:uid:gid:...
    let pw_entry = |pred: &dyn Fn(&str, u32) -> bool| -> Option<(u32, u32)> {
        passwd.as_deref()?.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let uid = f.get(2)?.parse().ok()?;
            let gid = f.get(3)?.parse().ok()?;
            pred(f.first()?, uid).then_some((uid, gid))
        })
    };
    let (uid, default_gid) = match u.parse::<u32>() {
        Ok(uid) => (uid, pw_entry(&|_, id| id == uid).map(|e| e.1).unwrap_or(0)),
        Err(_) => pw_entry(&|name, _| name == u).ok_or_else(|| {
            OciError::User(format!(
                "unable to find user {u}: no matching entries in passwd file"
            ))
        })?,
    };
    let gid = match g {
        None => default_gid,
        Some("") => {
            return Err(OciError::User(format!(
                "invalid user {user:?}: empty group"
            )))
        }
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => {
                let group = rootfs.and_then(|r| std::fs::read_to_string(r.join("etc/group")).ok());
                group
                    .as_deref()
                    .and_then(|text| {
                        text.lines().find_map(|l| {
                            let f: Vec<&str> = l.split(':').collect();
                            (*f.first()? == g).then(|| f.get(2)?.parse().ok())?
                        })
                    })
                    .ok_or_else(|| {
                        OciError::User(format!(
                            "unable to find group {g}: no matching entries in group file"
                        ))
                    })?
            }
        },
    };
    Ok((uid, gid))
}

fn oci_ns(ns: Namespace) -> LinuxNamespaceType {
    match ns {
        Namespace::Cgroup => LinuxNamespaceType::Cgroup,
        Namespace::Ipc => LinuxNamespaceType::Ipc,
        Namespace::Net => LinuxNamespaceType::Network,
        Namespace::Pid => LinuxNamespaceType::Pid,
        Namespace::Uts => LinuxNamespaceType::Uts,
    }
}

fn namespace(
    id: &str,
    typ: LinuxNamespaceType,
    path: Option<PathBuf>,
) -> Result<LinuxNamespace, OciError> {
    let b = LinuxNamespaceBuilder::default().typ(typ);
    match path {
        Some(p) => b.path(p),
        None => b,
    }
    .build()
    .map_err(spec_err(id))
}

/// Builds the OCI spec of a container. For the infra container (no rootfs), the rootfs
/// is `<dir>/rootfs` (made by [`write_bundle`]) with catatonit bind-mounted.
pub fn build_spec(
    ctr: &ContainerConfig,
    opts: &CreateOptions,
    p: &BundleParams<'_>,
) -> Result<Spec, OciError> {
    let id = ctr.id.as_str();
    let err = spec_err(id);
    let infra = ctr.rootfs.is_none();
    if infra && !ctr.is_infra {
        return Err(OciError::Config(format!(
            "container {} has no rootfs",
            ctr.name
        )));
    }

    // Root filesystem.
    let rootfs = match &ctr.rootfs {
        Some(r) => {
            std::fs::canonicalize(r).map_err(|e| OciError::io("use rootfs of container", r, e))?
        }
        None => p.dir.join(files::ROOTFS),
    };
    let root = RootBuilder::default()
        .path(rootfs.clone())
        .readonly(false)
        .build()
        .map_err(&err)?;

    // Process.
    let args: Vec<String> = if ctr.command.is_empty() {
        if infra {
            INFRA_COMMAND.iter().map(|s| (*s).to_owned()).collect()
        } else {
            return Err(OciError::Config(format!(
                "container {} has no command",
                ctr.name
            )));
        }
    } else {
        ctr.command.clone()
    };
    let mut env = ctr.env.clone();
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.insert(0, DEFAULT_PATH.to_owned());
    }
    let cwd = ctr.workdir.clone().unwrap_or_else(|| "/".to_owned());
    if !cwd.starts_with('/') {
        return Err(OciError::Config(format!(
            "working directory {cwd:?} of container {} is not absolute",
            ctr.name
        )));
    }
    let (uid, gid) = match &ctr.user {
        Some(u) if !u.is_empty() => {
            resolve_user(u, ctr.rootfs.as_deref().map(|_| rootfs.as_path()))?
        }
        _ => (0, 0),
    };
    let user = UserBuilder::default()
        .uid(uid)
        .gid(gid)
        .build()
        .map_err(&err)?;
    let caps: HashSet<Capability> = DEFAULT_CAPS.into_iter().collect();
    let running_caps = if uid == 0 {
        caps.clone()
    } else {
        HashSet::new()
    };
    let capabilities = LinuxCapabilitiesBuilder::default()
        .bounding(caps)
        .effective(running_caps.clone())
        .permitted(running_caps)
        .inheritable(HashSet::new())
        .ambient(HashSet::new())
        .build()
        .map_err(&err)?;
    let nofile = NOFILE_MAX.min(p.host.nofile_hard);
    let rlimit = PosixRlimitBuilder::default()
        .typ(PosixRlimitType::RlimitNofile)
        .soft(nofile)
        .hard(nofile)
        .build()
        .map_err(&err)?;
    let process = ProcessBuilder::default()
        .terminal(false)
        .user(user)
        .args(args)
        .env(env)
        .cwd(cwd)
        .capabilities(capabilities)
        .rlimits(vec![rlimit])
        .no_new_privileges(true)
        .build()
        .map_err(&err)?;

    // Namespaces: joined by path, else new (cgroup only when shared).
    let joined = |ns: Namespace| {
        opts.join
            .iter()
            .find(|(n, _)| *n == ns)
            .map(|(_, pid)| *pid)
    };
    let mut namespaces = Vec::new();
    for ns in [
        Namespace::Pid,
        Namespace::Net,
        Namespace::Ipc,
        Namespace::Uts,
        Namespace::Cgroup,
    ] {
        match joined(ns) {
            Some(pid) => namespaces.push(namespace(
                id,
                oci_ns(ns),
                Some(PathBuf::from(format!("/proc/{pid}/ns/{}", ns.proc_name()))),
            )?),
            None if ns == Namespace::Cgroup && !opts.shared.contains(&ns) => {}
            None => namespaces.push(namespace(id, oci_ns(ns), None)?),
        }
    }
    namespaces.push(namespace(id, LinuxNamespaceType::Mount, None)?);

    let mut linux = LinuxBuilder::default()
        .masked_paths(get_default_maskedpaths())
        .readonly_paths(get_default_readonly_paths());
    if p.rootless {
        // Joined namespaces belong to the infra's user namespace: join it too.
        match opts.join.first() {
            Some((_, pid)) => namespaces.push(namespace(
                id,
                LinuxNamespaceType::User,
                Some(PathBuf::from(format!("/proc/{pid}/ns/user"))),
            )?),
            None => {
                namespaces.push(namespace(id, LinuxNamespaceType::User, None)?);
                let map = |host| {
                    LinuxIdMappingBuilder::default()
                        .container_id(0u32)
                        .host_id(host)
                        .size(1u32)
                        .build()
                        .map_err(&err)
                };
                linux = linux
                    .uid_mappings(vec![map(p.host.uid)?])
                    .gid_mappings(vec![map(p.host.gid)?]);
            }
        }
    } else {
        let deny_all = LinuxDeviceCgroupBuilder::default()
            .allow(false)
            .access("rwm")
            .build()
            .map_err(&err)?;
        let resources = LinuxResourcesBuilder::default()
            .devices(vec![deny_all])
            .build()
            .map_err(&err)?;
        linux = linux.resources(resources);
    }
    if let Some(parent) = opts.cgroup_parent.as_deref().filter(|s| !s.is_empty()) {
        if !p.rootless || p.host.cgroup_v2 {
            linux = linux.cgroups_path(cgroups_path(parent, id));
        }
    }
    let mut linux = linux.namespaces(namespaces).build().map_err(&err)?;
    if p.rootless {
        // The builder starts from `Linux::default()`, which has (empty) resources.
        linux.set_resources(None);
    }

    // Mounts.
    let mut mounts: Vec<Mount> = if p.rootless {
        get_rootless_mounts()
    } else {
        get_default_mounts()
    };
    if infra {
        mounts.push(
            MountBuilder::default()
                .destination(CATATONIT_DEST)
                .typ("bind")
                .source(p.catatonit)
                .options(vec![
                    "bind".to_owned(),
                    "ro".to_owned(),
                    "nosuid".to_owned(),
                    "nodev".to_owned(),
                ])
                .build()
                .map_err(&err)?,
        );
    }

    let mut spec = SpecBuilder::default()
        .version("1.0.2-dev")
        .root(root)
        .process(process)
        .mounts(mounts)
        .linux(linux)
        .build()
        .map_err(&err)?;
    // The builder starts from `Spec::default()`: set every optional part explicitly.
    // runc refuses a hostname without a uts namespace of the container's own.
    spec.set_hostname(joined(Namespace::Uts).is_none().then(|| {
        opts.hostname
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| ctr.id.short().to_owned())
    }));
    spec.set_annotations(None);
    Ok(spec)
}

/// Writes the bundle of a container into `p.dir`: `config.json` (atomically, 0600) and,
/// for the infra container, its empty rootfs. Checks catatonit is installed.
pub fn write_bundle(
    ctr: &ContainerConfig,
    opts: &CreateOptions,
    p: &BundleParams<'_>,
) -> Result<PathBuf, OciError> {
    if ctr.rootfs.is_none() {
        if !p.catatonit.is_file() {
            return Err(OciError::CatatonitMissing(p.catatonit.to_owned()));
        }
        let r = p.dir.join(files::ROOTFS);
        std::fs::create_dir_all(&r).map_err(|e| OciError::io("create directory", &r, e))?;
    }
    let spec = build_spec(ctr, opts, p)?;
    let data = serde_json::to_vec(&spec).map_err(|source| OciError::Json {
        what: format!("spec of container {}", ctr.id),
        source,
    })?;
    let path = p.dir.join(files::CONFIG);
    files::write_atomic(&path, &data, 0o600).map_err(|e| OciError::io("write", &path, e))?;
    Ok(path)
}
