//! Helpers shared by the tasks: running commands, cargo, scratch directories, the
//! busybox rootfs, host prerequisites and `/proc` scans.

use std::{
    env,
    ffi::OsStr,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::{bail, Context, Result};

/// Applets linked to busybox in every rootfs the tasks build.
pub const APPLETS: &[&str] = &[
    "sh", "sleep", "echo", "cat", "hostname", "ls", "true", "false", "id", "env", "readlink", "wc",
    "date",
];

/// The workspace root (the parent of xtask's manifest directory).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The cargo that runs us (`$CARGO`), or `cargo` from `PATH`.
pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Renders a command the way a user would type it (program name, shell-quoted args).
pub fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_os_string();
    std::iter::once(program.as_os_str())
        .chain(cmd.get_args())
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quotes one word for a POSIX shell when it needs quoting.
pub fn shell_quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs a command with inherited stdio; a non-zero exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run `{}`", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Runs a command and returns its stdout; a non-zero exit is an error carrying stderr.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run `{}`", display(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            display(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command for its side effect only, ignoring failure (cleanup paths).
pub fn run_quiet(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C kills the running child command (same process group) but not us: we note it, stop at
/// the next step and still clean up. A handler, not SIG_IGN, so children keep the
/// default disposition across exec.
pub fn install_sigint_flag() {
    let handler: extern "C" fn(libc::c_int) = on_sigint;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe { libc::signal(libc::SIGINT, handler as libc::sighandler_t) };
}

/// Fails with "interrupted" once Ctrl-C was pressed.
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        bail!("interrupted");
    }
    Ok(())
}

/// Cargo profile to build podctl with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `target/debug`.
    Debug,
    /// `target/release` (`--release`).
    Release,
}

/// Builds the `podctl` binary (`cargo build -p pod-cli`) and returns its path. The
/// target directory comes from `cargo metadata`, so `CARGO_TARGET_DIR` is honored.
pub fn build_podctl(profile: Profile) -> Result<PathBuf> {
    let mut build = cargo();
    build.args(["build", "-p", "pod-cli", "--bin", "podctl"]);
    if profile == Profile::Release {
        build.arg("--release");
    }
    eprintln!("==> {}", display(&build));
    run(&mut build)?;
    let dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    let bin = target_dir()?.join(dir).join("podctl");
    if !bin.is_file() {
        bail!("cargo built pod-cli but {} does not exist", bin.display());
    }
    Ok(bin)
}

/// The workspace's target directory as cargo sees it.
pub fn target_dir() -> Result<PathBuf> {
    let meta = output(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
    let meta: serde_json::Value =
        serde_json::from_str(&meta).context("cannot parse `cargo metadata` output")?;
    let dir = meta["target_directory"]
        .as_str()
        .context("`cargo metadata` has no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// A scratch directory removed (best effort) when dropped, unless kept.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    /// Creates `<tmp>/<prefix>-<pid>-<nanos>` (short: sockets and runc paths live under it).
    pub fn new(prefix: &str) -> Result<TempDir> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = env::temp_dir().join(format!("{prefix}-{}-{nanos:x}", std::process::id()));
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TempDir { path, keep: false })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the directory in place when dropped.
    pub fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            // Mount points left by a failed run make this fail; say so rather than hide it.
            if let Err(err) = fs::remove_dir_all(&self.path) {
                eprintln!("warning: cannot remove {}: {err}", self.path.display());
            }
        }
    }
}

/// Finds an executable: an absolute path as is, otherwise in `PATH`, then in the sbin
/// directories a non-login root shell may lack.
pub fn which(name: &str) -> Option<PathBuf> {
    let candidate = Path::new(name);
    if candidate.is_absolute() {
        return is_executable(candidate).then(|| candidate.to_path_buf());
    }
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What the container tasks need from the host (catatonit too, which podctl finds
/// itself for its infra containers).
#[derive(Debug)]
pub struct Host {
    /// Absolute path of runc.
    pub runc: PathBuf,
    /// A statically linked busybox.
    pub busybox: PathBuf,
}

/// Checks root, runc, catatonit and a static busybox; the error lists everything
/// missing and the apt-get line that installs it.
pub fn check_host() -> Result<Host> {
    let mut missing = Vec::new();
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 {
        missing.push(format!("root (running as uid {euid}; run with sudo)"));
    }
    let runc = which("runc");
    if runc.is_none() {
        missing.push("runc".into());
    }
    let catatonit = which("catatonit");
    if catatonit.is_none() {
        missing.push("catatonit".into());
    }
    let busybox = find_static_busybox();
    if let Err(err) = &busybox {
        missing.push(format!("{err:#}"));
    }
    match (runc, catatonit, busybox) {
        (Some(runc), Some(_catatonit), Ok(busybox)) if missing.is_empty() => {
            Ok(Host { runc, busybox })
        }
        _ => bail!(
            "this task runs real containers and needs:\n  - {}\ninstall with: \
             apt-get install -y runc catatonit busybox-static",
            missing.join("\n  - ")
        ),
    }
}

/// `/bin/busybox`, else `busybox` from `PATH`; it must be statically linked because it
/// runs inside a rootfs with no libraries.
fn find_static_busybox() -> Result<PathBuf> {
    let path = ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| is_executable(p))
        .or_else(|| which("busybox"))
        .context("busybox (static)")?;
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    match elf_is_static(&bytes) {
        Some(true) => Ok(path),
        Some(false) => bail!(
            "a static busybox ({} is dynamically linked)",
            path.display()
        ),
        None => bail!("a static busybox ({} is not an ELF file)", path.display()),
    }
}

/// Whether an ELF image has no program interpreter (`PT_INTERP`), i.e. runs without a
/// dynamic loader. `None` when the bytes are not a 64-bit little-endian ELF file.
pub fn elf_is_static(elf: &[u8]) -> Option<bool> {
    const PT_INTERP: u32 = 3;
    if elf.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_le_bytes(elf.get(at..at + 2)?.try_into().ok()?) as usize)
    };
    let phoff = usize::try_from(u64::from_le_bytes(elf.get(0x20..0x28)?.try_into().ok()?)).ok()?;
    let phentsize = u16_at(0x36)?;
    let phnum = u16_at(0x38)?;
    for i in 0..phnum {
        let at = phoff.checked_add(i.checked_mul(phentsize)?)?;
        let p_type = u32::from_le_bytes(elf.get(at..at + 4)?.try_into().ok()?);
        if p_type == PT_INTERP {
            return Some(false);
        }
    }
    Some(true)
}

/// Builds a busybox rootfs at `dir`: `bin/busybox`, its applets as symlinks, and the
/// empty mount points runc expects.
pub fn build_rootfs(busybox: &Path, dir: &Path) -> Result<()> {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).with_context(|| format!("cannot create {}", bin.display()))?;
    for sub in ["proc", "sys", "dev", "tmp", "etc", "run"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    fs::copy(busybox, bin.join("busybox"))
        .with_context(|| format!("cannot copy {} into {}", busybox.display(), bin.display()))?;
    for applet in APPLETS {
        std::os::unix::fs::symlink("busybox", bin.join(applet))
            .with_context(|| format!("cannot link applet {applet} in {}", bin.display()))?;
    }
    fs::write(dir.join("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n")?;
    fs::write(dir.join("etc/group"), "root:x:0:\n")?;
    Ok(())
}

/// A process found by a `/proc` scan.
#[derive(Debug, Clone)]
pub struct ProcInfo {
    /// Its pid.
    pub pid: u32,
    /// `/proc/<pid>/exe` (empty when unreadable, e.g. a zombie).
    pub exe: PathBuf,
    /// Its argv.
    pub cmdline: Vec<String>,
}

/// Every live process whose argv satisfies `pred` (zombies and vanished ones skipped).
pub fn find_processes(pred: impl Fn(&ProcInfo) -> bool) -> Vec<ProcInfo> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<ProcInfo> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            if raw.is_empty() {
                return None; // zombie or kernel thread
            }
            let cmdline = raw
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let exe = fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            Some(ProcInfo { pid, exe, cmdline })
        })
        .filter(|p| pred(p))
        .collect();
    found.sort_by_key(|p| p.pid);
    found
}

/// A `VmXxx:` field of `/proc/<pid>/status`, in KiB.
pub fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_kb(&status, field)
}

/// Extracts `field:   1234 kB` from the text of `/proc/<pid>/status`.
pub fn parse_status_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote(OsStr::new("pod")), "pod");
        assert_eq!(shell_quote(OsStr::new("--root=/tmp/x")), "--root=/tmp/x");
        assert_eq!(shell_quote(OsStr::new("")), "''");
        assert_eq!(shell_quote(OsStr::new("echo hi")), "'echo hi'");
        assert_eq!(shell_quote(OsStr::new("it's")), r"'it'\''s'");
    }

    #[test]
    fn display_uses_file_name() {
        let mut cmd = Command::new("/usr/bin/podctl");
        cmd.args(["create", "sh", "-c", "echo a b"]);
        assert_eq!(display(&cmd), "podctl create sh -c 'echo a b'");
    }

    fn elf(with_interp: bool) -> Vec<u8> {
        let mut image = vec![0u8; 0x40 + 2 * 56];
        image[..6].copy_from_slice(b"\x7fELF\x02\x01");
        image[0x20..0x28].copy_from_slice(&0x40u64.to_le_bytes());
        image[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        image[0x38..0x3a].copy_from_slice(&2u16.to_le_bytes());
        image[0x40..0x44].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        let second = if with_interp { 3u32 } else { 1 };
        image[0x40 + 56..0x40 + 60].copy_from_slice(&second.to_le_bytes());
        image
    }

    #[test]
    fn static_and_dynamic_elf() {
        assert_eq!(elf_is_static(&elf(false)), Some(true));
        assert_eq!(elf_is_static(&elf(true)), Some(false));
        assert_eq!(elf_is_static(b"#!/bin/sh\n"), None);
        let mut truncated = elf(true);
        truncated.truncate(0x50);
        assert_eq!(elf_is_static(&truncated), None);
    }

    #[test]
    fn status_fields() {
        let status =
            "Name:\tconmon\nVmPeak:\t  10000 kB\nVmHWM:\t    1844 kB\nVmRSS:\t    1700 kB\n";
        assert_eq!(parse_status_kb(status, "VmHWM"), Some(1844));
        assert_eq!(parse_status_kb(status, "VmRSS"), Some(1700));
        assert_eq!(parse_status_kb(status, "VmSwap"), None);
    }

    #[test]
    fn rootfs_layout() {
        let dir = TempDir::new("xtask-test-rootfs").unwrap();
        let fake = dir.path().join("busybox");
        fs::write(&fake, b"not really busybox").unwrap();
        let root = dir.path().join("rootfs");
        build_rootfs(&fake, &root).unwrap();
        assert_eq!(
            fs::read(root.join("bin/busybox")).unwrap(),
            b"not really busybox"
        );
        for applet in APPLETS {
            assert_eq!(
                fs::read_link(root.join("bin").join(applet)).unwrap(),
                Path::new("busybox")
            );
        }
        assert!(root.join("proc").is_dir());
    }
}
