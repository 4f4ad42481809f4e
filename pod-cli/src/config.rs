//! `podctl.toml` loading and the resolved settings (global flags beat config files, later
//! files beat earlier ones, built-in defaults last).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The keys of a `podctl.toml`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// State directory (`--root`).
    pub root: Option<PathBuf>,
    /// Runtime state directory (`--runroot`).
    pub runroot: Option<PathBuf>,
    /// OCI runtime name or path (`--runtime`).
    pub runtime: Option<String>,
    /// Log level (`--log-level`).
    pub log_level: Option<String>,
    /// Default container stop timeout, seconds.
    pub stop_timeout: Option<u64>,
    /// Path of the static catatonit binary for infra containers.
    pub catatonit: Option<PathBuf>,
    /// How many containers are started or stopped at once.
    pub parallelism: Option<usize>,
}

impl FileConfig {
    /// Overlays `other` on `self` (keys set in `other` win).
    pub fn merge(&mut self, other: FileConfig) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            root,
            runroot,
            runtime,
            log_level,
            stop_timeout,
            catatonit,
            parallelism
        );
    }
}

/// A config file that could not be read or parsed; the message names file, line, column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    let col = String::from_utf8_lossy(&text.as_bytes()[line_start..offset])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Parses one config file's text; errors name the file, line and column.
pub fn parse_config(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    let cfg: FileConfig = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_owned();
        match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                ConfigError(format!(
                    "{}: line {line}, column {col}: {msg}",
                    path.display()
                ))
            }
            None => ConfigError(format!("{}: {msg}", path.display())),
        }
    })?;
    if let Some(l) = &cfg.log_level {
        if parse_level(l).is_none() {
            let (line, col) = find_key(text, "log_level");
            return Err(ConfigError(format!(
                "{}: line {line}, column {col}: invalid log_level {l:?}: must be one of trace, debug, info, warn, error, fatal, panic",
                path.display()
            )));
        }
    }
    if cfg.parallelism == Some(0) {
        let (line, col) = find_key(text, "parallelism");
        return Err(ConfigError(format!(
            "{}: line {line}, column {col}: parallelism must be at least 1",
            path.display()
        )));
    }
    // A path with a NUL byte cannot reach the kernel; say so here, naming the key,
    // rather than fail later with the value cut at the NUL.
    use std::os::unix::ffi::OsStrExt;
    let paths = [
        ("root", cfg.root.as_ref().map(|p| p.as_os_str().as_bytes())),
        (
            "runroot",
            cfg.runroot.as_ref().map(|p| p.as_os_str().as_bytes()),
        ),
        ("runtime", cfg.runtime.as_ref().map(|r| r.as_bytes())),
        (
            "catatonit",
            cfg.catatonit.as_ref().map(|p| p.as_os_str().as_bytes()),
        ),
    ];
    for (key, value) in paths {
        if value.is_some_and(|v| v.contains(&0)) {
            let (line, col) = find_key(text, key);
            return Err(ConfigError(format!(
                "{}: line {line}, column {col}: {key} must not contain a NUL byte",
                path.display()
            )));
        }
    }
    Ok(cfg)
}

/// Where a top-level key is written (for semantic errors found after parsing).
fn find_key(text: &str, key: &str) -> (usize, usize) {
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return (i + 1, l.len() - t.len() + 1);
            }
        }
    }
    (1, 1)
}

/// Reads and parses a config file; `Ok(None)` when it does not exist and `must_exist` is
/// false.
pub fn load_file(path: &Path, must_exist: bool) -> Result<Option<FileConfig>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_config(path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(None),
        Err(e) => Err(ConfigError(format!(
            "reading config file {}: {e}",
            path.display()
        ))),
    }
}

/// The default config files, in load order: `/etc/podctl/podctl.toml`, then
/// `$XDG_CONFIG_HOME/podctl/podctl.toml` (or `~/.config/podctl/podctl.toml`).
pub fn default_files() -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from("/etc/podctl/podctl.toml")];
    if let Some(dir) = xdg_dir("XDG_CONFIG_HOME", ".config") {
        v.push(dir.join("podctl/podctl.toml"));
    }
    v
}

/// `$VAR`, else `$HOME/<fallback>`.
fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(fallback)),
    }
}

/// Loads the config: `explicit` (`--config`) alone when given, else the default files.
pub fn load(explicit: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let mut cfg = FileConfig::default();
    match explicit {
        Some(p) => {
            if let Some(c) = load_file(p, true)? {
                cfg.merge(c);
            }
        }
        None => {
            for p in default_files() {
                if let Some(c) = load_file(&p, false)? {
                    cfg.merge(c);
                }
            }
        }
    }
    Ok(cfg)
}

/// A log level name (podman's names) as a tracing filter directive.
pub fn parse_level(s: &str) -> Option<&'static str> {
    Some(match s.to_ascii_lowercase().as_str() {
        "trace" => "trace",
        "debug" => "debug",
        "info" => "info",
        "warn" | "warning" => "warn",
        "error" | "fatal" | "panic" => "error",
        _ => return None,
    })
}

/// Global flags as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct GlobalFlags {
    /// `--root`.
    pub root: Option<PathBuf>,
    /// `--runroot`.
    pub runroot: Option<PathBuf>,
    /// `--runtime`.
    pub runtime: Option<String>,
    /// `--log-level`.
    pub log_level: Option<String>,
    /// `--config`.
    pub config: Option<PathBuf>,
}

/// Everything a command needs to know about where and how to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// State directory.
    pub root: PathBuf,
    /// Runtime state directory (the OCI runtime's root is `<runroot>/runtime`).
    pub runroot: PathBuf,
    /// Runtime name or path, as configured.
    pub runtime: String,
    /// Log level directive.
    pub log_level: String,
    /// Default container stop timeout.
    pub stop_timeout: Option<u64>,
    /// catatonit path, when configured.
    pub catatonit: Option<PathBuf>,
    /// Engine parallelism, when configured.
    pub parallelism: Option<usize>,
    /// Running rootless?
    pub rootless: bool,
}

/// Built-in default directories for root or a rootless user.
pub fn default_dirs(rootless: bool, uid: u32) -> (PathBuf, PathBuf) {
    if !rootless {
        return (
            PathBuf::from("/var/lib/podctl"),
            PathBuf::from("/run/podctl"),
        );
    }
    let root = xdg_dir("XDG_DATA_HOME", ".local/share")
        .map(|d| d.join("podctl"))
        .unwrap_or_else(|| PathBuf::from(format!("/tmp/podctl-{uid}/root")));
    let runroot = match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(v) if !v.is_empty() => PathBuf::from(v).join("podctl"),
        _ => PathBuf::from(format!("/tmp/podctl-{uid}")),
    };
    (root, runroot)
}

impl Settings {
    /// Resolves flags over config over defaults.
    pub fn resolve(flags: &GlobalFlags, cfg: FileConfig) -> Result<Self, ConfigError> {
        let uid = nix::unistd::geteuid().as_raw();
        let rootless = uid != 0;
        let (droot, drunroot) = default_dirs(rootless, uid);
        let level_name = flags
            .log_level
            .clone()
            .or(cfg.log_level)
            .unwrap_or_else(|| "error".into());
        let log_level = parse_level(&level_name)
            .ok_or_else(|| {
                ConfigError(format!(
                    "invalid log level {level_name:?}: must be one of trace, debug, info, warn, error, fatal, panic"
                ))
            })?
            .to_owned();
        Ok(Self {
            root: flags.root.clone().or(cfg.root).unwrap_or(droot),
            runroot: flags.runroot.clone().or(cfg.runroot).unwrap_or(drunroot),
            runtime: flags
                .runtime
                .clone()
                .or(cfg.runtime)
                .unwrap_or_else(|| "runc".into()),
            log_level,
            stop_timeout: cfg.stop_timeout,
            catatonit: cfg.catatonit,
            parallelism: cfg.parallelism,
            rootless,
        })
    }

    /// The OCI runtime's `--root`.
    pub fn runtime_root(&self) -> PathBuf {
        self.runroot.join("runtime")
    }

    /// The runtime binary: a path as is, a bare name looked up in `$PATH` (the name itself
    /// when not found, so that commands not running containers still work).
    pub fn runtime_binary(&self) -> PathBuf {
        resolve_in_path(&self.runtime).unwrap_or_else(|| PathBuf::from(&self.runtime))
    }

    /// The catatonit binary: configured, else found in `$PATH` or podman's libexec dirs.
    pub fn catatonit_binary(&self) -> PathBuf {
        if let Some(c) = &self.catatonit {
            return c.clone();
        }
        resolve_in_path("catatonit")
            .or_else(|| {
                ["/usr/libexec/podman/catatonit", "/usr/lib/podman/catatonit"]
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.is_file())
            })
            .unwrap_or_else(|| PathBuf::from("/usr/bin/catatonit"))
    }
}

/// Looks a program up: a name containing `/` is taken as is; otherwise each `$PATH` entry.
pub fn resolve_in_path(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Some(PathBuf::from(name));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PathBuf {
        PathBuf::from("/etc/podctl/podctl.toml")
    }

    #[test]
    fn parses_all_keys() {
        let text = r#"
root = "/srv/podctl"
runroot = "/run/x"
runtime = "crun"
log_level = "debug"
stop_timeout = 3
catatonit = "/opt/catatonit"
parallelism = 4
"#;
        let c = parse_config(&p(), text).unwrap();
        assert_eq!(c.root, Some(PathBuf::from("/srv/podctl")));
        assert_eq!(c.runtime.as_deref(), Some("crun"));
        assert_eq!(c.stop_timeout, Some(3));
        assert_eq!(c.parallelism, Some(4));
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let text = "root = \"/x\"\n\n  bogus = 1\n";
        let e = parse_config(&p(), text).unwrap_err().to_string();
        assert!(
            e.starts_with("/etc/podctl/podctl.toml: line 3, column 3: unknown field `bogus`"),
            "{e}"
        );
    }

    #[test]
    fn bad_value_type_names_line() {
        let text = "runtime = \"runc\"\nstop_timeout = \"ten\"\n";
        let e = parse_config(&p(), text).unwrap_err().to_string();
        assert!(e.contains("line 2, column 16"), "{e}");
        assert!(e.contains("invalid type"), "{e}");
    }

    #[test]
    fn syntax_error_names_line() {
        let text = "root = \"/x\"\nruntime = \n";
        let e = parse_config(&p(), text).unwrap_err().to_string();
        assert!(e.starts_with("/etc/podctl/podctl.toml: line 2,"), "{e}");
    }

    #[test]
    fn semantic_errors_name_line() {
        let e = parse_config(&p(), "\nlog_level = \"loud\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 1: invalid log_level"), "{e}");
        let e = parse_config(&p(), "parallelism = 0\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1, column 1: parallelism"), "{e}");
    }

    #[test]
    fn nul_bytes_in_paths_are_refused() {
        for key in ["root", "runroot", "runtime", "catatonit"] {
            let text = format!("log_level = \"info\"\n{key} = \"/a\\u0000b\"\n");
            let e = parse_config(&p(), &text).unwrap_err().to_string();
            assert!(
                e.ends_with(&format!(
                    "line 2, column 1: {key} must not contain a NUL byte"
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("abc\ndef", 5), (2, 2));
        assert_eq!(line_col("é\nx", 3), (2, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
    }

    #[test]
    fn merge_later_wins() {
        let mut a = FileConfig {
            root: Some("/a".into()),
            runtime: Some("runc".into()),
            ..Default::default()
        };
        a.merge(FileConfig {
            runtime: Some("crun".into()),
            ..Default::default()
        });
        assert_eq!(a.root, Some(PathBuf::from("/a")));
        assert_eq!(a.runtime.as_deref(), Some("crun"));
    }

    #[test]
    fn load_explicit_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "stop_timeout = 2\n").unwrap();
        assert_eq!(load(Some(&f)).unwrap().stop_timeout, Some(2));
        let missing = dir.path().join("nope.toml");
        assert!(load(Some(&missing))
            .unwrap_err()
            .to_string()
            .contains("nope.toml"));
        assert!(load_file(&missing, false).unwrap().is_none());
    }

    #[test]
    fn flags_beat_config() {
        let flags = GlobalFlags {
            root: Some("/flag".into()),
            ..Default::default()
        };
        let cfg = FileConfig {
            root: Some("/cfg".into()),
            runroot: Some("/cfgrun".into()),
            log_level: Some("info".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&flags, cfg).unwrap();
        assert_eq!(s.root, PathBuf::from("/flag"));
        assert_eq!(s.runroot, PathBuf::from("/cfgrun"));
        assert_eq!(s.runtime_root(), PathBuf::from("/cfgrun/runtime"));
        assert_eq!(s.log_level, "info");
        assert_eq!(s.runtime, "runc");
        let bad = GlobalFlags {
            log_level: Some("nope".into()),
            ..Default::default()
        };
        assert!(Settings::resolve(&bad, FileConfig::default()).is_err());
    }

    #[test]
    fn path_resolution() {
        assert_eq!(resolve_in_path("/x/y"), Some(PathBuf::from("/x/y")));
        assert!(resolve_in_path("sh").is_some());
        assert!(resolve_in_path("definitely-not-a-program-xyz").is_none());
    }
}
