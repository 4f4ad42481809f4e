//! # pod-core
//!
//! The pod lifecycle engine of podctl: pods of OCI containers started in dependency
//! order (init containers first, independent containers concurrently), stopped with
//! timeouts, paused, killed, restarted, inspected — podman's pod semantics.
//!
//! pod-core does no I/O of its own. It drives three traits — [`StateStore`],
//! [`OciRuntime`] and [`CgroupProbe`] — implemented by sibling crates (`pod-state`,
//! `pod-oci`, `pod-cgroups`) and mockable with mockall (feature `mock`).
//!
//! ## Layout
//! - [`model`]: ids, names, signals, configs, container states and pod status, inspect
//!   output with podman's field names.
//! - [`traits`]: the store, runtime, cgroup and clock traits.
//! - [`graph`]: the dependency graph of a pod on `daggy` ([`DepGraph`]): cycles and
//!   outside-pod dependencies are refused, roots, start and stop orders.
//! - [`engine`]: the [`Engine`], every pod and container operation. Internally, pod
//!   operations live one per file in `pod/`, the container-level steps they share with
//!   the `container_*` operations in `container`, and the dependency-driven scheduler
//!   (each container starts as soon as its dependencies run, at most
//!   [`DEFAULT_PARALLELISM`] at once, on any tokio runtime) in `sched`.
//! - [`error`]: the crate's error; a partial failure carries per-container errors
//!   sorted by container name.
//!
//! Writing operations hold the pod's lock ([`StateStore::lock_pod`]) for their whole
//! run; reads (`pod_status`, `pod_summary`, `pod_list`, `*_inspect`, `container_list`)
//! never take it and reconcile container states in memory from the runtime's exit
//! records and monitor liveness.
//!
//! ```
//! use pod_core::{ContainerState, PodStatus, Signal};
//!
//! let status = PodStatus::from_states([ContainerState::Running, ContainerState::Exited]);
//! assert_eq!(status, PodStatus::Degraded);
//! assert_eq!(Signal::parse("sigterm").unwrap(), Signal::TERM);
//! ```
//!
//! The dependency graph of a pod, as `pod start` and `create --requires` use it:
//!
//! ```
//! use pod_core::{ContainerConfig, ContainerId, DepGraph, Name, PodConfig, PodId, Signal};
//!
//! let pod = PodConfig {
//!     id: PodId::random(),
//!     name: Name::parse("web").unwrap(),
//!     labels: Default::default(),
//!     hostname: "web".into(),
//!     created: chrono::Utc::now(),
//!     create_command: vec![],
//!     exit_policy: Default::default(),
//!     shared_namespaces: Default::default(),
//!     infra_container_id: None,
//!     cgroup_parent: String::new(),
//! };
//! let ctr = |name: &str, deps: Vec<ContainerId>| ContainerConfig {
//!     id: ContainerId::random(),
//!     name: Name::parse(name).unwrap(),
//!     pod: Some(pod.id.clone()),
//!     rootfs: Some("/srv/rootfs".into()),
//!     command: vec!["sleep".into(), "1000".into()],
//!     env: vec![],
//!     workdir: None,
//!     user: None,
//!     labels: Default::default(),
//!     stop_signal: Signal::TERM,
//!     stop_timeout: 10,
//!     dependencies: deps,
//!     init_type: None,
//!     is_infra: false,
//!     restart_policy: Default::default(),
//!     created: chrono::Utc::now(),
//!     create_command: vec![],
//! };
//! let db = ctr("db", vec![]);
//! let app = ctr("app", vec![db.id.clone()]);
//! let graph = DepGraph::from_configs(&pod, [&app, &db]).unwrap();
//! assert_eq!(graph.roots(), [db.id.clone()]);
//! assert_eq!(graph.start_order(), [db.id.clone(), app.id.clone()]);
//! assert_eq!(graph.stop_order(), [app.id.clone(), db.id.clone()]);
//!
//! // A cycle is refused when the closing edge is inserted.
//! let mut db2 = db.clone();
//! db2.dependencies.push(app.id.clone());
//! assert!(DepGraph::from_configs(&pod, [&db2, &app]).is_err());
//! ```

mod container;
pub mod engine;
pub mod error;
pub mod graph;
pub mod model;
mod pod;
mod sched;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
pub mod traits;

pub use engine::{Engine, PodSummary, DEFAULT_PARALLELISM};
pub use error::{BoxError, Error, Result};
pub use graph::DepGraph;
pub use model::*;
pub use traits::*;
