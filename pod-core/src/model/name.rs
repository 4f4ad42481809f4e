//! Validated pod and container names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;

/// Longest accepted name, in bytes.
pub const MAX_NAME_LEN: usize = 253;

/// A pod or container name: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 253 characters.
///
/// A valid name never contains `/`, NUL or `..` as a whole path component, so it is safe
/// to use as a file name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    /// Validates `s` as a name.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bytes = s.as_bytes();
        let ok = !bytes.is_empty()
            && bytes.len() <= MAX_NAME_LEN
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::InvalidName(s.to_owned()))
        }
    }

    /// A random `adjective_noun` name, as podman generates when none is given.
    pub fn generate() -> Self {
        use rand::seq::SliceRandom;
        const ADJ: &[&str] = &[
            "admiring", "brave", "calm", "clever", "eager", "focused", "gentle", "happy", "jolly",
            "keen", "lucid", "nifty", "quirky", "serene", "sharp", "tender", "upbeat", "vibrant",
            "wizardly", "zealous",
        ];
        const NOUN: &[&str] = &[
            "babbage", "curie", "darwin", "euclid", "fermat", "gauss", "hopper", "kepler",
            "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak",
        ];
        let mut rng = rand::thread_rng();
        let a = ADJ.choose(&mut rng).copied().unwrap_or("brave");
        let n = NOUN.choose(&mut rng).copied().unwrap_or("turing");
        let suffix: u16 = rand::random();
        Self(format!("{a}_{n}_{suffix:04x}"))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Name {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for n in ["web", "a", "Web-1", "x.y_z", "0abc", &"a".repeat(253)] {
            assert!(Name::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn rejects_bad_names() {
        for n in [
            "",
            "-a",
            ".a",
            "_a",
            "a/b",
            "..",
            "../etc",
            "a\0b",
            "é",
            "a b",
            &"a".repeat(254),
        ] {
            assert!(Name::parse(n).is_err(), "{n:?}");
        }
    }

    #[test]
    fn generated_names_are_valid() {
        for _ in 0..50 {
            let n = Name::generate();
            assert!(Name::parse(n.as_str()).is_ok());
        }
    }
}
