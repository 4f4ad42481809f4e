//! # pod-oci
//!
//! OCI runtime for podctl (placeholder until the runtime issue lands).
