//! The container monitor (podman's conmon role), one small process per container.
//!
//! `podctl __monitor --id ID --dir DIR [--exit-command-arg ARG]... -- RUNTIME-CREATE-ARGV...`
//!
//! 1. stdout is the sync pipe to the caller: it is moved to a close-on-exec fd, and the
//!    monitor's stdin/stdout become `/dev/null`, its stderr `DIR/monitor.log`; every
//!    other inherited fd is closed (so `podctl ... | cat` never hangs on the monitor).
//! 2. It forks; the parent exits once the child has called `setsid`, so the monitor is
//!    detached from the caller and survives it. The child becomes child subreaper and
//!    writes its pid to `DIR/monitor.pid`.
//! 3. It runs the runtime's `create` (or `run --detach`, which also starts the
//!    container) with stdin `/dev/null` and stdout/stderr on pipes
//!    (the runtime passes them through to the container), waits for it, reads the pid
//!    file and reports `ok PID` or `err MESSAGE` through the sync pipe.
//! 4. It copies the container's output to `DIR/ctr.log` (k8s-file format) until the
//!    container's init (reparented to the monitor when `runtime create` exits) is
//!    reaped, then writes `DIR/exit` atomically (exit code, 128+N for signal N, finish
//!    time, OOM flag) and execs the exit command with the container id appended.
//!
//! No async runtime here: plain std, nix and libc, to keep the resident size small.
//! Once the container runs, the monitor drops the pages only start-up needed from its
//! resident set (see `trim_resident_memory`). A binary exposing the monitor should
//! dispatch to [`monitor_main`] first thing in `main` (before any runtime, logging or
//! argument parser is set up), as `src/bin/podctl-monitor.rs` does.

use std::ffi::{CString, OsString};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{ForkResult, Pid};

use crate::client::runtime_error_message;
use crate::files;
use crate::logs::{self, Stream};

/// The monitor's parsed arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorArgs {
    /// Container id.
    pub id: String,
    /// The container directory.
    pub dir: PathBuf,
    /// The exit command (the container id is appended); empty = none.
    pub exit_command: Vec<String>,
    /// The runtime's `create` (or `run --detach`) argv, binary first.
    pub runtime: Vec<String>,
}

impl MonitorArgs {
    /// Parses `--id ID --dir DIR [--exit-command-arg ARG]... -- ARGV...`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut id = None;
        let mut dir = None;
        let mut exit_command = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("monitor: {name} needs a value"))
            };
            match a.as_str() {
                "--id" => id = Some(val("--id")?),
                "--dir" => dir = Some(PathBuf::from(val("--dir")?)),
                "--exit-command-arg" => exit_command.push(val("--exit-command-arg")?),
                "--" => break,
                other => return Err(format!("monitor: unknown argument {other:?}")),
            }
        }
        let runtime: Vec<String> = it.cloned().collect();
        let id = id.ok_or("monitor: --id is required")?;
        let dir = dir.ok_or("monitor: --dir is required")?;
        if runtime.is_empty() {
            return Err("monitor: the runtime argv after -- is required".into());
        }
        Ok(Self {
            id,
            dir,
            exit_command,
            runtime,
        })
    }

    /// The argv tail a caller passes to the monitor (after the monitor prefix).
    pub fn to_args(&self) -> Vec<OsString> {
        let mut v: Vec<OsString> = vec![
            "--id".into(),
            self.id.clone().into(),
            "--dir".into(),
            self.dir.clone().into_os_string(),
        ];
        for a in &self.exit_command {
            v.push("--exit-command-arg".into());
            v.push(a.into());
        }
        v.push("--".into());
        v.extend(self.runtime.iter().map(OsString::from));
        v
    }
}

/// Runs the monitor; `args` are the arguments after the subcommand name. Returns the
/// process exit code (the caller's `main` exits with it). Call it from a process that
/// has started no threads (it forks), first thing in `main`.
pub fn monitor_main(args: &[String]) -> i32 {
    let args = match MonitorArgs::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    // A caller gone before the report must not kill the monitor with SIGPIPE (whatever
    // disposition the embedding binary set).
    // SAFETY: setting a disposition to "ignore" before any thread exists.
    let _ =
        unsafe { nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigIgn) };
    let sync = match setup_stdio(&args.dir) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("monitor {}: cannot set up stdio: {e}", args.id);
            return 1;
        }
    };
    let mut sync = File::from(sync);

    // Detach: the parent exits once the child has its own session.
    let (ready_r, ready_w) = match nix::unistd::pipe2(OFlag::O_CLOEXEC) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(sync, "err monitor: pipe: {e}");
            return 1;
        }
    };
    // SAFETY: the monitor is single-threaded here; the child only continues normally.
    match unsafe { nix::unistd::fork() } {
        Err(e) => {
            let _ = writeln!(sync, "err monitor: fork: {e}");
            return 1;
        }
        Ok(ForkResult::Parent { .. }) => {
            drop(ready_w);
            let mut b = [0u8; 1];
            let _ = File::from(ready_r).read(&mut b);
            return 0;
        }
        Ok(ForkResult::Child) => {
            drop(ready_r);
            let _ = nix::unistd::setsid();
            drop(ready_w);
        }
    }
    match run(&args, sync) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("monitor {}: {e}", args.id);
            1
        }
    }
}

/// Moves the sync pipe (stdout) to a close-on-exec fd, closes inherited fds, points
/// stdin/stdout to /dev/null and stderr to `dir/monitor.log`.
fn setup_stdio(dir: &Path) -> std::io::Result<OwnedFd> {
    close_fds_from(3);
    let sync = fcntl(1, FcntlArg::F_DUPFD_CLOEXEC(3))?;
    // SAFETY: `sync` is a fresh fd nobody else owns.
    let sync = unsafe { OwnedFd::from_raw_fd(sync) };
    let null = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    let log = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(dir.join(files::MONITOR_LOG))?;
    nix::unistd::dup2(null.as_raw_fd(), 0)?;
    nix::unistd::dup2(null.as_raw_fd(), 1)?;
    nix::unistd::dup2(log.as_raw_fd(), 2)?;
    Ok(sync)
}

/// Closes every fd >= `from`.
fn close_fds_from(from: RawFd) {
    // SAFETY: close_range only closes descriptors; nothing in this process uses fds >= 3
    // at this point (the monitor has opened nothing yet).
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            from as libc::c_uint,
            libc::c_uint::MAX,
            0,
        )
    };
    if r == 0 {
        return;
    }
    let fds: Vec<RawFd> = match std::fs::read_dir("/proc/self/fd") {
        Ok(rd) => rd
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|fd| *fd >= from)
            .collect(),
        Err(_) => return,
    };
    for fd in fds {
        let _ = nix::unistd::close(fd);
    }
}

/// A container output pipe.
struct Pipe {
    fd: Option<OwnedFd>,
    stream: Stream,
}

/// What the event loop saw.
struct Loop {
    sigfd: SignalFd,
    pipes: [Pipe; 2],
    /// Reaped children: (pid, status).
    reaped: Vec<(Pid, WaitStatus)>,
    /// Output kept while `create` runs.
    pending: Vec<(Stream, Vec<u8>)>,
    log: Option<File>,
}

impl Loop {
    /// Waits up to `timeout` (forever when `None`) for output or a child; handles them.
    /// Returns whether any output was read.
    fn step(&mut self, timeout: Option<Duration>) -> std::io::Result<bool> {
        let mut pfds: Vec<libc::pollfd> = Vec::with_capacity(3);
        pfds.push(libc::pollfd {
            fd: self.sigfd.as_fd().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        });
        for p in &self.pipes {
            if let Some(fd) = &p.fd {
                pfds.push(libc::pollfd {
                    fd: fd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
        }
        let ms = timeout.map_or(-1, |d| d.as_millis().min(i32::MAX as u128) as i32);
        // SAFETY: `pfds` is a valid array of pollfd for its length.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(e);
        }
        let mut got = false;
        for pfd in &pfds[1..] {
            if pfd.revents != 0 {
                got |= self.read_pipe(pfd.fd)?;
            }
        }
        if pfds[0].revents != 0 || n == 0 {
            while let Ok(Some(_)) = self.sigfd.read_signal() {}
            self.reap();
        }
        Ok(got)
    }

    fn reap(&mut self) {
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(st) => {
                    if let Some(pid) = st.pid() {
                        if matches!(st, WaitStatus::Exited(..) | WaitStatus::Signaled(..)) {
                            self.reaped.push((pid, st));
                        }
                    }
                }
            }
        }
    }

    fn take_reaped(&mut self, pid: Pid) -> Option<WaitStatus> {
        let i = self.reaped.iter().position(|(p, _)| *p == pid)?;
        Some(self.reaped.swap_remove(i).1)
    }

    /// Reads what is available on the pipe with fd `raw`; EOF closes it.
    fn read_pipe(&mut self, raw: RawFd) -> std::io::Result<bool> {
        let Some(idx) = self
            .pipes
            .iter()
            .position(|p| p.fd.as_ref().map(|f| f.as_raw_fd()) == Some(raw))
        else {
            return Ok(false);
        };
        let mut buf = [0u8; 8192];
        let mut got = false;
        loop {
            let r = nix::unistd::read(raw, &mut buf);
            match r {
                Ok(0) => {
                    self.pipes[idx].fd = None;
                    break;
                }
                Ok(n) => {
                    got = true;
                    let stream = self.pipes[idx].stream;
                    self.output(stream, &buf[..n])?;
                    if n < buf.len() {
                        break;
                    }
                }
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR) => continue,
                Err(e) => {
                    self.pipes[idx].fd = None;
                    return Err(e.into());
                }
            }
        }
        Ok(got)
    }

    fn output(&mut self, stream: Stream, data: &[u8]) -> std::io::Result<()> {
        let Some(log) = self.log.as_mut() else {
            match self.pending.last_mut() {
                Some((s, buf)) if *s == stream => buf.extend_from_slice(data),
                _ => self.pending.push((stream, data.to_vec())),
            }
            return Ok(());
        };
        write_chunk(log, stream, data)
    }

    fn all_pipes_closed(&self) -> bool {
        self.pipes.iter().all(|p| p.fd.is_none())
    }
}

/// Writes a chunk of output as log entries: full lines `F`, a trailing rest `P`.
fn write_chunk(log: &mut File, stream: Stream, data: &[u8]) -> std::io::Result<()> {
    let now = Utc::now();
    let mut out = Vec::with_capacity(data.len() + 64);
    let mut rest = data;
    while !rest.is_empty() {
        match rest.iter().position(|b| *b == b'\n') {
            Some(i) => {
                logs::write_entry(&mut out, &now, stream, false, &rest[..i])?;
                rest = &rest[i + 1..];
            }
            None => {
                logs::write_entry(&mut out, &now, stream, true, rest)?;
                rest = &[];
            }
        }
    }
    log.write_all(&out)
}

fn exit_code(st: WaitStatus) -> i32 {
    match st {
        WaitStatus::Exited(_, code) => code,
        WaitStatus::Signaled(_, sig, _) => 128 + sig as i32,
        _ => 255,
    }
}

/// The OOM-kill counter file of a process's memory cgroup (v1 `memory.oom_control`,
/// v2 `memory.events`).
fn oom_counter_file(pid: i32) -> Option<PathBuf> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let mut v2 = None;
    for line in text.lines() {
        let mut f = line.splitn(3, ':');
        let (_, ctrls, path) = (f.next()?, f.next()?, f.next()?);
        if ctrls.split(',').any(|c| c == "memory") {
            return Some(PathBuf::from(format!(
                "/sys/fs/cgroup/memory{path}/memory.oom_control"
            )));
        }
        if ctrls.is_empty() {
            v2 = Some(PathBuf::from(format!("/sys/fs/cgroup{path}/memory.events")));
        }
    }
    v2.filter(|p| p.exists())
}

fn oom_kills(file: Option<&Path>) -> u64 {
    let Some(text) = file.and_then(|f| std::fs::read_to_string(f).ok()) else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
        .unwrap_or(0)
}

/// Drops the pages that only start-up needed (dynamic relocation tables, code of the
/// caller's binary that ran before the monitor, fault-around neighbours) from this
/// process's resident set; what the copy loop uses faults back in. Only private
/// file mappings that are not writable and hold no anonymous (copied-on-write) pages
/// are touched, so no content can change: their pages are the file's.
fn trim_resident_memory() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let mut candidate: Option<(usize, usize)> = None;
    let mut ranges = Vec::new();
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if let Some((a, b)) = first.split_once('-') {
            if let (Ok(start), Ok(end)) =
                (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            {
                let mut f = line.split_whitespace();
                let perms = f.nth(1).unwrap_or("");
                let path = f.nth(3).unwrap_or("");
                candidate = (perms.len() == 4
                    && !perms.contains('w')
                    && perms.ends_with('p')
                    && path.starts_with('/'))
                .then_some((start, end));
                continue;
            }
        }
        if let Some(kb) = line.strip_prefix("Anonymous:") {
            if let Some(range) = candidate.take() {
                if kb.trim() == "0 kB" {
                    ranges.push(range);
                }
            }
        }
    }
    for (start, end) in ranges {
        // SAFETY: a private, read-only file mapping without copied-on-write pages: dropping
        // its pages only makes the next access read them from the file again.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

fn report(sync: &mut Option<File>, msg: &str) {
    if let Some(mut s) = sync.take() {
        let _ = s.write_all(msg.as_bytes());
    }
}

/// The detached monitor's work; returns the exit code.
fn run(args: &MonitorArgs, sync: File) -> std::io::Result<i32> {
    let mut sync = Some(sync);
    let fail = |sync: &mut Option<File>, msg: String| {
        eprintln!("monitor {}: {msg}", args.id);
        // Before reporting: once the caller has the error, the monitor counts as gone.
        let _ = std::fs::remove_file(args.dir.join(files::MONITOR_PID));
        report(sync, &format!("err {msg}\n"));
        Ok(1)
    };
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let pid_path = args.dir.join(files::MONITOR_PID);
    let me = std::process::id();
    if let Err(e) = files::write_atomic(&pid_path, format!("{me}\n").as_bytes(), 0o600) {
        return fail(&mut sync, format!("write {}: {e}", pid_path.display()));
    }

    let mut mask = SigSet::empty();
    mask.add(Signal::SIGCHLD);
    if let Err(e) = mask.thread_block() {
        return fail(&mut sync, format!("block SIGCHLD: {e}"));
    }
    let sigfd = match SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC) {
        Ok(s) => s,
        Err(e) => return fail(&mut sync, format!("signalfd: {e}")),
    };
    let pipe = || nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK);
    let ((out_r, out_w), (err_r, err_w)) = match (pipe(), pipe()) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return fail(&mut sync, format!("pipe: {e}")),
    };
    // The write ends must block for the container; only our read ends are non-blocking.
    for w in [&out_w, &err_w] {
        let _ = fcntl(w.as_raw_fd(), FcntlArg::F_SETFL(OFlag::empty()));
    }
    let ctr_pid_file = args.dir.join(files::PID_FILE);
    let _ = std::fs::remove_file(&ctr_pid_file);

    let mut cmd = Command::new(&args.runtime[0]);
    cmd.args(&args.runtime[1..])
        .current_dir(&args.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_w))
        .stderr(Stdio::from(err_w));
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return fail(&mut sync, format!("cannot run {}: {e}", args.runtime[0])),
    };
    drop(cmd); // closes our copies of the write ends
    let runtime_pid = Pid::from_raw(child.id() as i32);
    drop(child); // reaped below with waitpid

    let mut lp = Loop {
        sigfd,
        pipes: [
            Pipe {
                fd: Some(out_r),
                stream: Stream::Stdout,
            },
            Pipe {
                fd: Some(err_r),
                stream: Stream::Stderr,
            },
        ],
        reaped: Vec::new(),
        pending: Vec::new(),
        log: None,
    };

    // Wait for `runtime create`.
    let create_status = loop {
        if let Some(st) = lp.take_reaped(runtime_pid) {
            break st;
        }
        lp.step(Some(Duration::from_millis(500)))?;
    };
    // Whatever it printed is readable now (the container has not started yet).
    for raw in lp
        .pipes
        .iter()
        .filter_map(|p| p.fd.as_ref().map(AsRawFd::as_raw_fd))
        .collect::<Vec<_>>()
    {
        lp.read_pipe(raw)?;
    }
    if !matches!(create_status, WaitStatus::Exited(_, 0)) {
        let text = |s: Stream| -> String {
            lp.pending
                .iter()
                .filter(|(st, _)| *st == s)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .collect()
        };
        let mut msg = runtime_error_message(&text(Stream::Stderr));
        if msg.is_empty() {
            msg = runtime_error_message(&text(Stream::Stdout));
        }
        if msg.is_empty() {
            msg = format!(
                "{} create exited with code {}",
                args.runtime[0],
                exit_code(create_status)
            );
        }
        return fail(&mut sync, msg);
    }
    let ctr_pid: i32 = match std::fs::read_to_string(&ctr_pid_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        Some(p) if p > 0 => p,
        _ => {
            return fail(
                &mut sync,
                format!("no container pid in {}", ctr_pid_file.display()),
            )
        }
    };
    let oom_file = oom_counter_file(ctr_pid);
    let oom_before = oom_kills(oom_file.as_deref());

    let log_path = args.dir.join(files::LOG_FILE);
    let mut log = match OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_CLOEXEC)
        .open(&log_path)
    {
        Ok(f) => f,
        Err(e) => return fail(&mut sync, format!("open {}: {e}", log_path.display())),
    };
    report(&mut sync, &format!("ok {ctr_pid}\n"));
    trim_resident_memory();
    for (stream, data) in std::mem::take(&mut lp.pending) {
        write_chunk(&mut log, stream, &data)?;
    }
    lp.log = Some(log);

    // Copy output until the container's init is reaped.
    let ctr = Pid::from_raw(ctr_pid);
    let status = loop {
        if let Some(st) = lp.take_reaped(ctr) {
            break st;
        }
        lp.reaped.clear();
        if let Err(e) = lp.step(Some(Duration::from_secs(5))) {
            eprintln!("monitor {}: {e}", args.id);
        }
    };
    let finished = Utc::now();
    // Drain what is left: until both pipes close, or 100 ms pass quietly, or 2 s in all.
    let drain_start = Instant::now();
    while !lp.all_pipes_closed() && drain_start.elapsed() < Duration::from_secs(2) {
        match lp.step(Some(Duration::from_millis(100))) {
            Ok(true) => {}
            _ => break,
        }
    }
    let oom = oom_kills(oom_file.as_deref()) > oom_before;
    let code = exit_code(status);
    let exit_path = args.dir.join(files::EXIT_FILE);
    files::write_atomic(
        &exit_path,
        files::exit_json(code, &finished, oom).as_bytes(),
        0o600,
    )?;
    drop(lp);

    if args.exit_command.is_empty() {
        return Ok(0);
    }
    // Exec the exit command in a clean state: no blocked signals, not a subreaper.
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
    // SAFETY: restoring the default disposition (Rust's runtime ignores SIGPIPE).
    let _ =
        unsafe { nix::sys::signal::signal(Signal::SIGPIPE, nix::sys::signal::SigHandler::SigDfl) };
    let _ = nix::sys::prctl::set_child_subreaper(false);
    let mut argv: Vec<CString> = Vec::with_capacity(args.exit_command.len() + 1);
    for a in args.exit_command.iter().chain(std::iter::once(&args.id)) {
        match CString::new(OsString::from(a).into_vec()) {
            Ok(c) => argv.push(c),
            Err(_) => {
                eprintln!("monitor {}: exit command argument has a NUL byte", args.id);
                return Ok(1);
            }
        }
    }
    let e = nix::unistd::execvp(&argv[0], &argv);
    eprintln!(
        "monitor {}: cannot run exit command {}: {e:?}",
        args.id, args.exit_command[0]
    );
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_round_trip() {
        let a = MonitorArgs {
            id: "abc".into(),
            dir: "/run/x/abc".into(),
            exit_command: vec!["podctl".into(), "container".into(), "cleanup".into()],
            runtime: vec![
                "/usr/bin/runc".into(),
                "--root".into(),
                "/r".into(),
                "create".into(),
            ],
        };
        let s: Vec<String> = a
            .to_args()
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect();
        assert_eq!(MonitorArgs::parse(&s).unwrap(), a);
    }

    #[test]
    fn args_errors() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(MonitorArgs::parse(&s(&["--dir", "/d", "--", "runc"]))
            .unwrap_err()
            .contains("--id"));
        assert!(MonitorArgs::parse(&s(&["--id", "x", "--dir", "/d"]))
            .unwrap_err()
            .contains("runtime argv"));
        assert!(MonitorArgs::parse(&s(&["--bogus"]))
            .unwrap_err()
            .contains("unknown argument"));
        assert!(MonitorArgs::parse(&s(&["--id"]))
            .unwrap_err()
            .contains("needs a value"));
        assert_eq!(monitor_main(&s(&["--bogus"])), 2);
    }

    #[test]
    fn chunks_become_full_and_partial_entries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        let mut f = File::create(&p).unwrap();
        write_chunk(&mut f, Stream::Stdout, b"one\ntwo\nthr").unwrap();
        write_chunk(&mut f, Stream::Stderr, b"\n").unwrap();
        drop(f);
        let lines = logs::read_log(&p).unwrap();
        let v: Vec<_> = lines
            .iter()
            .map(|l| (l.stream, l.partial, l.text.as_str()))
            .collect();
        assert_eq!(
            v,
            [
                (Stream::Stdout, false, "one"),
                (Stream::Stdout, false, "two"),
                (Stream::Stdout, true, "thr"),
                (Stream::Stderr, false, ""),
            ]
        );
    }

    #[test]
    fn exit_codes() {
        let p = Pid::from_raw(1);
        assert_eq!(exit_code(WaitStatus::Exited(p, 7)), 7);
        assert_eq!(
            exit_code(WaitStatus::Signaled(p, Signal::SIGKILL, false)),
            137
        );
        assert_eq!(
            exit_code(WaitStatus::Signaled(p, Signal::SIGTERM, true)),
            143
        );
    }

    #[test]
    fn oom_counter_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("memory.oom_control");
        std::fs::write(&f, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n").unwrap();
        assert_eq!(oom_kills(Some(&f)), 2);
        assert_eq!(oom_kills(None), 0);
        assert_eq!(oom_kills(Some(&dir.path().join("nope"))), 0);
        // our own process has a memory cgroup on this host's layout (v1 or v2)
        let own = oom_counter_file(std::process::id() as i32);
        if let Some(p) = own {
            assert!(p.to_string_lossy().starts_with("/sys/fs/cgroup"));
        }
    }
}
