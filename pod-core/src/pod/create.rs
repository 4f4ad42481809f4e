//! `pod_create`: the pod and, when it shares namespaces, its infra container config.

use crate::container::create::DEFAULT_STOP_TIMEOUT;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::{
    ContainerConfig, ContainerId, ContainerStatus, EventKind, Name, Namespace, PodConfig, PodId,
    PodSpec, RestartPolicy, Signal,
};

/// The infra command when none is given: catatonit in pause mode, as podman.
pub(crate) const DEFAULT_INFRA_COMMAND: [&str; 2] = ["/catatonit", "-P"];

impl Engine {
    pub(crate) async fn pod_create_impl(&self, spec: PodSpec) -> Result<PodConfig> {
        let name = spec.name.clone().unwrap_or_else(Name::generate);
        match self.store.lookup_pod(name.as_str()).await {
            Ok(p) if p.name == name => return Err(Error::PodExists(name.to_string())),
            Ok(_) | Err(Error::NoSuchPod(_)) | Err(Error::Ambiguous { .. }) => {}
            Err(e) => return Err(e),
        }
        let id = PodId::random();
        let share = spec.share.clone().unwrap_or_else(Namespace::default_shared);
        // Without an infra container nothing can hold the namespaces: nothing is shared.
        let has_infra = spec.infra && !share.is_empty();
        let shared_namespaces = if has_infra { share } else { Default::default() };
        let now = self.clock.now();
        let infra = if has_infra {
            let infra_name = match &spec.infra_name {
                Some(n) => n.clone(),
                None => Name::parse(&format!("{}-infra", id.short()))?,
            };
            match self.store.lookup_container(infra_name.as_str()).await {
                Ok(c) if c.config.name == infra_name => {
                    return Err(Error::ContainerExists(infra_name.to_string()))
                }
                Ok(_) | Err(Error::NoSuchContainer(_)) | Err(Error::Ambiguous { .. }) => {}
                Err(e) => return Err(e),
            }
            let command = if spec.infra_command.is_empty() {
                DEFAULT_INFRA_COMMAND
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                spec.infra_command.clone()
            };
            Some(ContainerConfig {
                id: ContainerId::random(),
                name: infra_name,
                pod: Some(id.clone()),
                rootfs: None,
                command,
                env: Vec::new(),
                workdir: None,
                user: None,
                labels: Default::default(),
                stop_signal: Signal::TERM,
                stop_timeout: DEFAULT_STOP_TIMEOUT,
                dependencies: Vec::new(),
                init_type: None,
                is_infra: true,
                restart_policy: RestartPolicy::No,
                created: now,
                create_command: spec.create_command.clone(),
            })
        } else {
            None
        };
        if let Some(parent) = &spec.cgroup_parent {
            check_cgroup_parent(parent)?;
        }
        let cgroup_parent = spec
            .cgroup_parent
            .clone()
            .unwrap_or_else(|| self.cgroups.pod_cgroup_parent(&id));
        let pod = PodConfig {
            id,
            hostname: spec.hostname.clone().unwrap_or_else(|| name.to_string()),
            name,
            labels: spec.labels,
            created: now,
            create_command: spec.create_command,
            exit_policy: spec.exit_policy,
            shared_namespaces,
            infra_container_id: infra.as_ref().map(|c| c.id.clone()),
            cgroup_parent,
        };
        self.store.add_pod(&pod).await?;
        if let Some(infra) = &infra {
            if let Err(e) = self
                .store
                .add_container(infra, &ContainerStatus::default())
                .await
            {
                if let Err(re) = self.store.remove_pod(&pod.id).await {
                    tracing::warn!(pod = %pod.name, error = %re, "cannot roll back pod creation");
                }
                return Err(e);
            }
        }
        self.event(EventKind::Create, Some(&pod.id), None, pod.name.as_str())
            .await;
        Ok(pod)
    }
}

/// A cgroup parent must stay below the cgroup root: a `/`-separated path without `.`,
/// `..`, empty components or NUL (refused at create, not at the first start).
fn check_cgroup_parent(parent: &str) -> Result<()> {
    let trimmed = parent.trim_start_matches('/').trim_end_matches('/');
    let bad = parent.contains('\0')
        || (!trimmed.is_empty()
            && trimmed
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == ".."));
    if bad {
        return Err(Error::InvalidArgument(format!(
            "invalid cgroup parent {parent:?}: must be a path like /podctl/pod_<id> without '.', '..' or empty components"
        )));
    }
    Ok(())
}
