//! The command line, in clap derive: podman's verbs and flags.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// podctl: manage pods of OCI containers, podman's pod commands over runc.
#[derive(Debug, Parser)]
#[command(name = "podctl", version, about, max_term_width = 100)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args, Default, Clone)]
pub struct GlobalArgs {
    /// Path to the state directory (default /var/lib/podctl; rootless
    /// $XDG_DATA_HOME/podctl).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Path to the runtime state directory (default /run/podctl; rootless
    /// $XDG_RUNTIME_DIR/podctl).
    #[arg(long, global = true, value_name = "DIR")]
    pub runroot: Option<PathBuf>,
    /// OCI runtime: a name looked up in $PATH or a path (default runc).
    #[arg(long, global = true, value_name = "RUNTIME")]
    pub runtime: Option<String>,
    /// Log messages at or above this level to stderr (trace, debug, info, warn, error).
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Config file to use instead of /etc/podctl/podctl.toml and
    /// $XDG_CONFIG_HOME/podctl/podctl.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage pods.
    #[command(subcommand)]
    Pod(PodCommand),
    /// Manage containers.
    #[command(subcommand)]
    Container(ContainerCommand),
    /// Container commands are also top-level, as in podman.
    #[command(flatten)]
    Ctr(ContainerCommand),
    /// Generate shell completions.
    Completion(CompletionArgs),
    /// Write the man page to stdout.
    #[command(name = "generate-man", hide = true)]
    GenerateMan,
}

/// `podctl completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

// ---------------------------------------------------------------------------------------
// Pods

/// `podctl pod …`.
#[derive(Debug, Subcommand)]
pub enum PodCommand {
    /// Create a new empty pod.
    Create(PodCreateArgs),
    /// Start one or more pods.
    Start(PodSelectArgs),
    /// Stop one or more pods.
    Stop(PodStopArgs),
    /// Pause one or more pods.
    Pause(PodSelectArgs),
    /// Unpause one or more pods.
    Unpause(PodSelectArgs),
    /// Restart one or more pods.
    Restart(PodSelectArgs),
    /// Send a signal to the containers of one or more pods.
    Kill(PodKillArgs),
    /// Remove one or more pods.
    #[command(alias = "remove")]
    Rm(PodRmArgs),
    /// List pods.
    #[command(alias = "list")]
    Ps(PodPsArgs),
    /// List pods (alias of ps).
    #[command(hide = true)]
    Ls(PodPsArgs),
    /// Display a pod's configuration and state as JSON.
    Inspect(PodInspectArgs),
    /// Check whether a pod exists (exit 0) or not (exit 1).
    Exists(PodExistsArgs),
    /// Remove all stopped and exited pods.
    Prune(PodPruneArgs),
    /// Display the running processes of a pod's containers.
    Top(PodTopArgs),
    /// Display CPU, memory and pids use of a pod's containers.
    Stats(PodStatsArgs),
    /// Fetch the logs of a pod's containers.
    Logs(PodLogsArgs),
    /// Print a pod's status.
    Status(PodStatusArgs),
}

/// `pod create`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct PodCreateArgs {
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// Pod name.
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// Create an infra container to share namespaces with.
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub infra: bool,
    /// Comma list of kernel namespaces the pod shares (ipc,net,uts default; none).
    #[arg(long)]
    pub share: Option<String>,
    /// Hostname of the pod.
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Set a label (key=value).
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// What to do when the last container exits: continue or stop.
    #[arg(long, default_value = "continue")]
    pub exit_policy: String,
    /// Name of the infra container.
    #[arg(long)]
    pub infra_name: Option<String>,
    /// Command of the infra container.
    #[arg(long)]
    pub infra_command: Option<String>,
    /// Parent cgroup of the pod.
    #[arg(long)]
    pub cgroup_parent: Option<String>,
    /// Pod name (same as --name).
    #[arg(value_name = "NAME")]
    pub pos_name: Option<String>,
}

/// Pods picked by name/id, `--all` or `--latest`.
#[derive(Debug, Args, Clone, Default)]
pub struct PodSelectArgs {
    /// Act on all pods.
    #[arg(short, long)]
    pub all: bool,
    /// Act on the latest pod created.
    #[arg(short, long)]
    pub latest: bool,
    /// Pod names or ids.
    #[arg(value_name = "POD")]
    pub pods: Vec<String>,
}

/// `pod stop`.
#[derive(Debug, Args)]
pub struct PodStopArgs {
    /// Pods.
    #[command(flatten)]
    pub select: PodSelectArgs,
    /// Ignore pods that do not exist.
    #[arg(short, long)]
    pub ignore: bool,
    /// Seconds to wait before killing each container (-1: each container's own).
    #[arg(short, long, default_value_t = -1, allow_negative_numbers = true)]
    pub time: i64,
}

/// `pod kill`.
#[derive(Debug, Args)]
pub struct PodKillArgs {
    /// Pods.
    #[command(flatten)]
    pub select: PodSelectArgs,
    /// Signal to send (name or number).
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
}

/// `pod rm`.
#[derive(Debug, Args)]
pub struct PodRmArgs {
    /// Pods.
    #[command(flatten)]
    pub select: PodSelectArgs,
    /// Stop running containers first.
    #[arg(short, long)]
    pub force: bool,
    /// Ignore pods that do not exist.
    #[arg(short, long)]
    pub ignore: bool,
    /// Seconds to wait before killing each container (-1: each container's own).
    #[arg(short, long, default_value_t = -1, allow_negative_numbers = true)]
    pub time: i64,
}

/// `pod ps`.
#[derive(Debug, Args)]
pub struct PodPsArgs {
    /// Display the containers' ids.
    #[arg(long)]
    pub ctr_ids: bool,
    /// Display the containers' names.
    #[arg(long)]
    pub ctr_names: bool,
    /// Display the containers' statuses.
    #[arg(long)]
    pub ctr_status: bool,
    /// Filter (name=, id=, label=, status=, ctr-names=, ctr-ids=, ctr-status=,
    /// ctr-number=); repeated filters of one key are ORed, different keys ANDed.
    #[arg(short, long = "filter")]
    pub filters: Vec<String>,
    /// Output format: table, json, or a Go template.
    #[arg(long)]
    pub format: Option<String>,
    /// Only the latest pod.
    #[arg(short, long)]
    pub latest: bool,
    /// Do not truncate ids.
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print headers.
    #[arg(short = 'n', long)]
    pub noheading: bool,
    /// Print pod ids only.
    #[arg(short, long)]
    pub quiet: bool,
    /// Sort by created, id, name, number or status.
    #[arg(long, default_value = "created")]
    pub sort: String,
}

/// `pod inspect`.
#[derive(Debug, Args)]
pub struct PodInspectArgs {
    /// Output format: json (default) or a Go template.
    #[arg(short, long)]
    pub format: Option<String>,
    /// The latest pod.
    #[arg(short, long)]
    pub latest: bool,
    /// Pods.
    #[arg(value_name = "POD")]
    pub pods: Vec<String>,
}

/// `pod exists`.
#[derive(Debug, Args)]
pub struct PodExistsArgs {
    /// Pod name or id.
    pub pod: String,
}

/// `pod prune`.
#[derive(Debug, Args)]
pub struct PodPruneArgs {
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub force: bool,
}

/// `pod top`.
#[derive(Debug, Args)]
pub struct PodTopArgs {
    /// The latest pod.
    #[arg(short, long)]
    pub latest: bool,
    /// Pod name or id.
    #[arg(value_name = "POD")]
    pub pod: Option<String>,
}

/// `pod stats`.
#[derive(Debug, Args)]
pub struct PodStatsArgs {
    /// All pods.
    #[arg(short, long)]
    pub all: bool,
    /// The latest pod.
    #[arg(short, long)]
    pub latest: bool,
    /// Print one sample and exit (the only mode podctl has).
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub no_stream: bool,
    /// Do not reset the terminal between samples (accepted for compatibility).
    #[arg(long)]
    pub no_reset: bool,
    /// Output format: table, json, or a Go template.
    #[arg(long)]
    pub format: Option<String>,
    /// Pods.
    #[arg(value_name = "POD")]
    pub pods: Vec<String>,
}

/// Options common to `logs` and `pod logs`.
#[derive(Debug, Args, Clone, Default)]
pub struct LogOptions {
    /// Follow the log until the container exits.
    #[arg(short, long)]
    pub follow: bool,
    /// Only the last N lines (-1: all).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,
    /// Prefix each line with its timestamp.
    #[arg(short, long)]
    pub timestamps: bool,
    /// Only lines since this time (RFC 3339) or duration ago (10m, 1h30m).
    #[arg(long)]
    pub since: Option<String>,
    /// Only lines until this time (RFC 3339) or duration ago.
    #[arg(long)]
    pub until: Option<String>,
}

/// `pod logs`.
#[derive(Debug, Args)]
pub struct PodLogsArgs {
    /// Log options.
    #[command(flatten)]
    pub opts: LogOptions,
    /// Only this container of the pod.
    #[arg(short, long)]
    pub container: Option<String>,
    /// Prefix lines with container names instead of ids.
    #[arg(short, long)]
    pub names: bool,
    /// The latest pod.
    #[arg(short, long)]
    pub latest: bool,
    /// Pod name or id.
    #[arg(value_name = "POD")]
    pub pod: Option<String>,
}

/// `pod status`.
#[derive(Debug, Args)]
pub struct PodStatusArgs {
    /// Also list each container's id, name and state.
    #[arg(short, long)]
    pub containers: bool,
    /// Pod name or id.
    pub pod: String,
}

// ---------------------------------------------------------------------------------------
// Containers

/// Container commands (`podctl container …` and top level).
#[derive(Debug, Subcommand)]
pub enum ContainerCommand {
    /// Create a container (without starting it).
    Create(CreateArgs),
    /// Create and start a container; without -d wait for it and exit with its code.
    Run(RunArgs),
    /// Start containers.
    Start(CtrSelectArgs),
    /// Stop containers.
    Stop(CtrStopArgs),
    /// Send a signal to containers.
    Kill(CtrKillArgs),
    /// Remove containers.
    #[command(alias = "remove")]
    Rm(CtrRmArgs),
    /// List containers.
    #[command(alias = "list", alias = "ls")]
    Ps(CtrPsArgs),
    /// Display a container's configuration and state as JSON.
    Inspect(CtrInspectArgs),
    /// Fetch a container's logs.
    Logs(CtrLogsArgs),
    /// Wait for containers to exit and print their exit codes.
    Wait(CtrSelectArgs),
    /// Check whether a container exists (exit 0) or not (exit 1).
    Exists(CtrExistsArgs),
    /// Create containers in the runtime without starting them.
    Init(CtrSelectArgs),
    /// Pause containers.
    Pause(CtrSelectArgs),
    /// Unpause containers.
    Unpause(CtrSelectArgs),
    /// Record a container's exit and apply its pod's exit policy (the monitor's exit
    /// command).
    #[command(hide = true)]
    Cleanup(CtrCleanupArgs),
    /// Run the container monitor (internal).
    #[command(name = "__monitor", hide = true)]
    Monitor(MonitorArgs),
}

/// `podctl __monitor` (handled before clap; declared so that help and completions stay
/// consistent).
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Raw monitor arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// `container cleanup`.
#[derive(Debug, Args)]
pub struct CtrCleanupArgs {
    /// Container ids.
    #[arg(required = true)]
    pub containers: Vec<String>,
}

/// `create` options.
#[derive(Debug, Args, Clone)]
pub struct CreateArgs {
    /// Pod to create the container in.
    #[arg(long)]
    pub pod: Option<String>,
    /// Container name.
    #[arg(long)]
    pub name: Option<String>,
    /// Root filesystem directory, used in place.
    #[arg(long, value_name = "DIR", required = true)]
    pub rootfs: PathBuf,
    /// Containers (of the same pod) that must run before this one; comma list.
    #[arg(long, value_delimiter = ',', value_name = "CTRS")]
    pub requires: Vec<String>,
    /// Make this an init container: once or always.
    #[arg(long, value_name = "once|always")]
    pub init_ctr: Option<String>,
    /// Signal sent by stop.
    #[arg(long)]
    pub stop_signal: Option<String>,
    /// Seconds stop waits before SIGKILL.
    #[arg(long)]
    pub stop_timeout: Option<u64>,
    /// Environment variable (KEY=VALUE, or KEY to take the host's value).
    #[arg(short, long = "env")]
    pub env: Vec<String>,
    /// Working directory.
    #[arg(short, long)]
    pub workdir: Option<String>,
    /// User (uid[:gid]).
    #[arg(short, long)]
    pub user: Option<String>,
    /// Set a label (key=value).
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// Restart policy: no, always, on-failure, unless-stopped.
    #[arg(long)]
    pub restart: Option<String>,
    /// Command and arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run in the background and print the container id.
    #[arg(short, long)]
    pub detach: bool,
    /// Remove the container when it exits.
    #[arg(long)]
    pub rm: bool,
    /// Create options.
    #[command(flatten)]
    pub create: CreateArgs,
}

/// Containers picked by name/id, `--all` or `--latest`.
#[derive(Debug, Args, Clone, Default)]
pub struct CtrSelectArgs {
    /// Act on all containers.
    #[arg(short, long)]
    pub all: bool,
    /// Act on the latest container created.
    #[arg(short, long)]
    pub latest: bool,
    /// Container names or ids.
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `stop`.
#[derive(Debug, Args)]
pub struct CtrStopArgs {
    /// Containers.
    #[command(flatten)]
    pub select: CtrSelectArgs,
    /// Ignore containers that do not exist.
    #[arg(short, long)]
    pub ignore: bool,
    /// Seconds to wait before killing (-1: the container's own stop timeout).
    #[arg(short, long, default_value_t = -1, allow_negative_numbers = true)]
    pub time: i64,
}

/// `kill`.
#[derive(Debug, Args)]
pub struct CtrKillArgs {
    /// Containers.
    #[command(flatten)]
    pub select: CtrSelectArgs,
    /// Signal to send (name or number).
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
}

/// `rm`.
#[derive(Debug, Args)]
pub struct CtrRmArgs {
    /// Containers.
    #[command(flatten)]
    pub select: CtrSelectArgs,
    /// Stop running containers first.
    #[arg(short, long)]
    pub force: bool,
    /// Ignore containers that do not exist.
    #[arg(short, long)]
    pub ignore: bool,
    /// Seconds to wait before killing (-1: the container's own stop timeout).
    #[arg(short, long, default_value_t = -1, allow_negative_numbers = true)]
    pub time: i64,
}

/// `ps`.
#[derive(Debug, Args)]
pub struct CtrPsArgs {
    /// Show all containers (default: running only).
    #[arg(short, long)]
    pub all: bool,
    /// Filter (name=, id=, pod=, status=, label=).
    #[arg(short, long = "filter")]
    pub filters: Vec<String>,
    /// Output format: table, json, or a Go template.
    #[arg(long)]
    pub format: Option<String>,
    /// Only the latest container.
    #[arg(short, long)]
    pub latest: bool,
    /// Do not truncate ids and commands.
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print headers.
    #[arg(short = 'n', long)]
    pub noheading: bool,
    /// Show the pod id and name columns.
    #[arg(short, long)]
    pub pod: bool,
    /// Print container ids only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct CtrInspectArgs {
    /// Output format: json (default) or a Go template.
    #[arg(short, long)]
    pub format: Option<String>,
    /// The latest container.
    #[arg(short, long)]
    pub latest: bool,
    /// Containers.
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `logs`.
#[derive(Debug, Args)]
pub struct CtrLogsArgs {
    /// Log options.
    #[command(flatten)]
    pub opts: LogOptions,
    /// The latest container.
    #[arg(short, long)]
    pub latest: bool,
    /// Prefix lines with the container name.
    #[arg(short, long)]
    pub names: bool,
    /// Containers.
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `exists`.
#[derive(Debug, Args)]
pub struct CtrExistsArgs {
    /// Container name or id.
    pub container: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("podctl").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_anywhere() {
        let c = parse(&["pod", "ps", "--root", "/r", "--runroot", "/rr"]).unwrap();
        assert_eq!(c.global.root, Some(PathBuf::from("/r")));
        assert_eq!(c.global.runroot, Some(PathBuf::from("/rr")));
        let c = parse(&["--runtime", "crun", "--log-level", "debug", "ps"]).unwrap();
        assert_eq!(c.global.runtime.as_deref(), Some("crun"));
        assert_eq!(c.global.log_level.as_deref(), Some("debug"));
    }

    #[test]
    fn pod_create_flags() {
        let c = parse(&[
            "pod",
            "create",
            "-n",
            "web",
            "--infra=false",
            "--share",
            "ipc,uts",
            "-h",
            "host1",
            "-l",
            "a=b",
            "--label",
            "c=d",
            "--exit-policy",
            "stop",
            "--infra-name",
            "inf",
        ])
        .unwrap();
        let Command::Pod(PodCommand::Create(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.name.as_deref(), Some("web"));
        assert!(!a.infra);
        assert_eq!(a.share.as_deref(), Some("ipc,uts"));
        assert_eq!(a.hostname.as_deref(), Some("host1"));
        assert_eq!(a.labels, vec!["a=b", "c=d"]);
        assert_eq!(a.exit_policy, "stop");
        assert_eq!(a.infra_name.as_deref(), Some("inf"));
        let c = parse(&["pod", "create", "--infra", "p2"]).unwrap();
        let Command::Pod(PodCommand::Create(a)) = c.command else {
            panic!("wrong command");
        };
        assert!(a.infra);
        assert_eq!(a.pos_name.as_deref(), Some("p2"));
        // --help still works without -h
        let e = parse(&["pod", "create", "--help"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
    }

    #[test]
    fn pod_stop_time_and_select() {
        let c = parse(&["pod", "stop", "-t", "0", "-a"]).unwrap();
        let Command::Pod(PodCommand::Stop(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.time, 0);
        assert!(a.select.all);
        let c = parse(&["pod", "stop", "--ignore", "p1", "p2"]).unwrap();
        let Command::Pod(PodCommand::Stop(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.time, -1);
        assert!(a.ignore);
        assert_eq!(a.select.pods, vec!["p1", "p2"]);
    }

    #[test]
    fn pod_ps_flags() {
        let c = parse(&[
            "pod",
            "ps",
            "-f",
            "name=web",
            "--filter",
            "status=running",
            "--sort",
            "name",
            "-q",
            "--no-trunc",
            "--ctr-names",
            "--ctr-ids",
            "--ctr-status",
            "-n",
        ])
        .unwrap();
        let Command::Pod(PodCommand::Ps(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.filters, vec!["name=web", "status=running"]);
        assert_eq!(a.sort, "name");
        assert!(a.quiet && a.no_trunc && a.ctr_names && a.ctr_ids && a.ctr_status && a.noheading);
        assert!(parse(&["pod", "ls"]).is_ok());
        assert!(parse(&["pod", "list"]).is_ok());
    }

    #[test]
    fn pod_kill_and_rm() {
        let c = parse(&["pod", "kill", "-s", "TERM", "p"]).unwrap();
        let Command::Pod(PodCommand::Kill(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.signal, "TERM");
        let c = parse(&["pod", "rm", "-fa", "-t", "2"]).unwrap();
        let Command::Pod(PodCommand::Rm(a)) = c.command else {
            panic!("wrong command");
        };
        assert!(a.force && a.select.all);
        assert_eq!(a.time, 2);
    }

    #[test]
    fn create_trailing_command() {
        let c = parse(&[
            "create",
            "--pod",
            "p",
            "--name",
            "c",
            "--rootfs",
            "/r",
            "--requires",
            "a,b",
            "--requires",
            "c",
            "--init-ctr",
            "once",
            "-e",
            "A=1",
            "-w",
            "/tmp",
            "-u",
            "0:0",
            "sh",
            "-c",
            "echo hi --name x",
        ])
        .unwrap();
        let Command::Ctr(ContainerCommand::Create(a)) = c.command else {
            panic!("wrong command");
        };
        assert_eq!(a.requires, vec!["a", "b", "c"]);
        assert_eq!(a.command, vec!["sh", "-c", "echo hi --name x"]);
        assert_eq!(a.env, vec!["A=1"]);
        assert_eq!(a.init_ctr.as_deref(), Some("once"));
        // the same under `container`
        let c = parse(&["container", "create", "--rootfs", "/r", "true"]).unwrap();
        assert!(matches!(
            c.command,
            Command::Container(ContainerCommand::Create(_))
        ));
    }

    #[test]
    fn create_requires_rootfs_and_command() {
        assert!(parse(&["create", "sh"]).is_err());
        assert!(parse(&["create", "--rootfs", "/r"]).is_err());
    }

    #[test]
    fn run_flags() {
        let c = parse(&["run", "-d", "--rm", "--rootfs", "/r", "sleep", "1"]).unwrap();
        let Command::Ctr(ContainerCommand::Run(a)) = c.command else {
            panic!("wrong command");
        };
        assert!(a.detach && a.rm);
        assert_eq!(a.create.command, vec!["sleep", "1"]);
    }

    #[test]
    fn unknown_flag_is_an_error() {
        assert!(parse(&["pod", "start", "--bogus"]).is_err());
        assert!(parse(&["nosuchcommand"]).is_err());
    }

    #[test]
    fn completion_shells() {
        assert!(parse(&["completion", "bash"]).is_ok());
        assert!(parse(&["completion", "zsh"]).is_ok());
        assert!(parse(&["completion", "fish"]).is_ok());
        assert!(parse(&["completion", "tcsh"]).is_err());
    }
}
