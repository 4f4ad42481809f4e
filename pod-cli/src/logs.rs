//! Printing container logs (the monitor's `ctr.log`, podman's k8s-file format): stdout
//! entries to stdout, stderr entries to stderr, optionally followed.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use pod_core::{format_time, ContainerId};
use pod_oci::logs::{parse_line, LogLine, Stream};

use crate::cli::LogOptions;
use crate::context::Ctx;
use crate::error::{CliError, CmdResult};
use crate::filter::parse_time;

/// How often a followed log is polled.
const POLL: Duration = Duration::from_millis(100);

/// One container's log to print.
#[derive(Debug, Clone)]
pub struct LogSource {
    /// The container.
    pub id: ContainerId,
    /// Its log file.
    pub path: PathBuf,
    /// Printed before each line (short id or name) when several logs are interleaved.
    pub prefix: Option<String>,
}

/// A log file read incrementally: complete entries only, from a byte offset.
struct Reader {
    source: LogSource,
    offset: u64,
}

impl Reader {
    fn new(source: LogSource) -> Self {
        Self { source, offset: 0 }
    }

    /// Reads the complete entries written since the last call.
    fn read_new(&mut self) -> Result<Vec<LogLine>, CliError> {
        let mut f = match std::fs::File::open(&self.source.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(CliError::new(format!(
                    "reading log {}: {e}",
                    self.source.path.display()
                )))
            }
        };
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
            return Ok(Vec::new());
        };
        self.offset += (end + 1) as u64;
        let text = String::from_utf8_lossy(&buf[..end]);
        let mut out = Vec::new();
        for (i, l) in text.split('\n').enumerate() {
            if l.is_empty() {
                continue;
            }
            let line = parse_line(l, i + 1).map_err(|e| {
                CliError::new(format!("reading log {}: {e}", self.source.path.display()))
            })?;
            out.push(line);
        }
        Ok(out)
    }
}

/// Keeps the last `n` complete lines (a partial entry belongs to the line it starts).
fn tail(lines: Vec<LogLine>, n: i64) -> Vec<LogLine> {
    let Ok(n) = usize::try_from(n) else {
        return lines;
    };
    // index of the first entry of each logical line
    let mut starts = Vec::new();
    let mut open = [false, false];
    for (i, l) in lines.iter().enumerate() {
        let s = usize::from(l.stream == Stream::Stderr);
        if !open[s] {
            starts.push(i);
        }
        open[s] = l.partial;
    }
    if starts.len() <= n {
        return lines;
    }
    if n == 0 {
        return Vec::new();
    }
    let from = starts[starts.len() - n];
    let mut lines = lines;
    lines.split_off(from)
}

struct Printer {
    timestamps: bool,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    /// Whether the previous entry of each stream was partial (no prefix on continuation).
    open: Vec<[bool; 2]>,
}

impl Printer {
    fn print(&mut self, src: usize, prefix: Option<&str>, l: &LogLine) -> std::io::Result<()> {
        if self.since.is_some_and(|s| l.time < s) || self.until.is_some_and(|u| l.time > u) {
            return Ok(());
        }
        let si = usize::from(l.stream == Stream::Stderr);
        let mut buf = String::new();
        if !self.open[src][si] {
            if let Some(p) = prefix {
                buf.push_str(p);
                buf.push(' ');
            }
            if self.timestamps {
                buf.push_str(&format_time(&l.time));
                buf.push(' ');
            }
        }
        buf.push_str(&l.text);
        if !l.partial {
            buf.push('\n');
        }
        self.open[src][si] = l.partial;
        match l.stream {
            Stream::Stdout => {
                let mut o = std::io::stdout().lock();
                o.write_all(buf.as_bytes())?;
                o.flush()
            }
            Stream::Stderr => std::io::stderr().lock().write_all(buf.as_bytes()),
        }
    }
}

fn printer(opts: &LogOptions, n: usize) -> Result<Printer, CliError> {
    let now = Utc::now();
    Ok(Printer {
        timestamps: opts.timestamps,
        since: opts
            .since
            .as_deref()
            .map(|s| parse_time(s, now))
            .transpose()?,
        until: opts
            .until
            .as_deref()
            .map(|s| parse_time(s, now))
            .transpose()?,
        open: vec![[false, false]; n],
    })
}

/// Prints the logs of several containers, merged by time; with `--follow`, keeps printing
/// until every container has stopped.
pub async fn print_logs(ctx: &Ctx, sources: Vec<LogSource>, opts: &LogOptions) -> CmdResult {
    let mut p = printer(opts, sources.len())?;
    let mut readers: Vec<Reader> = sources.into_iter().map(Reader::new).collect();
    let mut first: Vec<(usize, LogLine)> = Vec::new();
    for (i, r) in readers.iter_mut().enumerate() {
        first.extend(tail(r.read_new()?, opts.tail).into_iter().map(|l| (i, l)));
    }
    // stable: entries of one container keep their order
    first.sort_by_key(|(_, l)| l.time);
    for (i, l) in &first {
        p.print(*i, readers[*i].source.prefix.as_deref(), l)?;
    }
    if !opts.follow {
        return Ok(0);
    }
    let engine = ctx.engine()?;
    loop {
        // check liveness before reading, so nothing written before the exit is missed
        let mut all_done = true;
        for r in &readers {
            let alive = match engine.store().container(&r.source.id).await {
                Ok(c) => c.status.state.is_active(),
                Err(_) => false,
            };
            if alive {
                all_done = false;
            }
        }
        for (i, r) in readers.iter_mut().enumerate() {
            for l in r.read_new()? {
                p.print(i, r.source.prefix.as_deref(), &l)?;
            }
        }
        if all_done {
            return Ok(0);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Streams one container's log while waiting for it to exit (`run` without `-d`);
/// returns its exit code.
pub async fn attach(ctx: &Ctx, source: LogSource) -> CmdResult {
    let engine = ctx.engine()?.clone();
    let id = source.id.to_string();
    let waiter = tokio::spawn(async move { engine.container_wait(&id).await });
    let mut p = printer(&LogOptions::default(), 1)?;
    let mut r = Reader::new(source);
    loop {
        let done = waiter.is_finished();
        for l in r.read_new()? {
            p.print(0, None, &l)?;
        }
        if done {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let code = waiter
        .await
        .map_err(|e| CliError::new(format!("waiting for the container: {e}")))??;
    // the monitor may flush the last lines just after recording the exit
    for l in r.read_new()? {
        p.print(0, None, &l)?;
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(stream: Stream, partial: bool, text: &str) -> LogLine {
        LogLine {
            time: Utc::now(),
            stream,
            partial,
            text: text.into(),
        }
    }

    #[test]
    fn tail_counts_logical_lines() {
        let lines = vec![
            line(Stream::Stdout, false, "a"),
            line(Stream::Stdout, true, "b1"),
            line(Stream::Stdout, false, "b2"),
            line(Stream::Stderr, false, "c"),
        ];
        let t = tail(lines.clone(), 2);
        assert_eq!(
            t.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            vec!["b1", "b2", "c"]
        );
        assert_eq!(tail(lines.clone(), -1).len(), 4);
        assert_eq!(tail(lines.clone(), 10).len(), 4);
        assert!(tail(lines, 0).is_empty());
    }

    #[test]
    fn reader_reads_incrementally() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("ctr.log");
        let mut r = Reader::new(LogSource {
            id: ContainerId::parse(&"a".repeat(64)).unwrap(),
            path: path.clone(),
            prefix: None,
        });
        assert!(r.read_new().unwrap().is_empty());
        let mut f = std::fs::File::create(&path).unwrap();
        write!(
            f,
            "2024-01-01T00:00:00.000000001Z stdout F hello\n2024-01-01T00:00:01Z stderr P par"
        )
        .unwrap();
        let got = r.read_new().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, "hello");
        writeln!(f, "tial").unwrap();
        let got = r.read_new().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, "partial");
        assert!(got[0].partial);
        assert!(r.read_new().unwrap().is_empty());
    }
}
