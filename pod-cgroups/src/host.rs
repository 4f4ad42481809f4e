//! [`HostCgroups`]: the host's [`CgroupProbe`].

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use nix::unistd::AccessFlags;
use pod_core::{CgroupMode, CgroupProbe, CgroupStats, ContainerId, PodId};

use crate::detect::{detect_mode, DEFAULT_ROOT};
use crate::error::CgroupError;
use crate::fsops;

/// The directory under a cgroup root (or a rootless user's delegated cgroup) that holds
/// the pods' cgroups.
pub const POD_CGROUP_DIR: &str = "podctl";

/// The host's cgroups: detected hierarchy, rootless or not, and the per-pod cgroups
/// created under `<root>` (cgroupfs style, as runc's `cgroupsPath` expects).
///
/// A pod's cgroup parent is `/podctl/pod_<pod id>`; each of its containers gets
/// `<parent>/<container id>` from the runtime layer, which runc creates.
#[derive(Clone, Debug)]
pub struct HostCgroups {
    root: PathBuf,
    mode: CgroupMode,
    rootless: bool,
    uid: u32,
    /// Cgroup v2 path (below the root) delegated to a rootless user, if any.
    delegated: Option<String>,
}

impl HostCgroups {
    /// The host's cgroups at `/sys/fs/cgroup`; rootless when the effective uid is not 0.
    pub fn detect() -> Result<Self, CgroupError> {
        Self::with_root(Path::new(DEFAULT_ROOT), !nix::unistd::geteuid().is_root())
    }

    /// Cgroups at another root (a fake tree in tests, another mount point).
    pub fn with_root(root: &Path, rootless: bool) -> Result<Self, CgroupError> {
        let mode = detect_mode(root)?;
        let uid = nix::unistd::geteuid().as_raw();
        let delegated = (rootless && mode.is_v2()).then(|| {
            let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
            delegated_base(&own, uid)
        });
        Ok(Self {
            root: root.to_path_buf(),
            mode,
            rootless,
            uid,
            delegated,
        })
    }

    /// The cgroup root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn rootless_parent(&self, pod: &PodId) -> String {
        let Some(base) = self.delegated.as_deref().filter(|_| self.mode.is_v2()) else {
            return String::new();
        };
        let dir = self.root.join(base.trim_start_matches('/'));
        let writable = dir.is_dir()
            && nix::unistd::eaccess(&dir, AccessFlags::W_OK | AccessFlags::X_OK).is_ok();
        if writable {
            format!("{}/{POD_CGROUP_DIR}/pod_{pod}", base.trim_end_matches('/'))
        } else {
            tracing::debug!(uid = self.uid, dir = %dir.display(), "no writable delegated cgroup, pod gets no cgroup parent");
            String::new()
        }
    }

    fn create_blocking(&self, parent: &str) -> Result<(), CgroupError> {
        let rel = fsops::relative_parent(parent)?;
        if rel.as_os_str().is_empty() {
            return Ok(());
        }
        match self.mode {
            CgroupMode::Unified => fsops::v2_create(&self.root, &rel),
            CgroupMode::Hybrid | CgroupMode::Legacy => fsops::v1_create(&self.root, &rel),
        }
    }

    fn remove_blocking(&self, parent: &str) -> Result<(), CgroupError> {
        let rel = fsops::relative_parent(parent)?;
        if rel.as_os_str().is_empty() {
            return Ok(());
        }
        match self.mode {
            CgroupMode::Unified => fsops::v2_remove(&self.root, &rel),
            CgroupMode::Hybrid | CgroupMode::Legacy => fsops::v1_remove(&self.root, &rel),
        }
    }

    fn stats_blocking(
        &self,
        parent: &str,
        container: &ContainerId,
    ) -> Result<CgroupStats, CgroupError> {
        let rel = fsops::relative_parent(parent)?;
        if rel.as_os_str().is_empty() {
            return Err(CgroupError::NoParent(container.to_string()));
        }
        let rel = rel.join(container.as_str());
        let found = match self.mode {
            CgroupMode::Unified => fsops::v2_stats(&self.root, &rel)?,
            CgroupMode::Hybrid | CgroupMode::Legacy => fsops::v1_stats(&self.root, &rel)?,
        };
        found.ok_or_else(|| CgroupError::NoSuchCgroup {
            container: container.to_string(),
            path: self.root.join(rel),
        })
    }

    /// Runs a blocking cgroup operation off the async executor.
    async fn blocking<T, F>(&self, f: F) -> Result<T, CgroupError>
    where
        T: Send + 'static,
        F: FnOnce(&Self) -> Result<T, CgroupError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(&this))
            .await
            .map_err(|e| CgroupError::Task(e.to_string()))?
    }
}

/// The cgroup v2 path delegated to user `uid`: the `user@<uid>.service` ancestor of the
/// process's own cgroup (from `/proc/self/cgroup`), else systemd's standard place.
fn delegated_base(proc_self_cgroup: &str, uid: u32) -> String {
    let service = format!("user@{uid}.service");
    let own = proc_self_cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .unwrap_or_default();
    let mut prefix = String::new();
    for comp in own.split('/').filter(|c| !c.is_empty()) {
        prefix.push('/');
        prefix.push_str(comp);
        if comp == service {
            return prefix;
        }
    }
    format!("/user.slice/user-{uid}.slice/{service}")
}

#[async_trait]
impl CgroupProbe for HostCgroups {
    fn mode(&self) -> CgroupMode {
        self.mode
    }

    fn rootless(&self) -> bool {
        self.rootless
    }

    /// `/podctl/pod_<id>` as root. Rootless: on cgroup v2 the same below the user's
    /// delegated cgroup when it is writable; otherwise (and always on v1, where runc
    /// cannot create cgroups rootless) empty, meaning no cgroup parent.
    fn pod_cgroup_parent(&self, pod: &PodId) -> String {
        if self.rootless {
            self.rootless_parent(pod)
        } else {
            format!("/{POD_CGROUP_DIR}/pod_{pod}")
        }
    }

    /// v1/hybrid: `<root>/<controller>/<parent>` for cpu, cpuacct, memory, pids,
    /// freezer, devices, blkio and cpuset (those mounted; cpuset gets its parent's cpus
    /// and mems). v2: `<root>/<parent>` with controllers enabled where allowed. An empty
    /// parent is a no-op.
    async fn create_pod_cgroup(&self, parent: &str) -> pod_core::Result<()> {
        let parent = parent.to_owned();
        Ok(self
            .blocking(move |this| this.create_blocking(&parent))
            .await?)
    }

    /// Removes the pod's cgroup, and child cgroups left in it, from every hierarchy;
    /// absent is fine, a cgroup that still has processes is an error naming it.
    async fn remove_pod_cgroup(&self, parent: &str) -> pod_core::Result<()> {
        let parent = parent.to_owned();
        Ok(self
            .blocking(move |this| this.remove_blocking(&parent))
            .await?)
    }

    /// Usage of `<parent>/<container id>`.
    async fn stats(&self, parent: &str, container: &ContainerId) -> pod_core::Result<CgroupStats> {
        let (parent, container) = (parent.to_owned(), container.clone());
        Ok(self
            .blocking(move |this| this.stats_blocking(&parent, &container))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delegated_base_from_own_cgroup() {
        let own = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope\n";
        assert_eq!(
            delegated_base(own, 1000),
            "/user.slice/user-1000.slice/user@1000.service"
        );
    }

    #[test]
    fn delegated_base_falls_back_to_systemd_default() {
        // a login session scope is not delegated
        let own = "0::/user.slice/user-1000.slice/session-3.scope\n";
        assert_eq!(
            delegated_base(own, 1000),
            "/user.slice/user-1000.slice/user@1000.service"
        );
        // v1 host lines only
        assert_eq!(
            delegated_base("4:memory:/x\n1:cpu:/\n", 1001),
            "/user.slice/user-1001.slice/user@1001.service"
        );
        // another user's service does not count
        let other = "0::/user.slice/user-1000.slice/user@1000.service/x\n";
        assert_eq!(
            delegated_base(other, 1001),
            "/user.slice/user-1001.slice/user@1001.service"
        );
    }

    fn fake_v2() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cgroup.controllers"), "cpu memory pids\n").unwrap();
        dir
    }

    #[test]
    fn rootless_v2_parent_uses_writable_delegation() {
        let root = fake_v2();
        let mut cg = HostCgroups::with_root(root.path(), true).unwrap();
        assert!(cg.rootless());
        cg.delegated = Some("/user.slice/user-1000.slice/user@1000.service".into());
        let pod = PodId::random();
        // not there → no parent
        assert_eq!(cg.pod_cgroup_parent(&pod), "");
        let base = root
            .path()
            .join("user.slice/user-1000.slice/user@1000.service");
        std::fs::create_dir_all(&base).unwrap();
        if nix::unistd::geteuid().is_root() {
            assert_eq!(
                cg.pod_cgroup_parent(&pod),
                format!("/user.slice/user-1000.slice/user@1000.service/podctl/pod_{pod}")
            );
        }
        // a plain file is not a cgroup to create children in
        std::fs::remove_dir(&base).unwrap();
        std::fs::write(&base, "").unwrap();
        assert_eq!(cg.pod_cgroup_parent(&pod), "");
    }

    #[test]
    fn rootless_v2_parent_without_write_permission_is_empty() {
        use std::os::unix::fs::PermissionsExt;
        if nix::unistd::geteuid().is_root() {
            println!("skipped: root can write anywhere, permission check not testable");
            return;
        }
        let root = fake_v2();
        let mut cg = HostCgroups::with_root(root.path(), true).unwrap();
        cg.delegated = Some("/deleg".into());
        let base = root.path().join("deleg");
        std::fs::create_dir(&base).unwrap();
        let pod = PodId::random();
        assert_eq!(
            cg.pod_cgroup_parent(&pod),
            format!("/deleg/podctl/pod_{pod}")
        );
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o555)).unwrap();
        assert_eq!(cg.pod_cgroup_parent(&pod), "");
    }
}
