//! The domain model: ids, names, signals, states, configs, inspect output.

mod config;
mod ids;
mod inspect;
mod name;
mod signal;
mod state;

pub use config::*;
pub use ids::*;
pub use inspect::*;
pub use name::*;
pub use signal::*;
pub use state::*;

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a time as RFC 3339, UTC, with nanoseconds (`2026-12-04T19:55:13.123456789Z`).
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}
