//! # pod-cgroups
//!
//! The host's cgroups for podctl: [`HostCgroups`] implements pod-core's
//! [`CgroupProbe`](pod_core::CgroupProbe). It detects the hierarchy in use —
//! unified cgroup v2, hybrid (v1 controllers plus a v2 mount at `unified`) or legacy
//! v1 — and whether podctl runs rootless, gives each pod a cgroup parent
//! (`/podctl/pod_<id>`, cgroupfs style as runc's `cgroupsPath` expects), creates it
//! before the pod starts and removes it after it stopped, and reads a container's CPU,
//! memory and pids usage for `pod stats`.
//!
//! Detection takes the root as a parameter, so it works on fake trees too:
//!
//! ```
//! use pod_cgroups::{detect_mode, CgroupMode};
//!
//! let root = tempfile::tempdir()?;
//! // v1: one directory per controller hierarchy
//! std::fs::create_dir(root.path().join("freezer"))?;
//! std::fs::create_dir(root.path().join("memory"))?;
//! assert_eq!(detect_mode(root.path())?, CgroupMode::Legacy);
//! // ... plus a cgroup2 hierarchy at `unified`: hybrid
//! std::fs::create_dir(root.path().join("unified"))?;
//! std::fs::write(root.path().join("unified/cgroup.controllers"), "")?;
//! assert_eq!(detect_mode(root.path())?, CgroupMode::Hybrid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! On a real host, `HostCgroups::detect()` looks at `/sys/fs/cgroup`.

mod detect;
mod error;
mod fsops;
mod host;
mod parse;

pub use detect::{detect_mode, DEFAULT_ROOT, UNIFIED_DIR, V1_SUBSYSTEMS};
pub use error::CgroupError;
pub use fsops::V1_POD_CONTROLLERS;
pub use host::{HostCgroups, POD_CGROUP_DIR};
pub use pod_core::{CgroupMode, CgroupStats};
