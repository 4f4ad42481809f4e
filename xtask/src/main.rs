//! `cargo xtask`: podctl's dev workflows, in Rust so they run wherever cargo does
//! (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask ci`: fmt check, clippy with warnings denied, all tests.
//! - `cargo xtask demo`: a real pod end to end through the `podctl` CLI.
//! - `cargo xtask bench`: podctl side by side with podman; see BENCHMARKS.md.
//! - `cargo xtask fuzz`: each cargo-fuzz target of `fuzz/` for a bounded time.
//!
//! xtask depends on no crate of the project: it drives the built binaries.

mod bench;
mod ci;
mod cleanup;
mod demo;
mod flags;
mod fuzz;
mod util;

use std::process::ExitCode;

use flags::Task;

fn main() -> ExitCode {
    // `fuzz` parses its own options (see fuzz.rs).
    if std::env::args().nth(1).as_deref() == Some("fuzz") {
        return match fuzz::run(std::env::args().skip(2)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    let task = match flags::parse(std::env::args().skip(1)) {
        Ok(task) => task,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Ci => ci::run(),
        Task::Demo(args) => demo::run(&args),
        Task::Bench(args) => bench::run(&args),
        Task::Help => {
            print!("{}", flags::USAGE);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
