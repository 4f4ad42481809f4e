//! `container_create`: validation, pod and dependency resolution, the graph check.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::DepGraph;
use crate::model::{
    ContainerConfig, ContainerId, ContainerSpec, ContainerStatus, EventKind, Name, PodStatus,
    Signal,
};

/// Default seconds stop waits before SIGKILL.
pub(crate) const DEFAULT_STOP_TIMEOUT: u64 = 10;

impl Engine {
    pub(crate) async fn container_create_impl(
        &self,
        spec: ContainerSpec,
    ) -> Result<ContainerConfig> {
        if spec.command.is_empty() {
            return Err(Error::InvalidArgument(
                "no command specified for the container".into(),
            ));
        }
        if spec.rootfs.as_os_str().is_empty() {
            return Err(Error::InvalidArgument(
                "no rootfs specified for the container".into(),
            ));
        }
        // The runtime runs from the bundle dir: a relative rootfs is made absolute.
        let rootfs = std::path::absolute(&spec.rootfs).map_err(|e| {
            Error::InvalidArgument(format!("invalid rootfs {}: {e}", spec.rootfs.display()))
        })?;
        if spec.init_type.is_some() && spec.pod.is_none() {
            return Err(Error::InitWithoutPod);
        }
        let name = spec.name.clone().unwrap_or_else(Name::generate);
        // Checked before any lookup: the container does not exist yet, so a lookup would
        // only say "no such container".
        if spec.requires.iter().any(|r| r == name.as_str()) {
            return Err(Error::InvalidArgument(format!(
                "container {name} cannot depend on itself (--requires {name})"
            )));
        }
        match self.store.lookup_container(name.as_str()).await {
            Ok(c) if c.config.name == name => return Err(Error::ContainerExists(name.to_string())),
            Ok(_) | Err(Error::NoSuchContainer(_)) | Err(Error::Ambiguous { .. }) => {}
            Err(e) => return Err(e),
        }

        let pod = match &spec.pod {
            Some(p) => Some(self.store.lookup_pod(p).await?),
            None => None,
        };
        let existing = match &pod {
            Some(p) => self.store.pod_containers(&p.id).await?,
            None => Vec::new(),
        };
        if let (Some(_), Some(p)) = (spec.init_type, &pod) {
            // The pod's status with the runtime's view (only needed here).
            let current = self.reconciled(existing.clone()).await;
            let status = PodStatus::from_states(
                current
                    .iter()
                    .filter(|c| c.config.init_type.is_none())
                    .map(|c| c.status.state),
            );
            if matches!(status, PodStatus::Running | PodStatus::Degraded) {
                tracing::debug!(pod = %p.name, %status, "refusing init container");
                return Err(Error::InitToRunningPod);
            }
        }

        let mut dependencies: Vec<ContainerId> = Vec::new();
        for r in &spec.requires {
            let dep = self.store.lookup_container(r).await?;
            if dep.config.pod != pod.as_ref().map(|p| p.id.clone()) {
                return Err(match &pod {
                    Some(p) => Error::DependencyOutsidePod {
                        container: name.to_string(),
                        dependency: dep.name().to_string(),
                        pod: p.name.to_string(),
                    },
                    None => Error::InvalidArgument(format!(
                        "container {name} is not in a pod and cannot depend on container {}, which is in a pod",
                        dep.name()
                    )),
                });
            }
            if dep.config.init_type.is_some() {
                return Err(Error::InvalidArgument(format!(
                    "container {} is an init container: containers cannot depend on it",
                    dep.name()
                )));
            }
            if !dependencies.contains(dep.id()) {
                dependencies.push(dep.id().clone());
            }
        }

        let config = ContainerConfig {
            id: ContainerId::random(),
            name,
            pod: pod.as_ref().map(|p| p.id.clone()),
            rootfs: Some(rootfs),
            command: spec.command,
            env: spec.env,
            workdir: spec.workdir,
            user: spec.user,
            labels: spec.labels,
            stop_signal: spec.stop_signal.unwrap_or(Signal::TERM),
            stop_timeout: spec.stop_timeout.unwrap_or(DEFAULT_STOP_TIMEOUT),
            dependencies,
            init_type: spec.init_type,
            is_infra: false,
            restart_policy: spec.restart_policy,
            created: self.clock.now(),
            create_command: spec.create_command,
        };
        if let Some(p) = &pod {
            // Refuse cycles and outside-pod dependencies now, not at the next start.
            DepGraph::from_configs(
                p,
                existing
                    .iter()
                    .map(|c| &c.config)
                    .chain(std::iter::once(&config)),
            )?;
        }
        self.store
            .add_container(&config, &ContainerStatus::default())
            .await?;
        self.event(
            EventKind::Create,
            config.pod.as_ref(),
            Some(&config.id),
            config.name.as_str(),
        )
        .await;
        Ok(config)
    }
}
