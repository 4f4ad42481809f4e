//! # pod-state
//!
//! State stores for podctl (placeholder until the store issue lands).
