//! Last-resort cleanup after a run, whatever state the CLIs left: runc containers,
//! monitor processes, mounts and cgroups that belong to a scratch directory.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::util::{find_processes, output, run_quiet};

/// Removes what is left under `dir` after the tools' own cleanup: runc containers
/// whose state or bundle lies there (this also kills their processes and removes
/// their cgroups), processes whose argv mentions it (monitors, conmon), mounts, and
/// cgroup directories named after `ids` (pod cgroups). Returns what it found, one
/// line each — nothing after a clean run.
pub fn force_cleanup(runc: &Path, dir: &Path, ids: &[String]) -> Vec<String> {
    let mut found = cleanup_runc_roots(runc, dir);
    found.extend(delete_runc_bundles_under(runc, dir));
    let needle = dir.to_string_lossy().into_owned();
    for p in find_processes(|p| p.cmdline.iter().any(|a| a.contains(&needle))) {
        found.push(format!("process {} ({})", p.pid, p.cmdline.join(" ")));
        // SAFETY: kill(2) on a monitor started under this run's scratch directory.
        unsafe { libc::kill(p.pid as libc::pid_t, libc::SIGKILL) };
    }
    unmount_under(dir);
    found.extend(remove_cgroups(ids));
    found
}

/// Prints what [`force_cleanup`] found, if anything, as a warning naming `who`.
pub fn warn_leftovers(who: &str, found: &[String]) {
    if !found.is_empty() {
        eprintln!(
            "warning: {who} left {} things behind after its own cleanup (now removed):\n  {}",
            found.len(),
            found.join("\n  ")
        );
    }
}

/// rmdir, deepest first, every cgroup directory (up to three levels below a
/// controller) whose name contains one of `ids`. A populated cgroup stays.
fn remove_cgroups(ids: &[String]) -> Vec<String> {
    let ids: Vec<&String> = ids.iter().filter(|id| id.len() >= 12).collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let mut dirs = Vec::new();
    let mut stack: Vec<(PathBuf, usize)> = vec![(PathBuf::from("/sys/fs/cgroup"), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            if ids.iter().any(|id| name.contains(id.as_str())) {
                collect_tree(&e.path(), &mut dirs);
            } else if depth < 4 {
                stack.push((e.path(), depth + 1));
            }
        }
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    dirs.into_iter()
        .map(|d| {
            let _ = fs::remove_dir(&d);
            format!("cgroup {}", d.display())
        })
        .collect()
}

fn collect_tree(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                collect_tree(&e.path(), out);
            }
        }
    }
}

/// Deletes every runc container whose state lives under `dir` (any runc `--root`
/// found there by its `<root>/<id>/state.json` layout).
fn cleanup_runc_roots(runc: &Path, dir: &Path) -> Vec<String> {
    let mut roots = Vec::new();
    let mut found = Vec::new();
    find_runc_roots(dir, 0, &mut roots);
    for root in roots {
        let Ok(entries) = fs::read_dir(&root) else {
            continue;
        };
        for id in entries.flatten().map(|e| e.file_name()) {
            found.push(format!(
                "runc container {} in {}",
                id.to_string_lossy(),
                root.display()
            ));
            run_quiet(
                Command::new(runc)
                    .arg("--root")
                    .arg(&root)
                    .args(["delete", "-f"])
                    .arg(&id)
                    .stdin(Stdio::null()),
            );
        }
    }
    found
}

/// Deletes the containers of runc's default root whose bundle lies under `dir`.
fn delete_runc_bundles_under(runc: &Path, dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(list) = output(Command::new(runc).args(["list", "--format", "json"])) else {
        return found;
    };
    let Ok(serde_json::Value::Array(ctrs)) = serde_json::from_str(&list) else {
        return found;
    };
    for ctr in ctrs {
        let (Some(id), Some(bundle)) = (ctr["id"].as_str(), ctr["bundle"].as_str()) else {
            continue;
        };
        if Path::new(bundle).starts_with(dir) {
            found.push(format!("runc container {id} (bundle {bundle})"));
            run_quiet(Command::new(runc).args(["delete", "-f", id]));
        }
    }
    found
}

fn find_runc_roots(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if path.join("state.json").is_file() {
            if let Some(parent) = path.parent() {
                if !out.iter().any(|r| r == parent) {
                    out.push(parent.to_path_buf());
                }
            }
        } else {
            find_runc_roots(&path, depth + 1, out);
        }
    }
}

/// Lazily unmounts every mount point under `dir`, deepest first.
fn unmount_under(dir: &Path) {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points = mount_points_under(&info, dir);
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let Ok(c) = std::ffi::CString::new(point) else {
            continue;
        };
        // SAFETY: a valid NUL-terminated path; failure is harmless here.
        unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
    }
}

/// Mount points (field 5 of mountinfo, octal escapes decoded) at or under `dir`.
fn mount_points_under(mountinfo: &str, dir: &Path) -> Vec<String> {
    let dir = dir.to_string_lossy();
    let dir = dir.trim_end_matches('/');
    mountinfo
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(unescape_mountinfo)
        .filter(|p| p == dir || p.starts_with(&format!("{dir}/")))
        .collect()
}

fn unescape_mountinfo(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            match u8::from_str_radix(&code, 8) {
                Ok(b) => out.push(char::from(b)),
                Err(_) => {
                    out.push('\\');
                    out.push_str(&code);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    #[test]
    fn mountinfo_filtering() {
        let info = "\
22 1 8:1 / / rw - ext4 /dev/vda rw
90 22 0:50 / /tmp/b/podman/root/overlay rw - ext4 /dev/vda rw
91 90 0:51 / /tmp/b/podman/root/overlay/x/merged rw - overlay overlay rw
92 22 0:52 / /tmp/b2 rw - tmpfs tmpfs rw
93 22 0:53 / /tmp/b/with\\040space rw - tmpfs tmpfs rw
";
        let got = mount_points_under(info, Path::new("/tmp/b/"));
        assert_eq!(
            got,
            [
                "/tmp/b/podman/root/overlay",
                "/tmp/b/podman/root/overlay/x/merged",
                "/tmp/b/with space"
            ]
        );
    }

    #[test]
    fn runc_roots_are_found_by_layout() {
        let dir = TempDir::new("xtask-test-runc").unwrap();
        let state = dir.path().join("run/runtime/abc");
        fs::create_dir_all(&state).unwrap();
        fs::write(state.join("state.json"), "{}").unwrap();
        fs::create_dir_all(dir.path().join("other/empty")).unwrap();
        let mut roots = Vec::new();
        find_runc_roots(dir.path(), 0, &mut roots);
        assert_eq!(roots, [dir.path().join("run/runtime")]);
    }
}
