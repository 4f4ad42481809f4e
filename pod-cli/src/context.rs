//! Wiring: settings → store, runtime, cgroup probe → `Engine`, built lazily so that a
//! command only pays for what it uses.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pod_core::{ContainerId, Engine};

use crate::config::Settings;
use crate::error::CliError;

/// What every command runs with.
pub struct Ctx {
    /// Resolved settings.
    pub settings: Settings,
    parts: OnceCell<Parts>,
}

struct Parts {
    engine: Engine,
    runtime: Arc<pod_oci::OciRuntimeCli>,
}

impl Ctx {
    /// A context over resolved settings; nothing is opened yet.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            parts: OnceCell::new(),
        }
    }

    fn parts(&self) -> Result<&Parts, CliError> {
        if let Some(p) = self.parts.get() {
            return Ok(p);
        }
        let p = build(&self.settings)?;
        Ok(self.parts.get_or_init(|| p))
    }

    /// The engine (opens the store, sets the runtime and cgroup probe up on first use).
    pub fn engine(&self) -> Result<&Engine, CliError> {
        Ok(&self.parts()?.engine)
    }

    /// The log file of a container.
    pub fn log_path(&self, id: &ContainerId) -> Result<PathBuf, CliError> {
        Ok(self.parts()?.runtime.log_path(id))
    }

    /// Removes the directories (bundle, log, exit file) of containers the store no longer
    /// has, as podman removes a container's files with it; run after removals. The
    /// directories are listed before the store is read, and a container's directory is
    /// only made after the container is stored, so a container being created is never
    /// touched. Failures are logged: the removal itself succeeded.
    pub async fn remove_stale_container_dirs(&self) {
        let Ok(parts) = self.parts() else { return };
        let dir = self.settings.root.join("containers");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let on_disk: Vec<ContainerId> = entries
            .filter_map(|e| ContainerId::parse(&e.ok()?.file_name().to_string_lossy()).ok())
            .collect();
        if on_disk.is_empty() {
            return;
        }
        let known: std::collections::HashSet<ContainerId> = match parts
            .engine
            .store()
            .list_containers()
            .await
        {
            Ok(v) => v.into_iter().map(|c| c.config.id).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot list containers to remove stale directories");
                return;
            }
        };
        for id in on_disk.into_iter().filter(|i| !known.contains(i)) {
            if let Err(e) = parts.runtime.remove_container_dir(&id) {
                tracing::warn!(container = %id, error = %e, "cannot remove the directory of a removed container");
            }
        }
    }

    /// Default stop timeout for new containers (config `stop_timeout`).
    pub fn default_stop_timeout(&self) -> Option<u64> {
        self.settings.stop_timeout
    }
}

/// The argv the monitor runs when a container exits (it appends the container id). The
/// directories are passed resolved and `--config /dev/null` keeps the cleanup independent
/// of config files edited later.
pub fn exit_command(exe: &str, s: &Settings) -> Vec<String> {
    vec![
        exe.to_owned(),
        "--config".into(),
        "/dev/null".into(),
        "--root".into(),
        s.root.display().to_string(),
        "--runroot".into(),
        s.runroot.display().to_string(),
        "--runtime".into(),
        s.runtime_binary().display().to_string(),
        "container".into(),
        "cleanup".into(),
    ]
}

fn build(s: &Settings) -> Result<Parts, CliError> {
    // One command per process on a current-thread runtime: SQLite on this thread.
    let store = pod_state::SqliteStore::open_inline(&s.root).map_err(|e| {
        CliError::new(format!(
            "opening state in {}: {e}{}",
            s.root.display(),
            space_hint(&s.root)
        ))
    })?;
    let exe = std::env::current_exe()
        .map_err(|e| CliError::new(format!("finding the podctl executable: {e}")))?
        .display()
        .to_string();
    let mut cfg = pod_oci::RuntimeConfig::new(s.runtime_binary(), s.runtime_root(), s.root.clone());
    cfg.monitor = vec![exe.clone(), "__monitor".into()];
    cfg.exit_command = exit_command(&exe, s);
    cfg.rootless = s.rootless;
    cfg.catatonit = s.catatonit_binary();
    let runtime = Arc::new(pod_oci::OciRuntimeCli::new(cfg).map_err(|e| {
        let hint = [space_hint(&s.runroot), space_hint(&s.root)].concat();
        CliError::new(format!("{e}{hint}"))
    })?);
    let cgroups = pod_cgroups::HostCgroups::detect().map_err(|e| CliError::new(e.to_string()))?;
    let mut engine = Engine::new(Arc::new(store), runtime.clone(), Arc::new(cgroups));
    if let Some(n) = s.parallelism {
        engine = engine.with_parallelism(n);
    }
    Ok(Parts { engine, runtime })
}

/// When the file system holding `dir` (or its nearest existing parent) is full, a note
/// saying so: SQLite reports a full disk at open time as a mere "disk I/O error".
pub fn space_hint(dir: &Path) -> String {
    let Some(existing) = dir.ancestors().find(|d| d.exists()) else {
        return String::new();
    };
    match nix::sys::statvfs::statvfs(existing) {
        Ok(st) if st.blocks_available() == 0 => format!(
            " (no space left on device: the file system of {} is full)",
            existing.display()
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FileConfig, GlobalFlags};

    #[test]
    fn space_hint_is_empty_when_there_is_room() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(space_hint(d.path()), "");
        assert_eq!(space_hint(&d.path().join("not/yet/made")), "");
    }

    #[test]
    fn exit_command_carries_resolved_dirs() {
        let flags = GlobalFlags {
            root: Some("/r".into()),
            runroot: Some("/rr".into()),
            runtime: Some("/opt/runc".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, FileConfig::default()).unwrap();
        assert_eq!(
            exit_command("/bin/podctl", &s),
            vec![
                "/bin/podctl",
                "--config",
                "/dev/null",
                "--root",
                "/r",
                "--runroot",
                "/rr",
                "--runtime",
                "/opt/runc",
                "container",
                "cleanup"
            ]
        );
        // /dev/null is a valid, empty config
        assert_eq!(
            crate::config::load(Some(std::path::Path::new("/dev/null"))).unwrap(),
            FileConfig::default()
        );
    }
}
