//! Container logs in podman's k8s-file format.
//!
//! One entry per line: `<RFC 3339 time with nanoseconds> <stdout|stderr> <F|P> <text>`.
//! `F` ends a line of the container's output; `P` is a partial line (the container
//! wrote it without a newline yet) continued by the next entries of the same stream.

use std::fmt;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::OciError;

/// Which output stream of the container an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// `stdout` or `stderr`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When the monitor read it.
    pub time: DateTime<Utc>,
    /// The stream.
    pub stream: Stream,
    /// A partial line (`P`), continued by the next entry of the stream.
    pub partial: bool,
    /// The text, without the newline.
    pub text: String,
}

impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.time.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.stream,
            if self.partial { 'P' } else { 'F' },
            self.text
        )
    }
}

/// Writes one entry (with its trailing newline) in a single `write_all`.
pub fn write_entry(
    w: &mut impl Write,
    time: &DateTime<Utc>,
    stream: Stream,
    partial: bool,
    text: &[u8],
) -> std::io::Result<()> {
    let ts = time.to_rfc3339_opts(SecondsFormat::Nanos, true);
    let mut buf = Vec::with_capacity(ts.len() + text.len() + 12);
    buf.extend_from_slice(ts.as_bytes());
    buf.push(b' ');
    buf.extend_from_slice(stream.as_str().as_bytes());
    buf.extend_from_slice(if partial { b" P " } else { b" F " });
    buf.extend_from_slice(text);
    buf.push(b'\n');
    w.write_all(&buf)
}

/// Parses one entry (without its newline).
pub fn parse_line(line: &str, lineno: usize) -> Result<LogLine, OciError> {
    let bad = |reason| OciError::LogLine {
        line: lineno,
        reason,
    };
    let mut parts = line.splitn(4, ' ');
    let time = parts.next().ok_or_else(|| bad("no time"))?;
    let time = DateTime::parse_from_rfc3339(time)
        .map_err(|_| bad("time is not RFC 3339"))?
        .with_timezone(&Utc);
    let stream = match parts.next() {
        Some("stdout") => Stream::Stdout,
        Some("stderr") => Stream::Stderr,
        _ => return Err(bad("stream is neither stdout nor stderr")),
    };
    let partial = match parts.next() {
        Some("F") => false,
        Some("P") => true,
        _ => return Err(bad("tag is neither F nor P")),
    };
    let text = parts.next().unwrap_or("").to_owned();
    Ok(LogLine {
        time,
        stream,
        partial,
        text,
    })
}

/// Reads a whole log file; a missing file is an empty log.
pub fn read_log(path: &Path) -> Result<Vec<LogLine>, OciError> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OciError::io("read log", path, e)),
    };
    let text = String::from_utf8_lossy(&data);
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| parse_line(l, i + 1))
        .collect()
}

/// Joins partial entries with the entry that completes them (per stream), so each
/// returned line is one line of the container's output. A trailing partial entry
/// (the container has not finished the line) is returned as it is, still `partial`.
pub fn join_partials(lines: Vec<LogLine>) -> Vec<LogLine> {
    let mut out: Vec<LogLine> = Vec::with_capacity(lines.len());
    let mut open: [Option<usize>; 2] = [None, None];
    for l in lines {
        let slot = match l.stream {
            Stream::Stdout => 0,
            Stream::Stderr => 1,
        };
        match open[slot] {
            Some(i) => {
                let o = &mut out[i];
                o.text.push_str(&l.text);
                o.partial = l.partial;
                if !l.partial {
                    open[slot] = None;
                }
            }
            None => {
                if l.partial {
                    open[slot] = Some(out.len());
                }
                out.push(l);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(n: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .unwrap()
            .checked_add_signed(chrono::Duration::nanoseconds(i64::from(n)))
            .unwrap()
    }

    #[test]
    fn entry_format_is_k8s_file() {
        let mut buf = Vec::new();
        write_entry(&mut buf, &t(123), Stream::Stdout, false, b"hello world").unwrap();
        write_entry(&mut buf, &t(0), Stream::Stderr, true, b"par").unwrap();
        write_entry(&mut buf, &t(5), Stream::Stdout, false, b"").unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "2026-01-02T03:04:05.000000123Z stdout F hello world\n\
             2026-01-02T03:04:05.000000000Z stderr P par\n\
             2026-01-02T03:04:05.000000005Z stdout F \n"
        );
    }

    #[test]
    fn parse_round_trips_and_keeps_spaces() {
        let l = LogLine {
            time: t(42),
            stream: Stream::Stderr,
            partial: false,
            text: "  two  spaces ".into(),
        };
        let s = l.to_string();
        assert_eq!(parse_line(&s, 1).unwrap(), l);
        // podman writes local times with an offset; they parse too.
        let p = parse_line("2026-01-02T04:04:05.5+01:00 stdout P x", 1).unwrap();
        assert_eq!(
            p.time,
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
                + chrono::Duration::milliseconds(500)
        );
        assert!(p.partial);
        assert_eq!(
            parse_line("2026-01-02T03:04:05Z stdout F", 1).unwrap().text,
            ""
        );
    }

    #[test]
    fn parse_rejects_garbage() {
        for (l, why) in [
            ("hello", "time is not RFC 3339"),
            (
                "2026-01-02T03:04:05Z stdin F x",
                "stream is neither stdout nor stderr",
            ),
            ("2026-01-02T03:04:05Z stdout X x", "tag is neither F nor P"),
        ] {
            match parse_line(l, 7) {
                Err(OciError::LogLine { line: 7, reason }) => assert_eq!(reason, why),
                other => panic!("{l}: {other:?}"),
            }
        }
    }

    #[test]
    fn read_log_file_and_join_partials() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ctr.log");
        assert!(read_log(&p).unwrap().is_empty());
        let mut f = std::fs::File::create(&p).unwrap();
        write_entry(&mut f, &t(1), Stream::Stdout, true, b"hel").unwrap();
        write_entry(&mut f, &t(2), Stream::Stderr, false, b"err").unwrap();
        write_entry(&mut f, &t(3), Stream::Stdout, true, b"lo ").unwrap();
        write_entry(&mut f, &t(4), Stream::Stdout, false, b"world").unwrap();
        write_entry(&mut f, &t(5), Stream::Stdout, true, b"tail").unwrap();
        drop(f);
        let lines = read_log(&p).unwrap();
        assert_eq!(lines.len(), 5);
        let joined = join_partials(lines);
        let texts: Vec<_> = joined
            .iter()
            .map(|l| (l.stream, l.partial, l.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (Stream::Stdout, false, "hello world"),
                (Stream::Stderr, false, "err"),
                (Stream::Stdout, true, "tail"),
            ]
        );
        assert_eq!(joined[0].time, t(1));
    }
}
