//! Signals by Linux number, parsed as podman parses them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Linux signal names (without `SIG`) and numbers.
const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

/// Lowest real-time signal number on Linux (glibc's SIGRTMIN).
const RTMIN: i32 = 34;
/// Highest real-time signal number on Linux.
const RTMAX: i32 = 64;

/// A signal number in `1..=64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(i32);

impl Signal {
    /// SIGKILL.
    pub const KILL: Signal = Signal(9);
    /// SIGTERM.
    pub const TERM: Signal = Signal(15);
    /// SIGINT.
    pub const INT: Signal = Signal(2);

    /// Parses `TERM`, `SIGTERM`, `term`, `15`, `RTMIN+3`; anything else is
    /// "invalid signal: S".
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = || Error::InvalidSignal(s.to_owned());
        let t = s.trim();
        if t.is_empty() {
            return Err(bad());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            let n: i32 = t.parse().map_err(|_| bad())?;
            return Self::from_number(n).ok_or_else(bad);
        }
        let upper = t.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        if let Some((_, n)) = SIGNALS.iter().find(|(k, _)| *k == name) {
            return Ok(Signal(*n));
        }
        let rt = |base: i32, rest: &str, sign: i32| -> Option<Signal> {
            if rest.is_empty() {
                return Some(Signal(base));
            }
            let off = rest.strip_prefix(if sign > 0 { '+' } else { '-' })?;
            if off.is_empty() || !off.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let off: i32 = off.parse().ok()?;
            // checked: `RTMIN+2147483647` is an invalid signal, not an overflow
            let n = base.checked_add(sign.checked_mul(off)?)?;
            Self::from_number(n).filter(|s| s.0 >= RTMIN)
        };
        if let Some(rest) = name.strip_prefix("RTMIN") {
            return rt(RTMIN, rest, 1).ok_or_else(bad);
        }
        if let Some(rest) = name.strip_prefix("RTMAX") {
            return rt(RTMAX, rest, -1).ok_or_else(bad);
        }
        Err(bad())
    }

    /// A signal from its number, when in `1..=64`.
    pub fn from_number(n: i32) -> Option<Self> {
        (1..=RTMAX).contains(&n).then_some(Signal(n))
    }

    /// The signal number.
    pub fn number(self) -> i32 {
        self.0
    }

    /// The canonical name with `SIG`, e.g. `SIGTERM`, or `SIGRTMIN+n`.
    pub fn name(self) -> String {
        if let Some((k, _)) = SIGNALS.iter().find(|(_, n)| *n == self.0) {
            return format!("SIG{k}");
        }
        if self.0 >= RTMIN {
            return format!("SIGRTMIN+{}", self.0 - RTMIN);
        }
        self.0.to_string()
    }
}

impl Default for Signal {
    fn default() -> Self {
        Signal::TERM
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Signal {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for Signal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.0)
    }
}

impl<'de> Deserialize<'de> for Signal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i32::deserialize(d)?;
        Signal::from_number(n)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid signal: {n}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_numbers_and_case() {
        for (s, n) in [
            ("TERM", 15),
            ("SIGTERM", 15),
            ("term", 15),
            ("sigterm", 15),
            ("SigKill", 9),
            ("9", 9),
            ("15", 15),
            ("HUP", 1),
            ("usr1", 10),
            ("RTMIN", 34),
            ("RTMIN+3", 37),
            ("SIGRTMAX-1", 63),
            ("64", 64),
        ] {
            assert_eq!(Signal::parse(s).unwrap().number(), n, "{s}");
        }
    }

    #[test]
    fn rejects_bad_signals() {
        for s in [
            "",
            "0",
            "65",
            "-1",
            "FOO",
            "SIG",
            "SIGFOO",
            "TERM ",
            "1.5",
            "RTMIN+40",
            "99999999999",
        ] {
            if s == "TERM " {
                // Surrounding whitespace is trimmed, as a shell user would expect.
                assert!(Signal::parse(s).is_ok());
                continue;
            }
            let err = Signal::parse(s).unwrap_err();
            assert_eq!(err.to_string(), format!("invalid signal: {s}"));
        }
    }

    #[test]
    fn huge_realtime_offsets_are_invalid_not_overflowing() {
        // found by the `signal` fuzz target: `rtmin+2147483646` overflowed i32 (a panic in
        // debug builds)
        for s in [
            "RTMIN+2147483614",
            "RTMIN+2147483647",
            "SIGRTMAX-2147483647",
            "RTMIN+2147483648",
            "rtmin+2147483646",
        ] {
            let err = Signal::parse(s).unwrap_err();
            assert_eq!(err.to_string(), format!("invalid signal: {s}"));
        }
    }

    #[test]
    fn names_round_trip() {
        for n in 1..=64 {
            let s = Signal::from_number(n).unwrap();
            assert_eq!(Signal::parse(&s.name()).unwrap(), s);
        }
    }
}
