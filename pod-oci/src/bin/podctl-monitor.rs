//! A stand-alone monitor binary (what `podctl __monitor` runs), for tests and embedders.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(pod_oci::monitor_main(args.get(1..).unwrap_or(&[])));
}
