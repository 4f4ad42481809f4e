//! Medians, ratios and the Markdown table the benchmark prints (and BENCHMARKS.md
//! quotes).

/// The median of the samples (mean of the middle two for an even count); `None` when
/// there are none. NaNs sort last and are never picked unless nothing else exists.
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

/// `ours / theirs`, when both exist and `theirs` is positive.
pub fn ratio(ours: Option<f64>, theirs: Option<f64>) -> Option<f64> {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
        _ => None,
    }
}

/// Milliseconds: one decimal below 100 ms, none above; `–` when missing.
pub fn fmt_ms(ms: Option<f64>) -> String {
    match ms {
        Some(v) if v < 100.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.0}"),
        None => "–".into(),
    }
}

/// A ratio as `0.31×`; `–` when missing.
pub fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        Some(v) => format!("{v:.2}×"),
        None => "–".into(),
    }
}

/// KiB as MB with one decimal (`12.3 MB`); `–` when missing.
pub fn fmt_kb(kb: Option<u64>) -> String {
    match kb {
        Some(v) => format!("{:.1} MB", v as f64 / 1024.0),
        None => "–".into(),
    }
}

/// A table rendered as aligned GitHub Markdown: first column left, the others right.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells render empty, extra cells are dropped.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// Keeps only the columns whose header satisfies `keep`.
    pub fn retain_columns(&mut self, keep: impl Fn(&str) -> bool) {
        let kept: Vec<bool> = self.headers.iter().map(|h| keep(h)).collect();
        let filter = |cells: &mut Vec<String>| {
            let mut i = 0;
            cells.retain(|_| {
                i += 1;
                kept[i - 1]
            });
        };
        filter(&mut self.headers);
        for row in &mut self.rows {
            filter(row);
        }
    }

    /// The Markdown text, one line per row, ending in a newline.
    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| width(&r[c]))
                    .chain([width(&self.headers[c]), 3])
                    .max()
                    .unwrap_or(3)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let pad = " ".repeat(widths[c] - width(cell));
                    if c == 0 {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect();
            format!("| {} |\n", padded.join(" | "))
        };
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                if c == 0 {
                    format!(":{}", "-".repeat(w - 1))
                } else {
                    format!("{}:", "-".repeat(w - 1))
                }
            })
            .collect();
        let mut out = line(&self.headers);
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even_empty() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4.0]), Some(4.0));
        assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[1.0, 100.0, 2.0, 3.0, 1000.0]), Some(3.0));
    }

    #[test]
    fn median_ignores_nan_when_it_can() {
        assert_eq!(median(&[f64::NAN, 1.0, 2.0]), Some(2.0));
    }

    #[test]
    fn ratios() {
        assert_eq!(ratio(Some(1.0), Some(4.0)), Some(0.25));
        assert_eq!(ratio(Some(1.0), None), None);
        assert_eq!(ratio(None, Some(1.0)), None);
        assert_eq!(ratio(Some(1.0), Some(0.0)), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_ms(Some(3.04)), "3.0");
        assert_eq!(fmt_ms(Some(250.4)), "250");
        assert_eq!(fmt_ms(None), "–");
        assert_eq!(fmt_ratio(Some(0.3125)), "0.31×");
        assert_eq!(fmt_ratio(None), "–");
        assert_eq!(fmt_kb(Some(5120)), "5.0 MB");
        assert_eq!(fmt_kb(None), "–");
    }

    #[test]
    fn table_renders_aligned_markdown() {
        let mut t = Table::new(["op", "podctl ms", "ratio"]);
        t.row(["pod start", "12.5", "0.25×"]);
        t.row(["ps", "3.0"]);
        let expected = "\
| op        | podctl ms | ratio |
| :-------- | --------: | ----: |
| pod start |      12.5 | 0.25× |
| ps        |       3.0 |       |
";
        assert_eq!(t.render(), expected);
    }

    #[test]
    fn columns_can_be_dropped() {
        let mut t = Table::new(["op", "podctl ms", "podman ms", "podctl/podman"]);
        t.row(["start", "1.0", "2.0", "0.50×"]);
        t.retain_columns(|h| !h.contains("podman"));
        assert_eq!(
            t.render(),
            "| op    | podctl ms |\n| :---- | --------: |\n| start |       1.0 |\n"
        );
    }

    #[test]
    fn narrow_columns_keep_a_valid_rule() {
        let mut t = Table::new(["a", "b"]);
        t.row(["x", "y"]);
        assert_eq!(t.render(), "| a   |   b |\n| :-- | --: |\n| x   |   y |\n");
    }
}
