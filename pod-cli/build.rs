//! Links `podctl` as a non-PIE executable on Linux/glibc.
//!
//! A position-independent executable has every pointer in its read-only data
//! relocated by the dynamic loader at each start (about 17 000 relocations here), which
//! costs start-up time and keeps those pages dirty in memory for the whole life of the
//! process — of the CLI and of every per-container monitor (the same binary). Linked at a
//! fixed address, the executable needs none of that. Shared libraries, the heap and the
//! stack are still placed at random addresses.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
