//! Running one CLI command and measuring it: wall-clock time and `wait4` rusage, or —
//! in the separate memory pass — the process's own peak RSS read at its exit.
//!
//! stdout and stderr go to files, not pipes: a CLI that spawns a long-lived monitor
//! (conmon, podctl's monitor) could hand the pipe on and reading it to EOF would hang.

use std::{
    fs::{self, File},
    io,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

use crate::util::{self, proc_status_kb};

/// What one run of a command gave.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Spawn to reap.
    pub wall: Duration,
    /// `ru_maxrss` from `wait4`: the largest of the process and the children it reaped.
    pub maxrss_kb: u64,
    /// `VmHWM` of the process itself, read when it is about to exit (memory pass only).
    pub self_hwm_kb: Option<u64>,
    /// Its stdout.
    pub stdout: String,
}

/// How to run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain spawn + `wait4`: the timing pass.
    Time,
    /// Under ptrace with `PTRACE_O_TRACEEXIT`, to read the process's own `VmHWM` just
    /// before its memory is released (children are not traced and not counted).
    Memory,
}

/// Runs commands with their output captured in files under a scratch directory.
#[derive(Debug)]
pub struct Runner {
    out: PathBuf,
    err: PathBuf,
}

impl Runner {
    /// Output files go in `dir`.
    pub fn new(dir: &Path) -> Runner {
        Runner {
            out: dir.join("cmd.stdout"),
            err: dir.join("cmd.stderr"),
        }
    }

    /// Runs `cmd` to completion; a non-zero exit is an error with the command and stderr.
    pub fn run(&self, cmd: &mut Command, mode: Mode) -> Result<Sample> {
        let out = File::create(&self.out)?;
        let err = File::create(&self.err)?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        if mode == Mode::Memory {
            // SAFETY: the closure runs in the forked child before exec and only makes
            // the async-signal-safe ptrace syscall.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let start = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot run `{}`", util::display(cmd)))?;
        let pid = i32::try_from(child.id()).context("pid out of range")?;
        let (status, rusage, self_hwm_kb) = match mode {
            Mode::Time => {
                let (status, rusage) = wait4(pid, 0)?;
                (status, rusage, None)
            }
            Mode::Memory => trace_to_exit(pid)?,
        };
        let wall = start.elapsed();
        let stdout = fs::read_to_string(&self.out).unwrap_or_default();
        let exited_ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
        if !exited_ok {
            let stderr = fs::read_to_string(&self.err).unwrap_or_default();
            bail!(
                "`{}` failed ({}): {}",
                util::display(cmd),
                describe(status),
                stderr.trim()
            );
        }
        Ok(Sample {
            wall,
            maxrss_kb: u64::try_from(rusage.ru_maxrss).unwrap_or(0),
            self_hwm_kb,
            stdout,
        })
    }
}

fn describe(status: i32) -> String {
    if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("wait status {status:#x}")
    }
}

/// `wait4` on one pid, retrying on EINTR.
fn wait4(pid: i32, flags: i32) -> Result<(i32, libc::rusage)> {
    loop {
        let mut status = 0;
        // SAFETY: rusage is plain old data; all-zero is a valid value.
        let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointers to locals; pid is our own child.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut rusage) };
        if r == pid {
            return Ok((status, rusage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err).with_context(|| format!("wait4({pid})"));
        }
    }
}

/// Follows a `PTRACE_TRACEME` child from its exec stop to its exit, reading `VmHWM`
/// at the exit event. Signals the child receives are passed on; the legacy SIGTRAP of
/// a later exec is swallowed.
fn trace_to_exit(pid: i32) -> Result<(i32, libc::rusage, Option<u64>)> {
    let mut hwm = None;
    let mut first = true;
    loop {
        let (status, rusage) = wait4(pid, 0)?;
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            return Ok((status, rusage, hwm));
        }
        if !libc::WIFSTOPPED(status) {
            continue;
        }
        let sig = libc::WSTOPSIG(status);
        let event = (status >> 16) & 0xff;
        let mut deliver = 0;
        if first && sig == libc::SIGTRAP {
            first = false;
            let opts = libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_EXITKILL;
            // SAFETY: pid is a tracee stopped in a ptrace-stop.
            unsafe { libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, opts) };
        } else if sig == libc::SIGTRAP && event == libc::PTRACE_EVENT_EXIT {
            hwm = u32::try_from(pid)
                .ok()
                .and_then(|p| proc_status_kb(p, "VmHWM"));
        } else if sig != libc::SIGTRAP {
            deliver = sig;
        }
        // SAFETY: pid is a tracee stopped in a ptrace-stop.
        unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, deliver) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    #[test]
    fn time_mode_captures_stdout_and_failure() {
        let dir = TempDir::new("xtask-test-measure").unwrap();
        let runner = Runner::new(dir.path());
        let ok = runner
            .run(Command::new("sh").args(["-c", "echo hi"]), Mode::Time)
            .unwrap();
        assert_eq!(ok.stdout, "hi\n");
        assert!(ok.maxrss_kb > 0);
        assert_eq!(ok.self_hwm_kb, None);
        let err = runner
            .run(
                Command::new("sh").args(["-c", "echo boom >&2; exit 3"]),
                Mode::Time,
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exit status 3") && err.contains("boom"),
            "{err}"
        );
    }

    #[test]
    fn memory_mode_reads_own_peak() {
        let dir = TempDir::new("xtask-test-measure").unwrap();
        let runner = Runner::new(dir.path());
        // ptrace may be forbidden in some sandboxes; the test then has nothing to say.
        match runner.run(Command::new("sh").args(["-c", "echo hi"]), Mode::Memory) {
            Ok(s) => {
                assert_eq!(s.stdout, "hi\n");
                assert!(s.self_hwm_kb.is_some_and(|kb| kb > 0), "{s:?}");
            }
            Err(err) if format!("{err:#}").contains("Operation not permitted") => {
                eprintln!("skipped: ptrace is not permitted here: {err:#}")
            }
            Err(err) => panic!("{err:#}"),
        }
    }
}
