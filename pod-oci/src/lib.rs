//! # pod-oci
//!
//! Containers on runc or crun for podctl: a typed client of the runtime's command line
//! ([`client`]), OCI bundles built with the `oci-spec` crate ([`bundle`]), the
//! container monitor ([`monitor_main`], podman's conmon role) and [`OciRuntimeCli`],
//! pod-core's [`pod_core::OciRuntime`] over all of them.
//!
//! Each container gets a directory `state_dir/containers/<id>/` holding its bundle
//! (`config.json`; for the infra container also an empty `rootfs/` with the static
//! `catatonit` bind-mounted), the log `ctr.log` (k8s-file format, see [`logs`]), the
//! exit file `exit` written by the monitor, `monitor.pid`, and `runtime.path` (the
//! runtime that created the container).
//!
//! Pause, resume, kill and the release of a stopped runc container are done on the
//! kernel's interfaces directly (the cgroup freezer, a pidfd signal, removing the
//! cgroups and runc's state) when that is exactly what the runtime would do, saving a
//! runtime process each; anything else goes through the runtime.
//!
//! ```no_run
//! # async fn demo(ctr: pod_core::ContainerConfig) -> Result<(), pod_core::Error> {
//! use pod_core::{CreateOptions, OciRuntime};
//! use pod_oci::{OciRuntimeCli, RuntimeConfig};
//!
//! let mut cfg = RuntimeConfig::new("/usr/bin/runc", "/run/podctl/runtime", "/var/lib/podctl");
//! cfg.monitor = vec!["/usr/bin/podctl".into(), "__monitor".into()];
//! let rt = OciRuntimeCli::new(cfg)?;
//! let pid = rt.create(&ctr, &CreateOptions::default()).await?;
//! rt.start(&ctr.id).await?;
//! let exit = rt.wait(&ctr.id, None).await?;
//! println!("pid {pid} exited with {:?}", exit.map(|e| e.code));
//! for line in pod_oci::logs::read_log(&rt.log_path(&ctr.id))? {
//!     println!("{}: {}", line.stream, line.text);
//! }
//! # Ok(()) }
//! ```
//!
//! The log format, without a container:
//!
//! ```
//! use pod_oci::logs::{parse_line, Stream};
//!
//! let l = parse_line("2026-01-02T03:04:05.000000001Z stderr F oops", 1).unwrap();
//! assert_eq!((l.stream, l.partial, l.text.as_str()), (Stream::Stderr, false, "oops"));
//! ```

pub mod bundle;
pub mod client;
mod direct;
mod error;
pub mod files;
pub mod logs;
pub mod monitor;
mod runtime;

pub use client::{RuntimeClient, RuntimeKind};
pub use error::OciError;
pub use monitor::monitor_main;
pub use runtime::{OciRuntimeCli, RuntimeConfig, DEFAULT_CATATONIT};
