//! Output helpers: podman-style aligned tables, "5 seconds ago", human sizes, and the
//! `--format` dispatch (`json`, `table`, Go-like template).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::template::{default_header, Template, TemplateError};

/// Minimum column width of podman's tabwriter.
const MIN_WIDTH: usize = 12;
/// Padding after each cell.
const PADDING: usize = 2;

/// Aligns tab-separated cells like Go's `tabwriter.NewWriter(w, 12, 2, 2, ' ', 0)`: every
/// tab-terminated cell is padded to its column's width (longest cell + 2, at least 12);
/// the last cell of a line is printed as is. Trailing spaces are trimmed.
pub fn align(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<usize> = Vec::new();
    for cells in &lines {
        // every cell except the last one is tab-terminated
        for (i, c) in cells.iter().enumerate().take(cells.len().saturating_sub(1)) {
            let w = (c.chars().count() + PADDING).max(MIN_WIDTH);
            if widths.len() <= i {
                widths.push(w);
            } else if widths[i] < w {
                widths[i] = w;
            }
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    for (li, cells) in lines.iter().enumerate() {
        if li > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, c) in cells.iter().enumerate() {
            line.push_str(c);
            if i < last {
                let pad = widths[i].saturating_sub(c.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end_matches(' '));
    }
    out
}

/// go-units' `HumanDuration` of a number of seconds.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    if s < 1 {
        return "Less than a second".into();
    }
    if s == 1 {
        return "1 second".into();
    }
    if s < 60 {
        return format!("{s} seconds");
    }
    let minutes = s / 60;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // hours rounded to nearest, as go-units does (d.Hours() + 0.5)
    let hours = (s + 1800) / 3600;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", s / 3600 / 24 / 365)
}

/// "5 seconds ago" for a past time, relative to `now`.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    format!("{} ago", human_duration(secs))
}

/// go-units' `HumanSizeWithPrecision(size, 4)`: decimal units `B kB MB GB …`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < UNITS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", fmt_g4(size), UNITS[i])
}

/// `%.4g` of Go for values in `[0, 1000)`.
fn fmt_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits_before = if v >= 1.0 {
        (v.log10().floor() as i32) + 1
    } else {
        0
    };
    let decimals = (4 - digits_before).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// How `--format` asked for output.
#[derive(Debug)]
pub enum OutputFormat {
    /// The command's default table (also `--format table`).
    Table,
    /// A JSON array (`--format json`).
    Json,
    /// A Go-like template, one rendering per row.
    Template(Template),
}

impl OutputFormat {
    /// Parses `--format` (absent = `default`).
    pub fn parse(format: Option<&str>, default: OutputFormat) -> Result<Self, TemplateError> {
        match format.map(str::trim) {
            None | Some("") => Ok(default),
            Some("json") => Ok(Self::Json),
            Some("table") => Ok(Self::Table),
            Some(f) => {
                let t = Template::parse(f)?;
                if t.is_table() && t.is_empty() {
                    Ok(Self::Table)
                } else {
                    Ok(Self::Template(t))
                }
            }
        }
    }
}

/// Renders rows with a template: a header line first when the template is a `table` one
/// and `noheading` is false, a newline after each row unless the template ends with one,
/// and tab alignment.
pub fn render_template(
    t: &Template,
    rows: &[Value],
    header: &dyn Fn(&str) -> String,
    noheading: bool,
) -> Result<String, TemplateError> {
    let mut out = String::new();
    if t.is_table() && !noheading {
        out.push_str(&t.render_header(header));
        out.push('\n');
    }
    for r in rows {
        let s = t.render(r)?;
        out.push_str(&s);
        if !s.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(align(&out))
}

/// Looks a field's header up in `(field, header)` pairs, else the default header.
pub fn header_from(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> String {
    move |field: &str| {
        pairs
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, h)| (*h).to_owned())
            .unwrap_or_else(|| default_header(field))
    }
}

/// Pretty JSON as podman prints it (two-space indent).
pub fn json_pretty(v: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(v)?)
}

/// Truncates a command line as podman's ps does: at most 20 characters with `...`.
pub fn truncate_command(s: &str, no_trunc: bool) -> String {
    if no_trunc || s.chars().count() <= 20 {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(17).collect();
        t.push_str("...");
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn align_like_podman() {
        let t = "POD ID\tNAME\tCREATED\tN\n12c6cc896d31\tp1\tLess than a second ago\t0";
        let want = "POD ID        NAME        CREATED                 N\n\
                    12c6cc896d31  p1          Less than a second ago  0";
        assert_eq!(align(t), want);
        assert_eq!(align("a\tb\n"), "a           b\n");
        assert_eq!(align("no tabs"), "no tabs");
    }

    #[test]
    fn durations() {
        for (s, want) in [
            (0, "Less than a second"),
            (-5, "Less than a second"),
            (1, "1 second"),
            (5, "5 seconds"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (119, "About a minute"),
            (120, "2 minutes"),
            (3599, "59 minutes"),
            (3600, "About an hour"),
            (5399, "About an hour"),
            (5400, "2 hours"),
            (47 * 3600, "47 hours"),
            (48 * 3600, "2 days"),
            (14 * 86400, "2 weeks"),
            (60 * 86400, "2 months"),
            (800 * 86400, "2 years"),
        ] {
            assert_eq!(human_duration(s), want, "{s}");
        }
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 5).unwrap();
        assert_eq!(ago(t0, t1), "5 seconds ago");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(1_126_400), "1.126MB");
        assert_eq!(human_size(8_200_000_000), "8.2GB");
        assert_eq!(human_size(12_345_678), "12.35MB");
    }

    #[test]
    fn format_parsing() {
        assert!(matches!(
            OutputFormat::parse(None, OutputFormat::Table).unwrap(),
            OutputFormat::Table
        ));
        assert!(matches!(
            OutputFormat::parse(Some("json"), OutputFormat::Table).unwrap(),
            OutputFormat::Json
        ));
        assert!(matches!(
            OutputFormat::parse(Some("table"), OutputFormat::Json).unwrap(),
            OutputFormat::Table
        ));
        assert!(matches!(
            OutputFormat::parse(Some("{{.ID}}"), OutputFormat::Table).unwrap(),
            OutputFormat::Template(_)
        ));
        assert!(OutputFormat::parse(Some("{{.ID"), OutputFormat::Table).is_err());
    }

    #[test]
    fn template_rows_with_header() {
        let t = Template::parse("table {{.ID}}\\t{{.Name}}").unwrap();
        let rows = vec![
            serde_json::json!({"ID": "a1", "Name": "x"}),
            serde_json::json!({"ID": "b2", "Name": "y"}),
        ];
        let h = header_from(&[("ID", "POD ID")]);
        let out = render_template(&t, &rows, &h, false).unwrap();
        assert_eq!(out, "POD ID      NAME\na1          x\nb2          y\n");
        let out = render_template(&t, &rows, &h, true).unwrap();
        assert_eq!(out, "a1          x\nb2          y\n");
    }

    #[test]
    fn command_truncation() {
        assert_eq!(truncate_command("sleep 100", false), "sleep 100");
        assert_eq!(
            truncate_command("sh -c echo out; echo err", false),
            "sh -c echo out; e..."
        );
        assert_eq!(
            truncate_command("sh -c echo out; echo err", true),
            "sh -c echo out; echo err"
        );
    }
}
