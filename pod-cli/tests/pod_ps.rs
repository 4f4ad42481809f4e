//! pod ps / inspect / top / stats / status against real runc, after podman's
//! `test/e2e/pod_ps_test.go`, `pod_inspect_test.go`, `pod_top_test.go`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde_json::Value;

fn sleeping_pod(env: &common::Env, name: &str, extra: &[&str]) -> String {
    let id = env.pod(name, extra);
    env.ctr(name, &format!("{name}-top"), &[], &["sleep", "1000"]);
    id
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON ({e}): {s}"))
}

#[test]
fn pod_ps_no_pods() {
    let env = env_or_skip!();
    let out = env.ok(&["pod", "ps"]);
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with("POD ID"));
    assert_eq!(env.ok(&["pod", "ps", "--noheading"]), "");
}

#[test]
fn pod_ps_default_table() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "web", &[]);
    let out = env.ok(&["pod", "ps"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let header: Vec<&str> = lines[0]
        .split("  ")
        .filter(|s| !s.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        vec![
            "POD ID",
            "NAME",
            "STATUS",
            "CREATED",
            "INFRA ID",
            "# OF CONTAINERS"
        ]
    );
    assert!(lines[1].starts_with(&id[..12]), "{out}");
    assert!(
        lines[1].contains("web") && lines[1].contains("Created"),
        "{out}"
    );
    assert!(lines[1].contains(" ago"), "{out}");
    assert!(lines[1].trim_end().ends_with('2'), "{out}");
    // columns line up
    let col = lines[0].find("NAME").unwrap();
    assert_eq!(&lines[1][col..col + 3], "web");
}

#[test]
fn pod_ps_quiet_and_no_trunc() {
    let env = env_or_skip!();
    let a = env.pod("a", &["--infra=false"]);
    let b = env.pod("b", &["--infra=false"]);
    // newest first (default sort: created)
    assert_eq!(env.ok(&["pod", "ps", "-q"]), format!("{b}\n{a}"));
    let out = env.ok(&["pod", "ps", "--no-trunc"]);
    assert!(out.contains(&a) && out.contains(&b));
    let out = env.ok(&["pod", "ps"]);
    assert!(!out.contains(&a) && out.contains(&a[..12]));
}

#[test]
fn pod_ps_latest() {
    let env = env_or_skip!();
    env.pod("a", &["--infra=false"]);
    let b = env.pod("b", &["--infra=false"]);
    assert_eq!(env.ok(&["pod", "ps", "-q", "--latest"]), b);
    assert_eq!(env.ok(&["pod", "ls", "-q", "-l"]), b);
}

#[test]
fn pod_ps_format_template_and_table() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "fmt", &["--label", "tier=front"]);
    assert_eq!(
        env.ok(&[
            "pod",
            "ps",
            "--format",
            "{{.Name}} {{.Status}} {{.NumberOfContainers}}"
        ]),
        "fmt Created 2"
    );
    assert_eq!(
        env.ok(&["pod", "ps", "--no-trunc", "--format", "{{.ID}}"]),
        id
    );
    assert_eq!(
        env.ok(&["pod", "ps", "--format", "{{.Labels.tier}}"]),
        "front"
    );
    assert_eq!(
        env.ok(&["pod", "ps", "--format", "{{.Labels}}"]),
        "map[tier:front]"
    );
    let out = env.ok(&["pod", "ps", "--format", "table {{.ID}}\\t{{.Name}}"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "POD ID        NAME");
    assert_eq!(lines[1], format!("{}  fmt", &id[..12]));
    let out = env.ok(&["pod", "ps", "--noheading", "--format", "table {{.Name}}"]);
    assert_eq!(out, "fmt");
    // {{json .}} gives one JSON object per line
    let out = env.ok(&["pod", "ps", "--format", "{{json .}}"]);
    assert_eq!(json(&out)["Name"], "fmt");
}

#[test]
fn pod_ps_format_json() {
    let env = env_or_skip!();
    let id = sleeping_pod(&env, "js", &["--label", "a=b"]);
    let v = json(&env.ok(&["pod", "ps", "--format", "json"]));
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    assert_eq!(arr[0]["Id"], id.as_str());
    assert_eq!(arr[0]["Name"], "js");
    assert_eq!(arr[0]["Status"], "Created");
    assert_eq!(arr[0]["Labels"]["a"], "b");
    assert_eq!(arr[0]["Containers"].as_array().unwrap().len(), 2);
    assert!(arr[0]["InfraId"].as_str().unwrap().len() == 64);
}

#[test]
fn pod_ps_ctr_columns() {
    let env = env_or_skip!();
    env.pod("cols", &["--infra=false"]);
    let cid = env.ctr("cols", "c1", &[], &["sleep", "1000"]);
    let out = env.ok(&["pod", "ps", "--ctr-names", "--ctr-ids", "--ctr-status"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("IDS") && lines[0].contains("NAMES"),
        "{out}"
    );
    assert!(!lines[0].contains("# OF CONTAINERS"), "{out}");
    assert!(
        lines[1].contains(&cid[..12]) && lines[1].contains("c1"),
        "{out}"
    );
    assert!(lines[1].contains("created"), "{out}");
    env.ok(&["pod", "start", "cols"]);
    let out = env.ok(&[
        "pod",
        "ps",
        "--ctr-status",
        "--format",
        "{{.ContainerStatuses}}",
    ]);
    assert_eq!(out, "running");
    let out = env.ok(&[
        "pod",
        "ps",
        "--ctr-ids",
        "--no-trunc",
        "--format",
        "{{.ContainerIds}}",
    ]);
    assert_eq!(out, cid);
}

#[test]
fn pod_ps_filters() {
    let env = env_or_skip!();
    let web = sleeping_pod(
        &env,
        "web",
        &["--label", "app=shop", "--label", "tier=front"],
    );
    let db = sleeping_pod(&env, "db", &["--label", "app=shop"]);
    let lone = env.pod("lone", &["--infra=false"]);
    env.ok(&["pod", "start", "web"]);
    let q = |f: &[&str]| -> Vec<String> {
        let mut args = vec!["pod", "ps", "-q", "--no-trunc"];
        for x in f {
            args.push("--filter");
            args.push(x);
        }
        let mut v: Vec<String> = env.ok(&args).lines().map(str::to_owned).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<&String>| -> Vec<String> {
        v.sort();
        v.into_iter().cloned().collect()
    };
    assert_eq!(q(&["name=web"]), vec![web.clone()]);
    assert_eq!(q(&["name=^d"]), vec![db.clone()]);
    assert_eq!(q(&["name=web", "name=db"]), sorted(vec![&web, &db]));
    assert_eq!(q(&[&format!("id={}", &db[..5])]), vec![db.clone()]);
    assert_eq!(q(&["label=app=shop"]), sorted(vec![&web, &db]));
    assert_eq!(q(&["label=tier"]), vec![web.clone()]);
    assert_eq!(
        q(&["label=app=shop", "label=tier=front"]),
        vec![web.clone()]
    );
    assert_eq!(q(&["status=running"]), vec![web.clone()]);
    assert_eq!(q(&["status=created"]), sorted(vec![&db, &lone]));
    assert_eq!(q(&["ctr-names=db-top"]), vec![db.clone()]);
    assert_eq!(q(&["ctr-status=running"]), vec![web.clone()]);
    assert_eq!(q(&["ctr-status=created"]), vec![db.clone()]);
    assert_eq!(q(&["ctr-number=0"]), vec![lone.clone()]);
    assert_eq!(q(&["ctr-number=2"]), sorted(vec![&web, &db]));
    assert_eq!(q(&["name=web", "status=created"]), Vec::<String>::new());
    let cid = env.ok(&["inspect", "db-top", "--format", "{{.Id}}"]);
    assert_eq!(q(&[&format!("ctr-ids={}", &cid[..8])]), vec![db.clone()]);
    env.fails(&["pod", "ps", "--filter", "status=bogus"], 125);
}

#[test]
fn pod_ps_sort() {
    let env = env_or_skip!();
    env.pod("bbb", &["--infra=false"]);
    env.pod("aaa", &[]);
    env.pod("ccc", &["--infra=false"]);
    env.ctr("ccc", "c1", &[], &["true"]);
    env.ctr("ccc", "c2", &[], &["true"]);
    let names = |by: &str| env.ok(&["pod", "ps", "--sort", by, "--format", "{{.Name}}"]);
    assert_eq!(names("name"), "aaa\nbbb\nccc");
    assert_eq!(names("created"), "ccc\naaa\nbbb");
    assert_eq!(names("number"), "bbb\naaa\nccc");
    let ids = env.ok(&[
        "pod",
        "ps",
        "--sort",
        "id",
        "--no-trunc",
        "--format",
        "{{.ID}}",
    ]);
    let mut sorted: Vec<&str> = ids.lines().collect();
    sorted.sort();
    assert_eq!(ids.lines().collect::<Vec<_>>(), sorted);
    env.fails(&["pod", "ps", "--sort", "bogus"], 125);
}

#[test]
fn pod_ps_status_degraded_and_exited() {
    let env = env_or_skip!();
    env.pod("deg", &[]);
    env.ctr("deg", "short", &[], &["true"]);
    env.ctr("deg", "long", &[], &["sleep", "1000"]);
    env.ok(&["pod", "start", "deg"]);
    assert!(
        env.wait_until(Duration::from_secs(20), || env.pod_status("deg")
            == "Degraded")
    );
    env.ok(&["pod", "stop", "-t", "0", "deg"]);
    assert_eq!(env.pod_status("deg"), "Exited");
    assert_eq!(
        env.ok(&[
            "pod",
            "ps",
            "--filter",
            "status=exited",
            "--format",
            "{{.Name}}"
        ]),
        "deg"
    );
}

#[test]
fn pod_inspect_fields() {
    let env = env_or_skip!();
    let id = env.pod(
        "insp",
        &[
            "--label",
            "a=b",
            "--hostname",
            "insp-host",
            "--exit-policy",
            "stop",
            "--share",
            "uts,ipc",
            "--infra-name",
            "insp-infra",
        ],
    );
    let cid = env.ctr("insp", "c1", &[], &["sleep", "1000"]);
    let v = json(&env.ok(&["pod", "inspect", "insp"]));
    let arr = v.as_array().expect("pod inspect prints an array");
    assert_eq!(arr.len(), 1);
    let p = &arr[0];
    assert_eq!(p["Id"], id.as_str());
    assert_eq!(p["Name"], "insp");
    assert_eq!(p["Hostname"], "insp-host");
    assert_eq!(p["ExitPolicy"], "stop");
    assert_eq!(p["State"], "Created");
    assert_eq!(p["Labels"]["a"], "b");
    assert_eq!(p["CreateInfra"], true);
    assert_eq!(p["NumContainers"], 2);
    assert_eq!(p["SharedNamespaces"], serde_json::json!(["ipc", "uts"]));
    let infra = p["InfraContainerID"].as_str().unwrap().to_owned();
    assert_eq!(
        env.ok(&["inspect", "insp-infra", "--format", "{{.Id}}"]),
        infra
    );
    let names: Vec<&str> = p["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["c1", "insp-infra"]);
    assert!(p["Containers"][0]["Id"] == cid.as_str());
    assert!(p["CreateCommand"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "insp-host"));
    assert!(p["Created"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn pod_inspect_format_multiple_and_bogus() {
    let env = env_or_skip!();
    env.pod("i1", &["--infra=false"]);
    env.pod("i2", &["--infra=false"]);
    assert_eq!(
        env.ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.Name}}:{{.NumContainers}}",
            "i1",
            "i2"
        ]),
        "i1:0\ni2:0"
    );
    assert_eq!(
        env.ok(&["pod", "inspect", "-l", "--format", "{{.Name}}"]),
        "i2"
    );
    env.fails(&["pod", "inspect", "bogus"], 125);
    // found ones are printed, then the error
    let r = env.fails(&["pod", "inspect", "i1", "bogus"], 125);
    assert_eq!(json(&r.stdout).as_array().unwrap().len(), 1);
    assert!(r.stderr.contains("no such pod"));
}

#[test]
fn pod_inspect_running_state_and_infra_sharing() {
    let env = env_or_skip!();
    env.pod("share", &["--hostname", "shared-host"]);
    env.ctr("share", "h", &[], &["sh", "-c", "hostname; sleep 1000"]);
    env.ok(&["pod", "start", "share"]);
    assert_eq!(env.pod_status("share"), "Running");
    assert!(
        env.wait_until(Duration::from_secs(20), || env.ok(&["logs", "h"])
            == "shared-host")
    );
    // the pod shares uts with its infra container: a second container sees the same host
    let rootfs = env.rootfs();
    let out = env.ok(&[
        "run", "--rm", "--pod", "share", "--rootfs", &rootfs, "hostname",
    ]);
    assert_eq!(out, "shared-host");
}

#[test]
fn pod_top_lists_container_processes() {
    let env = env_or_skip!();
    env.pod("top", &["--infra=false"]);
    env.ctr("top", "t1", &[], &["sleep", "1001"]);
    env.ctr("top", "t2", &[], &["sleep", "1002"]);
    env.ok(&["pod", "start", "top"]);
    let out = env.ok(&["pod", "top", "top"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("USER"), "{out}");
    assert!(
        lines[0].contains("PID") && lines[0].contains("COMMAND"),
        "{out}"
    );
    assert!(
        out.contains("sleep 1001") && out.contains("sleep 1002"),
        "{out}"
    );
    env.ok(&["pod", "stop", "-t", "0", "top"]);
    env.fails(&["pod", "top", "top"], 125);
    env.fails(&["pod", "top", "bogus"], 125);
}

#[test]
fn pod_stats_one_sample() {
    let env = env_or_skip!();
    sleeping_pod(&env, "st", &[]);
    env.ok(&["pod", "start", "st"]);
    let out = env.ok(&["pod", "stats", "--no-stream", "st"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("POD"), "{out}");
    assert!(
        lines[0].contains("CPU %") && lines[0].contains("MEM USAGE / LIMIT"),
        "{out}"
    );
    assert_eq!(lines.len(), 3, "{out}");
    assert!(out.contains("st-top"), "{out}");
    let v = json(&env.ok(&["pod", "stats", "--format", "json"]));
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(v[0]["CPU"].as_str().unwrap().ends_with('%'));
}

#[test]
fn pod_status_command() {
    let env = env_or_skip!();
    sleeping_pod(&env, "ps1", &[]);
    assert_eq!(env.ok(&["pod", "status", "ps1"]), "Created");
    env.ok(&["pod", "start", "ps1"]);
    let out = env.ok(&["pod", "status", "-c", "ps1"]);
    assert!(out.starts_with("Running\n"), "{out}");
    assert!(out.contains("ps1-top") && out.contains("running"), "{out}");
    env.fails(&["pod", "status", "bogus"], 125);
}
