//! `podctl pod …` handlers: parse, call the engine, format.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use chrono::Utc;
use pod_core::{
    format_time, ContainerState, ExitPolicy, Name, Namespace, PodSpec, PodStatus, PodSummary,
    Signal,
};
use serde_json::{json, Value};

use crate::cli::{
    PodCommand, PodCreateArgs, PodExistsArgs, PodInspectArgs, PodKillArgs, PodLogsArgs,
    PodPruneArgs, PodPsArgs, PodRmArgs, PodSelectArgs, PodStatsArgs, PodStatusArgs, PodStopArgs,
    PodTopArgs,
};
use crate::context::Ctx;
use crate::error::{CliError, CmdResult, Errors, RmErrors};
use crate::filter::{parse_filters, pod_filter, sort_pods};
use crate::format::{ago, align, header_from, json_pretty, render_template, OutputFormat};
use crate::logs::{print_logs, LogSource};

/// Runs a `pod` subcommand.
pub async fn run(ctx: &Ctx, cmd: PodCommand) -> CmdResult {
    match cmd {
        PodCommand::Create(a) => create(ctx, a).await,
        PodCommand::Start(a) => start(ctx, &a).await,
        PodCommand::Stop(a) => stop(ctx, &a).await,
        PodCommand::Pause(a) => simple(ctx, &a, Op::Pause).await,
        PodCommand::Unpause(a) => simple(ctx, &a, Op::Unpause).await,
        PodCommand::Restart(a) => simple(ctx, &a, Op::Restart).await,
        PodCommand::Kill(a) => kill(ctx, &a).await,
        PodCommand::Rm(a) => rm(ctx, &a).await,
        PodCommand::Ps(a) | PodCommand::Ls(a) => ps(ctx, &a).await,
        PodCommand::Inspect(a) => inspect(ctx, &a).await,
        PodCommand::Exists(a) => exists(ctx, &a).await,
        PodCommand::Prune(a) => prune(ctx, &a).await,
        PodCommand::Top(a) => top(ctx, &a).await,
        PodCommand::Stats(a) => stats(ctx, &a).await,
        PodCommand::Logs(a) => logs(ctx, &a).await,
        PodCommand::Status(a) => status(ctx, &a).await,
    }
}

/// Parses `key=value` labels (`key` alone = empty value).
pub fn parse_labels(labels: &[String]) -> Result<BTreeMap<String, String>, CliError> {
    let mut out = BTreeMap::new();
    for l in labels {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        if k.is_empty() {
            return Err(CliError::new(format!("invalid label {l:?}: empty key")));
        }
        out.insert(k.to_owned(), v.to_owned());
    }
    Ok(out)
}

/// Parses `--infra-command`: a JSON array, or words split on whitespace.
fn parse_command_string(s: &str) -> Result<Vec<String>, CliError> {
    let t = s.trim();
    if t.starts_with('[') {
        return serde_json::from_str(t)
            .map_err(|e| CliError::new(format!("invalid --infra-command {s:?}: {e}")));
    }
    Ok(t.split_whitespace().map(str::to_owned).collect())
}

async fn create(ctx: &Ctx, a: PodCreateArgs) -> CmdResult {
    let name = match (&a.name, &a.pos_name) {
        (Some(n), Some(p)) if n != p => {
            return Err(CliError::new(
                "cannot specify the pod name both with --name and as an argument",
            ))
        }
        (Some(n), _) | (None, Some(n)) => Some(Name::parse(n)?),
        (None, None) => None,
    };
    let share = a.share.as_deref().map(Namespace::parse_list).transpose()?;
    let infra_name = a.infra_name.as_deref().map(Name::parse).transpose()?;
    if !a.infra && (infra_name.is_some() || a.infra_command.is_some()) {
        return Err(CliError::new(
            "cannot set infra options (--infra-name, --infra-command) when --infra=false",
        ));
    }
    let spec = PodSpec {
        name,
        labels: parse_labels(&a.labels)?,
        hostname: a.hostname.clone(),
        exit_policy: ExitPolicy::parse(&a.exit_policy)?,
        share,
        infra: a.infra,
        infra_name,
        infra_command: a
            .infra_command
            .as_deref()
            .map(parse_command_string)
            .transpose()?
            .unwrap_or_default(),
        create_command: std::env::args().collect(),
        cgroup_parent: a.cgroup_parent.clone(),
    };
    let pod = ctx.engine()?.pod_create(spec).await?;
    println!("{}", pod.id);
    Ok(0)
}

/// Resolves `--all` / `--latest` / arguments into pod names or ids.
async fn targets(ctx: &Ctx, sel: &PodSelectArgs) -> Result<Vec<String>, CliError> {
    let given = usize::from(sel.all) + usize::from(sel.latest) + usize::from(!sel.pods.is_empty());
    if given > 1 {
        return Err(CliError::new(
            "--all, --latest and pod names or ids cannot be used together",
        ));
    }
    if given == 0 {
        return Err(CliError::new(
            "you must provide at least one pod name or id",
        ));
    }
    if sel.all || sel.latest {
        let pods = ctx.engine()?.store().list_pods().await?;
        if sel.latest {
            let latest = pods
                .iter()
                .max_by_key(|p| p.created)
                .ok_or_else(|| CliError::new("no pods to act on"))?;
            return Ok(vec![latest.id.to_string()]);
        }
        return Ok(pods.into_iter().map(|p| p.id.to_string()).collect());
    }
    Ok(sel.pods.clone())
}

async fn start(ctx: &Ctx, a: &PodSelectArgs) -> CmdResult {
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for p in targets(ctx, a).await? {
        match engine.pod_start(&p).await {
            Ok(pod) => println!("{}", pod.name),
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

/// `-t` value: -1 = each container's own timeout, else seconds (at least 0); anything
/// below -1 is an error before any pod or container is touched.
pub fn timeout_arg(t: i64) -> Result<Option<u64>, CliError> {
    match t {
        -1 => Ok(None),
        t => u64::try_from(t).map(Some).map_err(|_| {
            CliError::new(format!(
                "invalid --time {t}: must be -1 (each container's own stop timeout) or a number of seconds (0 or more)"
            ))
        }),
    }
}

async fn stop(ctx: &Ctx, a: &PodStopArgs) -> CmdResult {
    let engine = ctx.engine()?;
    let timeout = timeout_arg(a.time)?;
    let mut errs = Errors::default();
    for p in targets(ctx, &a.select).await? {
        match engine.pod_stop(&p, timeout).await {
            Ok(pod) => println!("{}", pod.name),
            Err(e) if a.ignore && e.is_not_found() => {}
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

#[derive(Clone, Copy)]
enum Op {
    Pause,
    Unpause,
    Restart,
}

async fn simple(ctx: &Ctx, a: &PodSelectArgs, op: Op) -> CmdResult {
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for p in targets(ctx, a).await? {
        let r = match op {
            Op::Pause => engine.pod_pause(&p).await,
            Op::Unpause => engine.pod_unpause(&p).await,
            Op::Restart => engine.pod_restart(&p).await,
        };
        match r {
            Ok(pod) => println!("{}", pod.id),
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

async fn kill(ctx: &Ctx, a: &PodKillArgs) -> CmdResult {
    // the signal is checked before any pod is looked up
    let signal = Signal::parse(&a.signal)?;
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for p in targets(ctx, &a.select).await? {
        match engine.pod_kill(&p, signal).await {
            Ok(pod) => println!("{}", pod.id),
            Err(e) => errs.push(e),
        }
    }
    errs.finish()
}

async fn rm(ctx: &Ctx, a: &PodRmArgs) -> CmdResult {
    let engine = ctx.engine()?;
    let timeout = timeout_arg(a.time)?;
    let mut errs = RmErrors::default();
    let sel = &a.select;
    if sel.all && sel.pods.is_empty() && !sel.latest && engine.store().list_pods().await?.is_empty()
    {
        return Ok(0);
    }
    for p in targets(ctx, sel).await? {
        errs.record(engine.pod_rm(&p, a.force, timeout).await, a.ignore);
    }
    ctx.remove_stale_container_dirs().await;
    // podman: removing a pod that does not exist exits 1
    errs.finish()
}

fn ctr_state_name(s: ContainerState) -> &'static str {
    match s {
        ContainerState::Configured => "created",
        other => other.as_str(),
    }
}

/// The `pod ps --format json` object of one pod (podman's `ListPodsReport`).
fn pod_json(p: &PodSummary) -> Value {
    json!({
        "Cgroup": p.config.cgroup_parent,
        "Containers": p.containers.iter().map(|c| json!({
            "Id": c.id().as_str(),
            "Names": c.name().as_str(),
            "Status": ctr_state_name(c.status.state),
        })).collect::<Vec<_>>(),
        "Created": format_time(&p.config.created),
        "Id": p.config.id.as_str(),
        "InfraId": p.config.infra_container_id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
        "Name": p.config.name.as_str(),
        "Namespace": "",
        "Networks": Vec::<String>::new(),
        "Status": p.status.as_str(),
        "Labels": p.config.labels,
    })
}

/// The template row of one pod (podman's `ListPodReporter` fields).
fn pod_row(p: &PodSummary, no_trunc: bool, now: chrono::DateTime<Utc>) -> Value {
    let trunc = |s: &str| -> String {
        if no_trunc {
            s.to_owned()
        } else {
            s.chars().take(12).collect()
        }
    };
    let infra = p
        .config
        .infra_container_id
        .as_ref()
        .map(|i| trunc(i.as_str()))
        .unwrap_or_default();
    let join = |f: &dyn Fn(&pod_core::Container) -> String| {
        p.containers.iter().map(f).collect::<Vec<_>>().join(",")
    };
    json!({
        "ID": trunc(p.config.id.as_str()),
        "Id": trunc(p.config.id.as_str()),
        "Name": p.config.name.as_str(),
        "Status": p.status.as_str(),
        "Created": ago(p.config.created, now),
        "CreatedAt": format_time(&p.config.created),
        "InfraID": infra,
        "InfraId": infra,
        "NumberOfContainers": p.containers.len(),
        "Labels": p.config.labels,
        "ContainerIds": join(&|c| trunc(c.id().as_str())),
        "ContainerNames": join(&|c| c.name().to_string()),
        "ContainerStatuses": join(&|c| ctr_state_name(c.status.state).to_owned()),
        "Cgroup": p.config.cgroup_parent,
        "Namespace": "",
        "Networks": "",
        "Restarts": "0",
        "ExitPolicy": p.config.exit_policy.as_str(),
        "Hostname": p.config.hostname,
    })
}

const POD_HEADERS: &[(&str, &str)] = &[
    ("ID", "POD ID"),
    ("Id", "POD ID"),
    ("Name", "NAME"),
    ("Status", "STATUS"),
    ("Labels", "LABELS"),
    ("NumberOfContainers", "# OF CONTAINERS"),
    ("Created", "CREATED"),
    ("InfraID", "INFRA ID"),
    ("InfraId", "INFRA ID"),
    ("ContainerIds", "IDS"),
    ("ContainerNames", "NAMES"),
    ("ContainerStatuses", "STATUS"),
    ("Cgroup", "CGROUP"),
    ("Namespace", "NAMESPACES"),
    ("Restarts", "RESTARTS"),
];

/// podman's default `pod ps` row for the given flags.
fn default_pod_format(a: &PodPsArgs) -> String {
    let mut row = vec![
        "{{.ID}}",
        "{{.Name}}",
        "{{.Status}}",
        "{{.Created}}",
        "{{.InfraID}}",
    ];
    if a.ctr_ids {
        row.push("{{.ContainerIds}}");
    }
    if a.ctr_names {
        row.push("{{.ContainerNames}}");
    }
    if a.ctr_status {
        row.push("{{.ContainerStatuses}}");
    }
    if !a.ctr_ids && !a.ctr_names && !a.ctr_status {
        row.push("{{.NumberOfContainers}}");
    }
    format!("table {}", row.join("\t"))
}

async fn ps(ctx: &Ctx, a: &PodPsArgs) -> CmdResult {
    if a.quiet && a.format.is_some() {
        return Err(CliError::new("quiet and format cannot be used together"));
    }
    let now = Utc::now();
    let pred = pod_filter(&parse_filters(&a.filters)?, now)?;
    sort_pods(&mut [], &a.sort)?;
    let fmt = OutputFormat::parse(a.format.as_deref(), OutputFormat::Table)?;
    let mut pods: Vec<PodSummary> = ctx
        .engine()?
        .pod_list()
        .await?
        .into_iter()
        .filter(|p| pred(p))
        .collect();
    if a.latest {
        if let Some(latest) = pods.iter().max_by_key(|p| p.config.created).cloned() {
            pods = vec![latest];
        }
    }
    sort_pods(&mut pods, &a.sort)?;
    let mut out = std::io::stdout().lock();
    if a.quiet {
        for p in &pods {
            writeln!(out, "{}", p.config.id)?;
        }
        return Ok(0);
    }
    match fmt {
        OutputFormat::Json => {
            let v: Vec<Value> = pods.iter().map(pod_json).collect();
            writeln!(out, "{}", json_pretty(&v)?)?;
        }
        OutputFormat::Table | OutputFormat::Template(_) => {
            let t = match fmt {
                OutputFormat::Template(t) => t,
                _ => crate::template::Template::parse(&default_pod_format(a))?,
            };
            let rows: Vec<Value> = pods.iter().map(|p| pod_row(p, a.no_trunc, now)).collect();
            let text = render_template(&t, &rows, &header_from(POD_HEADERS), a.noheading)?;
            write!(out, "{text}")?;
        }
    }
    Ok(0)
}

async fn inspect(ctx: &Ctx, a: &PodInspectArgs) -> CmdResult {
    let fmt = OutputFormat::parse(a.format.as_deref(), OutputFormat::Json)?;
    let sel = PodSelectArgs {
        all: false,
        latest: a.latest,
        pods: a.pods.clone(),
    };
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    let mut found = Vec::new();
    for p in targets(ctx, &sel).await? {
        match engine.pod_inspect(&p).await {
            Ok(i) => found.push(serde_json::to_value(i).map_err(anyhow::Error::from)?),
            Err(e) => errs.push(e),
        }
    }
    print_inspect(&found, &fmt)?;
    errs.finish()
}

/// Prints inspect results: a JSON array, or a template per object.
pub fn print_inspect(items: &[Value], fmt: &OutputFormat) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match fmt {
        OutputFormat::Json | OutputFormat::Table => {
            writeln!(out, "{}", json_pretty(&items)?)?;
        }
        OutputFormat::Template(t) => {
            let text = render_template(t, items, &crate::template::default_header, false)?;
            write!(out, "{text}")?;
        }
    }
    Ok(())
}

async fn exists(ctx: &Ctx, a: &PodExistsArgs) -> CmdResult {
    match ctx.engine()?.store().lookup_pod(&a.pod).await {
        Ok(_) => Ok(0),
        Err(e) if e.is_not_found() => Ok(1),
        Err(e) => Err(e.into()),
    }
}

/// Asks `question [y/N]` on stdin; true on y/yes.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    // like podman, the answer may come from a pipe too; EOF is "no"
    let stdin = std::io::stdin();
    eprint!("{question} [y/N] ");
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let ans = line.trim().to_lowercase();
    Ok(ans == "y" || ans == "yes")
}

async fn prune(ctx: &Ctx, a: &PodPruneArgs) -> CmdResult {
    if !a.force
        && !confirm(
            "WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue?",
        )?
    {
        return Ok(0);
    }
    let engine = ctx.engine()?;
    let mut errs = Errors::default();
    for p in engine.pod_list().await? {
        if !matches!(p.status, PodStatus::Exited | PodStatus::Stopped) {
            continue;
        }
        match engine.pod_rm(p.config.id.as_str(), false, None).await {
            Ok(id) => println!("{id}"),
            Err(e) => errs.push(e),
        }
    }
    ctx.remove_stale_container_dirs().await;
    errs.finish()
}

async fn one_pod(ctx: &Ctx, latest: bool, pod: Option<&String>) -> Result<String, CliError> {
    let sel = PodSelectArgs {
        all: false,
        latest,
        pods: pod.cloned().into_iter().collect(),
    };
    let mut t = targets(ctx, &sel).await?;
    t.pop()
        .ok_or_else(|| CliError::new("you must provide a pod name or id"))
}

async fn top(ctx: &Ctx, a: &PodTopArgs) -> CmdResult {
    let p = one_pod(ctx, a.latest, a.pod.as_ref()).await?;
    let summary = ctx.engine()?.pod_summary(&p).await?;
    let pids: Vec<i32> = summary
        .containers
        .iter()
        .filter(|c| c.status.state.is_active())
        .filter_map(|c| c.status.pid)
        .filter(|&p| p > 0)
        .collect();
    if pids.is_empty() {
        return Err(CliError::new(format!(
            "pod {} has no running containers: no processes to show",
            summary.config.name
        )));
    }
    print!("{}", crate::top::render(&pids));
    Ok(0)
}

async fn stats(ctx: &Ctx, a: &PodStatsArgs) -> CmdResult {
    if !a.no_stream {
        return Err(CliError::new(
            "only --no-stream is supported: podctl prints one sample",
        ));
    }
    let fmt = OutputFormat::parse(a.format.as_deref(), OutputFormat::Table)?;
    let engine = ctx.engine()?;
    let summaries = if a.all || (a.pods.is_empty() && !a.latest) {
        engine.pod_list().await?
    } else {
        let sel = PodSelectArgs {
            all: false,
            latest: a.latest,
            pods: a.pods.clone(),
        };
        let mut v = Vec::new();
        for p in targets(ctx, &sel).await? {
            v.push(engine.pod_summary(&p).await?);
        }
        v
    };
    let rows = crate::stats::collect(engine, &summaries).await;
    crate::stats::print(&rows, &fmt)?;
    Ok(0)
}

async fn logs(ctx: &Ctx, a: &PodLogsArgs) -> CmdResult {
    let p = one_pod(ctx, a.latest, a.pod.as_ref()).await?;
    let summary = ctx.engine()?.pod_summary(&p).await?;
    let mut ctrs: Vec<&pod_core::Container> = summary
        .containers
        .iter()
        .filter(|c| !c.config.is_infra)
        .collect();
    if let Some(sel) = &a.container {
        ctrs.retain(|c| c.name().as_str() == sel || c.id().as_str().starts_with(sel.as_str()));
        if ctrs.is_empty() {
            return Err(CliError::new(format!(
                "container {sel} is not in pod {}",
                summary.config.name
            )));
        }
    }
    let many = ctrs.len() > 1;
    let mut sources = Vec::new();
    for c in ctrs {
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

async fn status(ctx: &Ctx, a: &PodStatusArgs) -> CmdResult {
    let summary = ctx.engine()?.pod_summary(&a.pod).await?;
    println!("{}", summary.status);
    if a.containers {
        let mut text = String::from("CONTAINER ID\tNAME\tSTATE\n");
        for c in summary
            .containers
            .iter()
            .filter(|c| c.config.init_type.is_none())
        {
            text.push_str(&format!(
                "{}\t{}\t{}\n",
                c.id().short(),
                c.name(),
                c.status.state
            ));
        }
        print!("{}", align(&text));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let l = parse_labels(&["a=b".into(), "c".into(), "d=e=f".into()]).unwrap();
        assert_eq!(l.get("a").map(String::as_str), Some("b"));
        assert_eq!(l.get("c").map(String::as_str), Some(""));
        assert_eq!(l.get("d").map(String::as_str), Some("e=f"));
        assert!(parse_labels(&["=x".into()]).is_err());
    }

    #[test]
    fn infra_command() {
        assert_eq!(
            parse_command_string("/catatonit -P").unwrap(),
            vec!["/catatonit", "-P"]
        );
        assert_eq!(
            parse_command_string(r#"["/bin/sleep", "1 2"]"#).unwrap(),
            vec!["/bin/sleep", "1 2"]
        );
        assert!(parse_command_string("[bad").is_err());
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout_arg(-1), Ok(None));
        assert_eq!(timeout_arg(0), Ok(Some(0)));
        assert_eq!(timeout_arg(30), Ok(Some(30)));
        let e = timeout_arg(-5).unwrap_err();
        assert_eq!(e.code, 125);
        assert!(
            e.message.starts_with("invalid --time -5: must be -1"),
            "{e}"
        );
        assert!(timeout_arg(i64::MIN).is_err());
    }

    #[test]
    fn default_formats() {
        let a = PodPsArgs {
            ctr_ids: false,
            ctr_names: true,
            ctr_status: false,
            filters: vec![],
            format: None,
            latest: false,
            no_trunc: false,
            noheading: false,
            quiet: false,
            sort: "created".into(),
        };
        let f = default_pod_format(&a);
        assert!(f.contains("ContainerNames") && !f.contains("NumberOfContainers"));
        let t = crate::template::Template::parse(&f).unwrap();
        assert_eq!(
            t.render_header(&header_from(POD_HEADERS)),
            "POD ID\tNAME\tSTATUS\tCREATED\tINFRA ID\tNAMES"
        );
    }
}
