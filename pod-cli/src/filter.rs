//! `--filter` and `--sort` of `pod ps` and `ps`, with podman's keys and messages.
//!
//! Values of one key are ORed, different keys ANDed (podman 4 semantics).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use pod_core::{Container, ContainerState, PodSummary};
use regex::Regex;

use crate::error::CliError;

/// Parses `key=value` filter arguments into key → values.
pub fn parse_filters(args: &[String]) -> Result<BTreeMap<String, Vec<String>>, CliError> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in args {
        let Some((k, v)) = f.split_once('=') else {
            return Err(CliError::new(format!(
                "filter input must be in the form of filter=value: {f} is invalid"
            )));
        };
        out.entry(k.to_owned()).or_default().push(v.to_owned());
    }
    Ok(out)
}

/// `label=key` or `label=key=value` against a label map.
fn label_matches(filters: &[String], labels: &BTreeMap<String, String>) -> bool {
    // podman: every label filter must match (MatchLabelFilters is an AND)
    filters.iter().all(|f| match f.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|lv| lv == v),
        None => labels.contains_key(f.as_str()),
    })
}

fn regexes(values: &[String]) -> Result<Vec<Regex>, CliError> {
    values
        .iter()
        .map(|v| Regex::new(v).map_err(|e| CliError::new(format!("invalid regex {v:?}: {e}"))))
        .collect()
}

/// Parses a time given as RFC 3339, a unix timestamp, or a duration ago (`10m`, `1h30m`,
/// `90s`, `2h`).
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(secs) = s.parse::<i64>() {
        return DateTime::from_timestamp(secs, 0)
            .ok_or_else(|| CliError::new(format!("invalid timestamp {s:?}")));
    }
    let d = parse_duration(s).ok_or_else(|| {
        CliError::new(format!(
            "invalid time {s:?}: use RFC 3339, a unix timestamp or a duration like 10m"
        ))
    })?;
    Ok(now - d)
}

/// Go-style durations: `1h30m`, `10m`, `90s`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    if s.is_empty() {
        return None;
    }
    let mut total = Duration::zero();
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let ms = match unit {
            "h" => n * 3_600_000.0,
            "m" => n * 60_000.0,
            "s" => n * 1000.0,
            "ms" => n,
            _ => return None,
        };
        total += Duration::milliseconds(ms as i64);
    }
    Some(total)
}

/// The state name podman's filters compare with (`configured` is `created`, `stopped` is
/// `exited`).
fn filter_state(s: ContainerState) -> &'static str {
    match s {
        ContainerState::Configured => "created",
        ContainerState::Stopped => "exited",
        other => other.as_str(),
    }
}

type PodPredicate = Box<dyn Fn(&PodSummary) -> bool>;

/// Builds the pod filter; unknown keys and bad values are errors before anything is listed.
pub fn pod_filter(
    filters: &BTreeMap<String, Vec<String>>,
    now: DateTime<Utc>,
) -> Result<PodPredicate, CliError> {
    let mut preds: Vec<PodPredicate> = Vec::new();
    for (key, values) in filters {
        let values = values.clone();
        let pred: PodPredicate = match key.as_str() {
            "name" => {
                let rs = regexes(&values)?;
                Box::new(move |p| rs.iter().any(|r| r.is_match(p.config.name.as_str())))
            }
            "id" => Box::new(move |p| values.iter().any(|v| p.config.id.as_str().starts_with(v))),
            "label" => Box::new(move |p| label_matches(&values, &p.config.labels)),
            "label!" => Box::new(move |p| !label_matches(&values, &p.config.labels)),
            "status" => {
                for v in &values {
                    if ![
                        "stopped", "running", "paused", "exited", "dead", "created", "degraded",
                    ]
                    .contains(&v.as_str())
                    {
                        return Err(CliError::new(format!("{v} is not a valid pod status")));
                    }
                }
                Box::new(move |p| {
                    let s = p.status.as_str().to_lowercase();
                    values
                        .iter()
                        .any(|v| *v == s || (v == "dead" && s == "error"))
                })
            }
            "ctr-names" => {
                let rs = regexes(&values)?;
                Box::new(move |p| {
                    p.containers
                        .iter()
                        .any(|c| rs.iter().any(|r| r.is_match(c.name().as_str())))
                })
            }
            "ctr-ids" => Box::new(move |p| {
                p.containers
                    .iter()
                    .any(|c| values.iter().any(|v| c.id().as_str().starts_with(v)))
            }),
            "ctr-status" => {
                for v in &values {
                    if ![
                        "created", "running", "paused", "stopped", "exited", "unknown",
                    ]
                    .contains(&v.as_str())
                    {
                        return Err(CliError::new(format!("{v} is not a valid status")));
                    }
                }
                Box::new(move |p| {
                    p.containers.iter().any(|c| {
                        let s = filter_state(c.status.state);
                        values
                            .iter()
                            .any(|v| s == if v == "stopped" { "exited" } else { v.as_str() })
                    })
                })
            }
            "ctr-number" => {
                let mut ns = Vec::new();
                for v in &values {
                    ns.push(v.parse::<usize>().map_err(|_| {
                        CliError::new(format!("invalid ctr-number filter {v:?}: not a number"))
                    })?);
                }
                Box::new(move |p| ns.contains(&p.containers.len()))
            }
            "until" => {
                let mut ts = Vec::new();
                for v in &values {
                    ts.push(parse_time(v, now)?);
                }
                Box::new(move |p| ts.iter().any(|t| p.config.created < *t))
            }
            other => return Err(CliError::new(format!("{other} is an invalid filter"))),
        };
        preds.push(pred);
    }
    Ok(Box::new(move |p| preds.iter().all(|f| f(p))))
}

type CtrPredicate = Box<dyn Fn(&Container, Option<&str>) -> bool>;

/// Builds the container filter (`name`, `id`, `pod`, `status`, `label`); the second
/// argument of the predicate is the container's pod name.
pub fn container_filter(filters: &BTreeMap<String, Vec<String>>) -> Result<CtrPredicate, CliError> {
    let mut preds: Vec<CtrPredicate> = Vec::new();
    for (key, values) in filters {
        let values = values.clone();
        let pred: CtrPredicate = match key.as_str() {
            "name" => {
                let rs = regexes(&values)?;
                Box::new(move |c, _| rs.iter().any(|r| r.is_match(c.name().as_str())))
            }
            "id" => Box::new(move |c, _| values.iter().any(|v| c.id().as_str().starts_with(v))),
            "label" => Box::new(move |c, _| label_matches(&values, &c.config.labels)),
            "pod" => Box::new(move |c, pod_name| {
                values.iter().any(|v| {
                    pod_name == Some(v.as_str())
                        || c.config
                            .pod
                            .as_ref()
                            .is_some_and(|p| !v.is_empty() && p.as_str().starts_with(v))
                })
            }),
            "status" => {
                for v in &values {
                    if ![
                        "created", "running", "paused", "stopping", "stopped", "exited",
                        "removing", "unknown",
                    ]
                    .contains(&v.as_str())
                    {
                        return Err(CliError::new(format!("{v} is not a valid status")));
                    }
                }
                Box::new(move |c, _| {
                    let s = filter_state(c.status.state);
                    values
                        .iter()
                        .any(|v| s == if v == "stopped" { "exited" } else { v.as_str() })
                })
            }
            other => return Err(CliError::new(format!("{other} is an invalid filter"))),
        };
        preds.push(pred);
    }
    Ok(Box::new(move |c, p| preds.iter().all(|f| f(c, p))))
}

/// Sorts pods as `pod ps --sort` (created = newest first).
pub fn sort_pods(pods: &mut [PodSummary], by: &str) -> Result<(), CliError> {
    match by {
        "created" => pods.sort_by_key(|p| std::cmp::Reverse(p.config.created)),
        "id" => pods.sort_by(|a, b| a.config.id.cmp(&b.config.id)),
        "name" => pods.sort_by(|a, b| a.config.name.cmp(&b.config.name)),
        "number" => pods.sort_by_key(|p| p.containers.len()),
        "status" => pods.sort_by(|a, b| a.status.as_str().cmp(b.status.as_str())),
        _ => {
            return Err(CliError::new(
                "invalid option for --sort, options are: created, id, name, number, or status",
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use pod_core::{
        ContainerConfig, ContainerId, ContainerStatus, ExitPolicy, Name, PodConfig, PodId,
        PodStatus, RestartPolicy, Signal,
    };

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn ctr(name: &str, id: char, state: ContainerState) -> Container {
        Container {
            config: ContainerConfig {
                id: ContainerId::parse(&id.to_string().repeat(64)).unwrap(),
                name: Name::parse(name).unwrap(),
                pod: None,
                rootfs: None,
                command: vec!["sh".into()],
                env: vec![],
                workdir: None,
                user: None,
                labels: [("app".to_string(), "x".to_string())].into(),
                stop_signal: Signal::TERM,
                stop_timeout: 10,
                dependencies: vec![],
                init_type: None,
                is_infra: false,
                restart_policy: RestartPolicy::No,
                created: t(0),
                create_command: vec![],
            },
            status: ContainerStatus {
                state,
                ..Default::default()
            },
        }
    }

    fn pod(
        name: &str,
        id: char,
        created: i64,
        status: PodStatus,
        ctrs: Vec<Container>,
    ) -> PodSummary {
        PodSummary {
            config: PodConfig {
                id: PodId::parse(&id.to_string().repeat(64)).unwrap(),
                name: Name::parse(name).unwrap(),
                labels: [("tier".to_string(), name.to_string())].into(),
                hostname: name.into(),
                created: t(created),
                create_command: vec![],
                exit_policy: ExitPolicy::Continue,
                shared_namespaces: Default::default(),
                infra_container_id: None,
                cgroup_parent: String::new(),
            },
            status,
            containers: ctrs,
        }
    }

    fn pods() -> Vec<PodSummary> {
        vec![
            pod(
                "web",
                'a',
                1,
                PodStatus::Running,
                vec![ctr("web-1", 'd', ContainerState::Running)],
            ),
            pod(
                "db",
                'b',
                2,
                PodStatus::Exited,
                vec![
                    ctr("db-1", 'e', ContainerState::Stopped),
                    ctr("db-2", 'f', ContainerState::Exited),
                ],
            ),
            pod("cache", 'c', 3, PodStatus::Created, vec![]),
        ]
    }

    fn names(f: &[&str]) -> Vec<String> {
        let args: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        let pred = pod_filter(&parse_filters(&args).unwrap(), t(100)).unwrap();
        pods()
            .into_iter()
            .filter(|p| pred(p))
            .map(|p| p.config.name.to_string())
            .collect()
    }

    #[test]
    fn pod_filters() {
        assert_eq!(names(&[]), vec!["web", "db", "cache"]);
        assert_eq!(names(&["name=^w"]), vec!["web"]);
        assert_eq!(names(&["name=e"]), vec!["web", "cache"]);
        assert_eq!(names(&["name=web", "name=db"]), vec!["web", "db"]);
        assert_eq!(names(&["id=bbb"]), vec!["db"]);
        assert_eq!(names(&["label=tier=db"]), vec!["db"]);
        assert_eq!(names(&["label=tier"]), vec!["web", "db", "cache"]);
        assert_eq!(names(&["label!=tier=db"]), vec!["web", "cache"]);
        assert_eq!(names(&["status=running"]), vec!["web"]);
        assert_eq!(
            names(&["status=exited", "status=created"]),
            vec!["db", "cache"]
        );
        assert_eq!(names(&["ctr-names=db-2"]), vec!["db"]);
        assert_eq!(names(&["ctr-ids=ddd"]), vec!["web"]);
        assert_eq!(names(&["ctr-status=exited"]), vec!["db"]);
        assert_eq!(names(&["ctr-status=stopped"]), vec!["db"]);
        assert_eq!(names(&["ctr-number=0"]), vec!["cache"]);
        assert_eq!(names(&["ctr-number=2", "ctr-number=1"]), vec!["web", "db"]);
        // different keys are ANDed
        assert_eq!(names(&["name=e", "status=running"]), vec!["web"]);
        assert_eq!(names(&["until=1700000002"]), vec!["web"]);
    }

    #[test]
    fn pod_filter_errors() {
        let e = |f: &str| {
            let args = vec![f.to_string()];
            match parse_filters(&args).and_then(|m| pod_filter(&m, t(0))) {
                Ok(_) => panic!("{f} accepted"),
                Err(e) => e.message,
            }
        };
        assert_eq!(
            e("name"),
            "filter input must be in the form of filter=value: name is invalid"
        );
        assert_eq!(e("bogus=1"), "bogus is an invalid filter");
        assert_eq!(e("status=sleepy"), "sleepy is not a valid pod status");
        assert_eq!(e("ctr-status=sleepy"), "sleepy is not a valid status");
        assert!(e("name=(").contains("invalid regex"));
        assert!(e("ctr-number=x").contains("not a number"));
    }

    #[test]
    fn sorting() {
        let order = |by: &str| {
            let mut p = pods();
            sort_pods(&mut p, by).unwrap();
            p.iter()
                .map(|p| p.config.name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(order("created"), vec!["cache", "db", "web"]);
        assert_eq!(order("id"), vec!["web", "db", "cache"]);
        assert_eq!(order("name"), vec!["cache", "db", "web"]);
        assert_eq!(order("number"), vec!["cache", "web", "db"]);
        assert_eq!(order("status"), vec!["cache", "db", "web"]);
        let mut p = pods();
        assert!(sort_pods(&mut p, "size")
            .unwrap_err()
            .message
            .starts_with("invalid option for --sort"));
    }

    #[test]
    fn container_filters() {
        let c = ctr("web-1", 'd', ContainerState::Running);
        let f = |args: &[&str]| {
            let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            container_filter(&parse_filters(&a).unwrap()).unwrap()(&c, Some("web"))
        };
        assert!(f(&["name=web"]));
        assert!(!f(&["name=^db"]));
        assert!(f(&["id=dd"]));
        assert!(f(&["pod=web"]));
        assert!(!f(&["pod=db"]));
        assert!(f(&["status=running"]));
        assert!(!f(&["status=exited"]));
        assert!(f(&["label=app=x"]));
        assert!(container_filter(&parse_filters(&["x=1".to_string()]).unwrap()).is_err());
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("10m"), Some(Duration::minutes(10)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::milliseconds(500)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::milliseconds(1500)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_time("10s", t(100)).unwrap(), t(90));
        assert_eq!(
            parse_time("2023-11-14T22:13:20Z", t(0)).unwrap(),
            Utc.timestamp_opt(1_700_000_000, 0).unwrap()
        );
        assert!(parse_time("yesterday", t(0)).is_err());
    }
}
