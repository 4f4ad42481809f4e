//! pod-cli: the library behind the `podctl` binary — podman's pod commands over runc.
//!
//! The binary is a thin `main` calling [`run`]; everything else lives here so that the
//! command-line parsers can be tested and fuzzed on their own. Public are only the pure
//! parsers: [`config`] (the `podctl.toml` parser) and [`template`] (the Go-like
//! `--format` template engine). The command handlers stay private.
//!
//! ```
//! use pod_cli::template::Template;
//!
//! let t = Template::parse("table {{.Name}}\\t{{len .Names}}").unwrap();
//! let row = serde_json::json!({"Name": "web", "Names": ["a", "b"]});
//! assert!(t.is_table());
//! assert_eq!(t.render(&row).unwrap(), "web\t2");
//!
//! let cfg = pod_cli::config::parse_config("podctl.toml".as_ref(), "parallelism = 4\n").unwrap();
//! assert_eq!(cfg.parallelism, Some(4));
//! ```

mod cli;
pub mod config;
mod containers;
mod context;
mod error;
mod filter;
mod format;
mod logs;
mod pods;
mod stats;
pub mod template;
mod top;

use std::io::Write;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, ContainerCommand};
use crate::config::{GlobalFlags, Settings};
use crate::context::Ctx;
use crate::error::{CliError, CmdResult, EXIT_ERROR};

/// Runs podctl with the process's arguments and returns its exit code (podman's: 0, 125
/// for errors, the command's own code otherwise). `podctl __monitor …` runs the container
/// monitor instead.
pub fn run() -> i32 {
    // The monitor path comes first and does nothing else: no runtime, no config.
    let mut raw = std::env::args_os();
    if raw.nth(1).is_some_and(|a| a == "__monitor") {
        let args: Vec<String> = raw.map(|a| a.to_string_lossy().into_owned()).collect();
        return pod_oci::monitor_main(&args);
    }
    // Like any Unix tool: a closed pipe (`podctl pod ps | head`) ends us quietly.
    // SAFETY: setting a signal disposition to its default is async-signal-safe and done
    // before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let code = match Cli::try_parse() {
        Ok(cli) => match run_cli(cli) {
            Ok(code) => code,
            Err(e) => {
                let _ = std::io::stdout().flush();
                eprintln!("Error: {e}");
                e.code
            }
        },
        Err(e) => clap_error(e),
    };
    let _ = std::io::stdout().flush();
    code
}

/// Prints a clap error as podman does (`Error: …`, exit 125); help and version exit 0.
fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            0
        }
        _ => {
            let text = e.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("Error: {text}");
            EXIT_ERROR
        }
    }
}

fn run_cli(cli: Cli) -> CmdResult {
    // Commands that need no config, state or runtime.
    match &cli.command {
        Command::Completion(a) => {
            let mut cmd = Cli::command();
            clap_complete::generate(a.shell, &mut cmd, "podctl", &mut std::io::stdout());
            return Ok(0);
        }
        Command::GenerateMan => {
            let man = clap_mangen::Man::new(Cli::command());
            man.render(&mut std::io::stdout())?;
            return Ok(0);
        }
        _ => {}
    }
    let g = &cli.global;
    let flags = GlobalFlags {
        root: g.root.clone(),
        runroot: g.runroot.clone(),
        runtime: g.runtime.clone(),
        log_level: g.log_level.clone(),
        config: g.config.clone(),
    };
    let file_cfg = config::load(flags.config.as_deref())?;
    let settings = Settings::resolve(&flags, file_cfg)?;
    init_tracing(&settings.log_level);
    let ctx = Ctx::new(settings);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("starting the async runtime: {e}")))?;
    rt.block_on(dispatch(&ctx, cli.command))
}

fn init_tracing(level: &str) {
    let max = match level {
        "trace" => tracing::Level::TRACE,
        "debug" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "warn" => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(max)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn dispatch(ctx: &Ctx, cmd: Command) -> CmdResult {
    match cmd {
        Command::Pod(p) => pods::run(ctx, p).await,
        Command::Ctr(ContainerCommand::Inspect(a)) => containers::inspect_any(ctx, &a).await,
        Command::Container(c) | Command::Ctr(c) => containers::run(ctx, c).await,
        Command::Completion(_) | Command::GenerateMan => Ok(0),
    }
}
