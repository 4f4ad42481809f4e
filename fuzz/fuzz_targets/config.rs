//! podctl.toml parsing on arbitrary text: never panics; an error names the file and, when
//! it has one, a line and column inside the text; an accepted config passes the semantic
//! checks.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pod_cli::config::{line_col, parse_config, parse_level, FileConfig};

const PATH: &str = "/etc/podctl/podctl.toml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_config(Path::new(PATH), text) {
        Ok(cfg) => {
            assert_ne!(cfg.parallelism, Some(0));
            if let Some(l) = &cfg.log_level {
                assert!(parse_level(l).is_some(), "accepted log level {l:?}");
            }
            // merging into the defaults keeps every key
            let mut merged = FileConfig::default();
            merged.merge(cfg.clone());
            assert_eq!(merged, cfg);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(PATH), "error does not name the file: {msg}");
            if let Some(rest) = msg[PATH.len()..].strip_prefix(": line ") {
                let lines = text.split('\n').count();
                let line: usize = rest
                    .split(',')
                    .next()
                    .and_then(|l| l.parse().ok())
                    .unwrap_or_else(|| panic!("unparsable line in {msg}"));
                assert!(line >= 1 && line <= lines, "line {line} of {lines}: {msg}");
            }
        }
    }
    // line_col on every kind of offset, in or out of range, on or off char boundaries
    for off in [0, text.len() / 2, text.len(), text.len() + 7] {
        let (line, col) = line_col(text, off);
        assert!(line >= 1 && col >= 1);
    }
});
