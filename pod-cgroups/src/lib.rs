//! # pod-cgroups
//!
//! Host cgroups for podctl (placeholder until the runtime issue lands).
