//! `pod_inspect`: podman's field names, containers sorted by name.

use crate::engine::Engine;
use crate::error::Result;
use crate::model::{format_time, Container, PodConfig, PodInspect, PodInspectContainer};
use crate::pod::status::pod_status_of;

/// Inspect output of a pod and its (reconciled) containers.
pub(crate) fn inspect(pod: &PodConfig, ctrs: &[Container]) -> PodInspect {
    let mut containers: Vec<PodInspectContainer> = ctrs
        .iter()
        .map(|c| PodInspectContainer {
            id: c.id().to_string(),
            name: c.name().to_string(),
            state: c.status.state.as_str().to_owned(),
        })
        .collect();
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    let mut shared: Vec<String> = pod
        .shared_namespaces
        .iter()
        .map(|n| n.as_str().to_owned())
        .collect();
    shared.sort();
    PodInspect {
        id: pod.id.to_string(),
        name: pod.name.to_string(),
        namespace: String::new(),
        created: format_time(&pod.created),
        create_command: pod.create_command.clone(),
        exit_policy: pod.exit_policy.as_str().to_owned(),
        state: pod_status_of(ctrs).as_str().to_owned(),
        hostname: pod.hostname.clone(),
        labels: pod.labels.clone(),
        create_cgroup: !pod.cgroup_parent.is_empty(),
        cgroup_parent: pod.cgroup_parent.clone(),
        cgroup_path: pod.cgroup_parent.clone(),
        create_infra: pod.infra_container_id.is_some(),
        infra_container_id: pod.infra_container_id.as_ref().map(|i| i.to_string()),
        shared_namespaces: shared,
        num_containers: ctrs.len(),
        containers,
    }
}

impl Engine {
    pub(crate) async fn pod_inspect_impl(&self, pod: &str) -> Result<PodInspect> {
        let (pod, ctrs) = self.pod_view(pod).await?;
        Ok(inspect(&pod, &ctrs))
    }
}
