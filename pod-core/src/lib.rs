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
//! ```
//! use pod_core::{ContainerState, PodStatus, Signal};
//!
//! let status = PodStatus::from_states([ContainerState::Running, ContainerState::Exited]);
//! assert_eq!(status, PodStatus::Degraded);
//! assert_eq!(Signal::parse("sigterm").unwrap(), Signal::TERM);
//! ```

mod container;
pub mod engine;
pub mod error;
pub mod graph;
pub mod model;
mod pod;
mod sched;
#[cfg(test)]
mod testutil;
pub mod traits;

pub use engine::{Engine, PodSummary, DEFAULT_PARALLELISM};
pub use error::{BoxError, Error, Result};
pub use graph::DepGraph;
pub use model::*;
pub use traits::*;
