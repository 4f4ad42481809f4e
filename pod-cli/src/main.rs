//! podctl: podman's pod commands over runc.
//!
//! The binary wires pod-core's `Engine` to the SQLite store, the OCI runtime and the
//! host's cgroups, and formats results the way podman does (`Error: …` on stderr, exit
//! code 125 for errors, tables, JSON, Go-like templates).
//!
//! ```text
//! podctl pod create --name web
//! podctl create --pod web --name app --rootfs /srv/rootfs sleep 1000
//! podctl pod start web
//! podctl pod ps
//! podctl pod rm -f web
//! ```

fn main() {
    std::process::exit(pod_cli::run());
}
