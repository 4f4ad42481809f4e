//! Pod and container ids: 64 lowercase hex characters, as podman's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;

/// Length of a full id in hex characters.
pub const ID_LEN: usize = 64;
/// Length of the short id shown by `ps` without `--no-trunc`.
pub const SHORT_ID_LEN: usize = 12;

/// Returns true when `s` is a full 64-character lowercase hex id.
pub fn is_full_id(s: &str) -> bool {
    s.len() == ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Returns true when `s` could be a prefix of an id (non-empty lowercase hex, at most 64).
pub fn is_id_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    let mut s = String::with_capacity(ID_LEN);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(random_hex())
            }

            /// Parses a full 64-hex id.
            pub fn parse(s: &str) -> Result<Self, Error> {
                if is_full_id(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(Error::InvalidId(s.to_owned()))
                }
            }

            /// The full id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The first 12 characters, as `ps` shows them.
            pub fn short(&self) -> &str {
                &self.0[..SHORT_ID_LEN]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The id of a pod.
    PodId
);
id_type!(
    /// The id of a container.
    ContainerId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_full_and_distinct() {
        let a = PodId::random();
        let b = PodId::random();
        assert!(is_full_id(a.as_str()));
        assert_ne!(a, b);
        assert_eq!(a.short().len(), 12);
    }

    #[test]
    fn parse_rejects_bad_ids() {
        assert!(ContainerId::parse("abc").is_err());
        assert!(ContainerId::parse(&"A".repeat(64)).is_err());
        assert!(ContainerId::parse(&"../".repeat(22)).is_err());
        assert!(ContainerId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn prefix_rules() {
        assert!(is_id_prefix("abc123"));
        assert!(!is_id_prefix(""));
        assert!(!is_id_prefix("xyz"));
        assert!(!is_id_prefix(&"a".repeat(65)));
    }
}
