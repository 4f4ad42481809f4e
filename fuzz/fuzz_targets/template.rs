//! `--format` templates on arbitrary text: parsing and rendering against a pod row and a
//! container row (the fields `pod ps` and `ps` give templates) never panic and stay fast
//! (libFuzzer's `-timeout` catches blow-ups).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pod_cli::template::{default_header, go_string, normalize, Template};
use serde_json::{json, Value};

/// A `pod ps` row and a `ps` row, shaped like the CLI's.
fn rows() -> &'static [Value; 2] {
    static ROWS: OnceLock<[Value; 2]> = OnceLock::new();
    ROWS.get_or_init(|| {
        [
            json!({
                "ID": "3f2a9c1b7d4e", "Id": "3f2a9c1b7d4e", "Name": "web", "Status": "Running",
                "Created": "5 minutes ago", "CreatedAt": "2024-05-01 10:00:00 +0000 UTC",
                "InfraID": "9a8b7c6d5e4f", "InfraId": "9a8b7c6d5e4f", "NumberOfContainers": 3,
                "Labels": {"app": "web", "tier": "front"}, "ContainerIds": "aa,bb,cc",
                "ContainerNames": "web-infra,app,db", "ContainerStatuses": "running,running,exited",
                "Cgroup": "podctl", "Namespace": "", "Networks": "", "Restarts": "0",
                "ExitPolicy": "continue",
                "Containers": [
                    {"Id": "aa", "Names": "web-infra", "Status": "running"},
                    {"Id": "bb", "Names": "app", "Status": "running"},
                ],
            }),
            json!({
                "ID": "aabbccddeeff", "Id": "aabbccddeeff00112233", "Image": "/srv/rootfs",
                "Command": "sleep 1000", "Created": "1 hour ago", "CreatedHuman": "1 hour ago",
                "CreatedAt": "2024-05-01 10:00:00 +0000 UTC", "Status": "Up 5 minutes",
                "State": "running", "Ports": "", "Names": "app", "Pod": "3f2a9c1b7d4e",
                "PodName": "web", "Labels": {}, "ExitCode": 0, "Pid": 4242, "IsInfra": false,
                "InitContainerType": "", "Mounts": ["/a", "/b"], "Nested": {"L": [[1, 2], [3]]},
            }),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(format) = std::str::from_utf8(data) else {
        return;
    };
    let _ = normalize(format);
    let Ok(t) = Template::parse(format) else {
        return;
    };
    for row in rows() {
        if let Ok(out) = t.render(row) {
            // output stays proportional to template size times data size
            assert!(
                out.len() <= 4096 + format.len() * 4096,
                "{} bytes of output from a {}-byte template",
                out.len(),
                format.len()
            );
        }
    }
    let _ = t.render_header(&default_header);
    let _ = go_string(&rows()[1]);
});
