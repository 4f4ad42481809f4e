//! Container command handlers (`podctl create|run|start|…` and `podctl container …`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use pod_core::{
    format_time, Container, ContainerSpec, ContainerState, InitType, Name, RestartPolicy, Signal,
};
use serde_json::{json, Value};

use crate::cli::{
    ContainerCommand, CreateArgs, CtrExistsArgs, CtrInspectArgs, CtrKillArgs, CtrLogsArgs,
    CtrPsArgs, CtrRmArgs, CtrSelectArgs, CtrStopArgs, RunArgs,
};
use crate::context::Ctx;
use crate::error::{CliError, CmdResult, Errors, RmErrors};
use crate::filter::{container_filter, parse_filters};
use crate::format::{
    ago, header_from, json_pretty, render_template, truncate_command, OutputFormat,
};
use crate::logs::{print_logs, LogSource};
use crate::pods::{parse_labels, print_inspect, timeout_arg};

/// Runs a container command.
pub async fn run(ctx: &Ctx, cmd: ContainerCommand) -> CmdResult {
    match cmd {
        ContainerCommand::Create(a) => {
            let c = create(ctx, &a).await?;
            println!("{}", c);
            Ok(0)
        }
        ContainerCommand::Run(a) => run_ctr(ctx, &a).await,
        ContainerCommand::Start(a) => each(ctx, &a, Op::Start).await,
        ContainerCommand::Stop(a) => stop(ctx, &a).await,
        ContainerCommand::Kill(a) => kill(ctx, &a).await,
        ContainerCommand::Rm(a) => rm(ctx, &a).await,
        ContainerCommand::Ps(a) => ps(ctx, &a).await,
        ContainerCommand::Inspect(a) => inspect(ctx, &a, false).await,
        ContainerCommand::Logs(a) => logs(ctx, &a).await,
        ContainerCommand::Wait(a) => each(ctx, &a, Op::Wait).await,
        ContainerCommand::Exists(a) => exists(ctx, &a).await,
        ContainerCommand::Init(a) => each(ctx, &a, Op::Init).await,
        ContainerCommand::Pause(a) => each(ctx, &a, Op::Pause).await,
        ContainerCommand::Unpause(a) => each(ctx, &a, Op::Unpause).await,
        ContainerCommand::Cleanup(a) => {
            let engine = ctx.engine()?;
            let mut errs = Errors::default();
            for c in &a.containers {
                if let Err(e) = engine.container_cleanup(c).await {
                    errs.push(e);
                }
            }
            errs.finish()
        }
        // handled in main before anything else; reaching here means it was nested
        ContainerCommand::Monitor(m) => Ok(pod_oci::monitor_main(&m.args)),
    }
}

/// Top-level `podctl inspect`: containers, falling back to pods.
pub async fn inspect_any(ctx: &Ctx, a: &CtrInspectArgs) -> CmdResult {
    inspect(ctx, a, true).await
}

/// `-e` values: `KEY=VALUE` as is, `KEY` takes the host's value (skipped when unset).
pub fn parse_env(env: &[String]) -> Vec<String> {
    env.iter()
        .filter_map(|e| {
            if e.contains('=') {
                Some(e.clone())
            } else {
                std::env::var(e).ok().map(|v| format!("{e}={v}"))
            }
        })
        .collect()
}

/// `--restart` values.
pub fn parse_restart(s: &str) -> Result<RestartPolicy, CliError> {
    let base = s.split(':').next().unwrap_or(s);
    Ok(match base {
        "" | "no" => RestartPolicy::No,
        "always" => RestartPolicy::Always,
        "on-failure" => RestartPolicy::OnFailure,
        "unless-stopped" => RestartPolicy::UnlessStopped,
        _ => {
            return Err(CliError::new(format!(
            "invalid restart policy {s:?}: must be one of no, always, on-failure, unless-stopped"
        )))
        }
    })
}

/// Checks `--rootfs` on the filesystem and makes it absolute.
pub fn check_rootfs(p: &Path) -> Result<std::path::PathBuf, CliError> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => std::fs::canonicalize(p)
            .map_err(|e| CliError::new(format!("rootfs {}: {e}", p.display()))),
        Ok(_) => Err(CliError::new(format!(
            "rootfs {}: not a directory",
            p.display()
        ))),
        Err(e) => Err(CliError::new(format!("rootfs {}: {e}", p.display()))),
    }
}

async fn create(ctx: &Ctx, a: &CreateArgs) -> Result<pod_core::ContainerId, CliError> {
    let name = a.name.as_deref().map(Name::parse).transpose()?;
    let stop_signal = a.stop_signal.as_deref().map(Signal::parse).transpose()?;
    let init_type = a.init_ctr.as_deref().map(InitType::parse).transpose()?;
    let restart_policy = a
        .restart
        .as_deref()
        .map(parse_restart)
        .transpose()?
        .unwrap_or_default();
    let rootfs = check_rootfs(&a.rootfs)?;
    let spec = ContainerSpec {
        name,
        pod: a.pod.clone(),
        rootfs,
        command: a.command.clone(),
        env: parse_env(&a.env),
        workdir: a.workdir.clone(),
        user: a.user.clone(),
        labels: parse_labels(&a.labels)?,
        stop_signal,
        stop_timeout: a.stop_timeout.or(ctx.default_stop_timeout()),
        requires: a
            .requires
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        init_type,
        restart_policy,
        create_command: std::env::args().collect(),
    };
    let c = ctx.engine()?.container_create(spec).await?;
    Ok(c.id)
}

async fn run_ctr(ctx: &Ctx, a: &RunArgs) -> CmdResult {
    let id = create(ctx, &a.create).await?;
    let engine = ctx.engine()?;
    if let Err(e) = engine.container_start(id.as_str()).await {
        if a.rm {
            let _ = engine.container_rm(id.as_str(), true, Some(0)).await;
        }
        return Err(e.into());
    }
    if a.detach {
        println!("{id}");
        return Ok(0);
    }
    let source = LogSource {
        id: id.clone(),
        path: ctx.log_path(&id)?,
        prefix: None,
    };
    let code = crate::logs::attach(ctx, source).await?;
    if a.rm {
        engine.container_rm(id.as_str(), true, None).await?;
        ctx.remove_stale_container_dirs().await;
    }
    Ok(code)
}

/// Resolves `--all` / `--latest` / arguments into container names or ids.
async fn targets(ctx: &Ctx, sel: &CtrSelectArgs) -> Result<Vec<String>, CliError> {
    let given =
        usize::from(sel.all) + usize::from(sel.latest) + usize::from(!sel.containers.is_empty());
    if given > 1 {
        return Err(CliError::new(
            "--all, --latest and containers cannot be used together",
        ));
    }
    if given == 0 {
        return Err(CliError::new(
            "you must provide at least one container name or id",
        ));
    }
    if sel.all || sel.latest {
        let ctrs = ctx.engine()?.store().list_containers().await?;
        if sel.latest {
            let latest = ctrs
                .iter()
                .max_by_key(|c| c.config.created)
                .ok_or_else(|| CliError::new("no containers to act on"))?;
            return Ok(vec![latest.id().to_string()]);
        }
        return Ok(ctrs.into_iter().map(|c| c.id().to_string()).collect());
    }
    Ok(sel.containers.clone())
}

#[derive(Clone, Copy)]
enum Op {
    Start,
    Wait,
    Init,
    Pause,
    Unpause,
}

async fn each(ctx: &Ctx, a: &CtrSelectArgs, op: Op) -> CmdResult {
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for c in targets(ctx, a).await? {
        let r = match op {
            Op::Start => engine.container_start(&c).await.map(|_| c.clone()),
            Op::Init => engine.container_init(&c).await.map(|_| c.clone()),
            Op::Pause => engine.container_pause(&c).await.map(|_| c.clone()),
            Op::Unpause => engine.container_unpause(&c).await.map(|_| c.clone()),
            Op::Wait => engine.container_wait(&c).await.map(|code| code.to_string()),
        };
        match r {
            Ok(line) => println!("{line}"),
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

async fn stop(ctx: &Ctx, a: &CtrStopArgs) -> CmdResult {
    let engine = ctx.engine()?;
    let timeout = timeout_arg(a.time)?;
    let mut errs = Errors::default();
    for c in targets(ctx, &a.select).await? {
        match engine.container_stop(&c, timeout).await {
            Ok(_) => println!("{c}"),
            Err(e) if a.ignore && e.is_not_found() => {}
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

async fn kill(ctx: &Ctx, a: &CtrKillArgs) -> CmdResult {
    let signal = Signal::parse(&a.signal)?;
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for c in targets(ctx, &a.select).await? {
        match engine.container_kill(&c, signal).await {
            Ok(_) => println!("{c}"),
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

async fn rm(ctx: &Ctx, a: &CtrRmArgs) -> CmdResult {
    let engine = ctx.engine()?;
    let timeout = timeout_arg(a.time)?;
    let sel = &a.select;
    if sel.all && engine.store().list_containers().await?.is_empty() {
        return Ok(0);
    }
    let mut errs = RmErrors::default();
    for c in targets(ctx, sel).await? {
        errs.record(engine.container_rm(&c, a.force, timeout).await, a.ignore);
    }
    ctx.remove_stale_container_dirs().await;
    errs.finish()
}

/// podman's STATUS column: `Created`, `Up 5 seconds ago`, `Exited (0) 2 seconds ago`, ...
pub fn status_text(c: &Container, now: DateTime<Utc>) -> String {
    let s = &c.status;
    match s.state {
        ContainerState::Configured | ContainerState::Created => "Created".into(),
        ContainerState::Running => match s.started_at {
            Some(t) => format!("Up {}", ago(t, now)),
            None => "Up".into(),
        },
        ContainerState::Paused => "Paused".into(),
        ContainerState::Stopping => "Stopping".into(),
        ContainerState::Stopped | ContainerState::Exited => {
            let code = s.exit_code.unwrap_or(0);
            match s.finished_at {
                Some(t) => format!("Exited ({code}) {}", ago(t, now)),
                None => format!("Exited ({code})"),
            }
        }
        ContainerState::Removing => "Removing".into(),
        ContainerState::Unknown => "Unknown".into(),
    }
}

fn ctr_row(
    c: &Container,
    pod_names: &BTreeMap<String, String>,
    no_trunc: bool,
    now: DateTime<Utc>,
) -> Value {
    let trunc = |s: &str| -> String {
        if no_trunc {
            s.to_owned()
        } else {
            s.chars().take(12).collect()
        }
    };
    let cfg = &c.config;
    let pod_id = cfg.pod.as_ref().map(|p| p.to_string()).unwrap_or_default();
    let image = cfg
        .rootfs
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    json!({
        "ID": trunc(cfg.id.as_str()),
        "Id": cfg.id.as_str(),
        "Image": image,
        "Command": truncate_command(&cfg.command.join(" "), no_trunc),
        "Created": ago(cfg.created, now),
        "CreatedHuman": ago(cfg.created, now),
        "CreatedAt": format_time(&cfg.created),
        "Status": status_text(c, now),
        "State": c.status.state.as_str(),
        "Ports": "",
        "Names": cfg.name.as_str(),
        "Pod": trunc(&pod_id),
        "PodName": pod_names.get(&pod_id).cloned().unwrap_or_default(),
        "Labels": cfg.labels,
        "ExitCode": c.status.exit_code.unwrap_or(0),
        "Pid": c.status.pid.unwrap_or(0),
        "IsInfra": cfg.is_infra,
        "InitContainerType": cfg.init_type.map(|t| t.as_str()).unwrap_or(""),
    })
}

fn ctr_json(c: &Container, pod_names: &BTreeMap<String, String>) -> Value {
    let cfg = &c.config;
    let pod_id = cfg.pod.as_ref().map(|p| p.to_string()).unwrap_or_default();
    json!({
        "Command": cfg.command,
        "Created": format_time(&cfg.created),
        "Exited": c.status.state.is_stopped(),
        "ExitCode": c.status.exit_code.unwrap_or(0),
        "Id": cfg.id.as_str(),
        "Image": cfg.rootfs.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        "IsInfra": cfg.is_infra,
        "Labels": cfg.labels,
        "Names": [cfg.name.as_str()],
        "Pid": c.status.pid.unwrap_or(0),
        "Pod": pod_id,
        "PodName": pod_names.get(&pod_id).cloned().unwrap_or_default(),
        "StartedAt": c.status.started_at.map(|t| t.timestamp()).unwrap_or(0),
        "State": c.status.state.as_str(),
    })
}

const CTR_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Id", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("Created", "CREATED"),
    ("CreatedHuman", "CREATED"),
    ("Status", "STATUS"),
    ("Ports", "PORTS"),
    ("Names", "NAMES"),
    ("Pod", "POD ID"),
    ("PodName", "PODNAME"),
];

async fn ps(ctx: &Ctx, a: &CtrPsArgs) -> CmdResult {
    if a.quiet && a.format.is_some() {
        return Err(CliError::new("quiet and format cannot be used together"));
    }
    let pred = container_filter(&parse_filters(&a.filters)?)?;
    let fmt = OutputFormat::parse(a.format.as_deref(), OutputFormat::Table)?;
    let engine = ctx.engine()?;
    let now = Utc::now();
    let pod_names: BTreeMap<String, String> = engine
        .store()
        .list_pods()
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name.to_string()))
        .collect();
    let mut ctrs: Vec<Container> = engine
        .container_list()
        .await?
        .into_iter()
        .filter(|c| a.all || a.latest || c.status.state == ContainerState::Running)
        .filter(|c| {
            let pn = c
                .config
                .pod
                .as_ref()
                .and_then(|p| pod_names.get(p.as_str()))
                .map(String::as_str);
            pred(c, pn)
        })
        .collect();
    if a.latest {
        if let Some(l) = ctrs.iter().max_by_key(|c| c.config.created).cloned() {
            ctrs = vec![l];
        }
    }
    // podman lists the newest first
    ctrs.sort_by_key(|c| std::cmp::Reverse(c.config.created));
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for c in &ctrs {
            if a.no_trunc {
                writeln!(out, "{}", c.id())?;
            } else {
                writeln!(out, "{}", c.id().short())?;
            }
        }
        return Ok(0);
    }
    match fmt {
        OutputFormat::Json => {
            let v: Vec<Value> = ctrs.iter().map(|c| ctr_json(c, &pod_names)).collect();
            writeln!(out, "{}", json_pretty(&v)?)?;
        }
        OutputFormat::Table | OutputFormat::Template(_) => {
            let t = match fmt {
                OutputFormat::Template(t) => t,
                _ => {
                    let mut f = String::from(
                        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
                    );
                    if a.pod {
                        f.push_str("\t{{.Pod}}\t{{.PodName}}");
                    }
                    crate::template::Template::parse(&f)?
                }
            };
            let rows: Vec<Value> = ctrs
                .iter()
                .map(|c| ctr_row(c, &pod_names, a.no_trunc, now))
                .collect();
            let text = render_template(&t, &rows, &header_from(CTR_HEADERS), a.noheading)?;
            write!(out, "{text}")?;
        }
    }
    Ok(0)
}

async fn inspect(ctx: &Ctx, a: &CtrInspectArgs, pods_too: bool) -> CmdResult {
    let fmt = OutputFormat::parse(a.format.as_deref(), OutputFormat::Json)?;
    let sel = CtrSelectArgs {
        all: false,
        latest: a.latest,
        containers: a.containers.clone(),
    };
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    let mut found = Vec::new();
    for c in targets(ctx, &sel).await? {
        match engine.container_inspect(&c).await {
            Ok(i) => found.push(serde_json::to_value(i).map_err(anyhow::Error::from)?),
            Err(e) if pods_too && e.is_not_found() => match engine.pod_inspect(&c).await {
                Ok(i) => found.push(serde_json::to_value(i).map_err(anyhow::Error::from)?),
                Err(e2) if e2.is_not_found() => {
                    errs.push(CliError::new(format!("no such object: \"{c}\"")))
                }
                Err(e2) => errs.push(e2),
            },
            Err(e) => errs.push(e),
        }
    }
    print_inspect(&found, &fmt)?;
    errs.finish()
}

async fn logs(ctx: &Ctx, a: &CtrLogsArgs) -> CmdResult {
    let sel = CtrSelectArgs {
        all: false,
        latest: a.latest,
        containers: a.containers.clone(),
    };
    let engine = ctx.engine()?;
    let names = targets(ctx, &sel).await?;
    let many = names.len() > 1;
    let mut sources = Vec::new();
    for n in names {
        let c = engine.store().lookup_container(&n).await?;
        let prefix = if a.names {
            Some(c.name().to_string())
        } else if many {
            Some(c.id().short().to_owned())
        } else {
            None
        };
        sources.push(LogSource {
            id: c.id().clone(),
            path: ctx.log_path(c.id())?,
            prefix,
        });
    }
    print_logs(ctx, sources, &a.opts).await
}

async fn exists(ctx: &Ctx, a: &CtrExistsArgs) -> CmdResult {
    match ctx.engine()?.store().lookup_container(&a.container).await {
        Ok(_) => Ok(0),
        Err(e) if e.is_not_found() => Ok(1),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pod_core::{ContainerConfig, ContainerId, ContainerStatus};

    fn ctr(state: ContainerState) -> Container {
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        Container {
            config: ContainerConfig {
                id: ContainerId::parse(&"a".repeat(64)).unwrap(),
                name: Name::parse("c1").unwrap(),
                pod: None,
                rootfs: Some("/r".into()),
                command: vec!["sleep".into(), "100".into()],
                env: vec![],
                workdir: None,
                user: None,
                labels: Default::default(),
                stop_signal: Signal::TERM,
                stop_timeout: 10,
                dependencies: vec![],
                init_type: None,
                is_infra: false,
                restart_policy: RestartPolicy::No,
                created: t0,
                create_command: vec![],
            },
            status: ContainerStatus {
                state,
                started_at: Some(t0),
                finished_at: Some(t0),
                exit_code: Some(3),
                ..Default::default()
            },
        }
    }

    #[test]
    fn statuses() {
        let now = Utc.timestamp_opt(1_700_000_005, 0).unwrap();
        assert_eq!(
            status_text(&ctr(ContainerState::Configured), now),
            "Created"
        );
        assert_eq!(
            status_text(&ctr(ContainerState::Running), now),
            "Up 5 seconds ago"
        );
        assert_eq!(
            status_text(&ctr(ContainerState::Exited), now),
            "Exited (3) 5 seconds ago"
        );
        assert_eq!(status_text(&ctr(ContainerState::Paused), now), "Paused");
    }

    #[test]
    fn rows() {
        let now = Utc.timestamp_opt(1_700_000_005, 0).unwrap();
        let r = ctr_row(&ctr(ContainerState::Running), &BTreeMap::new(), false, now);
        assert_eq!(r["ID"], "aaaaaaaaaaaa");
        assert_eq!(r["Image"], "/r");
        assert_eq!(r["Command"], "sleep 100");
        assert_eq!(r["Created"], "5 seconds ago");
    }

    #[test]
    fn env_and_restart() {
        std::env::set_var("PODCTL_TEST_ENV", "v");
        assert_eq!(
            parse_env(&[
                "A=1".into(),
                "PODCTL_TEST_ENV".into(),
                "PODCTL_UNSET_XYZ".into()
            ]),
            vec!["A=1", "PODCTL_TEST_ENV=v"]
        );
        assert_eq!(parse_restart("always").unwrap(), RestartPolicy::Always);
        assert_eq!(
            parse_restart("on-failure:3").unwrap(),
            RestartPolicy::OnFailure
        );
        assert!(parse_restart("sometimes").is_err());
    }

    #[test]
    fn rootfs_checks() {
        let d = tempfile::tempdir().unwrap();
        assert!(check_rootfs(d.path()).is_ok());
        let e = check_rootfs(&d.path().join("missing")).unwrap_err();
        assert!(e.message.contains("No such file"), "{e}");
        let f = d.path().join("file");
        std::fs::write(&f, "x").unwrap();
        assert!(check_rootfs(&f)
            .unwrap_err()
            .message
            .contains("not a directory"));
    }
}
