//! Name / id / id-prefix resolution shared by both stores.

use pod_core::{is_id_prefix, Error};

/// What a lookup is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Pod,
    Container,
}

impl Kind {
    /// `pod` or `container`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Pod => "pod",
            Kind::Container => "container",
        }
    }

    /// The "no such pod/container" error for `input`.
    pub(crate) fn not_found(self, input: &str) -> Error {
        match self {
            Kind::Pod => Error::NoSuchPod(input.to_owned()),
            Kind::Container => Error::NoSuchContainer(input.to_owned()),
        }
    }

    /// The "name already in use" error for `name`.
    pub(crate) fn exists(self, name: &str) -> Error {
        match self {
            Kind::Pod => Error::PodExists(name.to_owned()),
            Kind::Container => Error::ContainerExists(name.to_owned()),
        }
    }
}

/// Resolves `input` as an exact name, then as a full id or a unique id prefix (only
/// when `input` is a valid lowercase hex prefix).
///
/// - `by_name` finds the object with exactly that name;
/// - `ids_with_prefix` lists the ids starting with a hex prefix (a full id matches
///   only itself);
/// - `by_id` loads the object with that id.
///
/// Nothing found is `NoSuchPod`/`NoSuchContainer(input)`; several ids matching the
/// prefix is `Ambiguous`.
pub(crate) fn resolve<T, E: From<Error>>(
    kind: Kind,
    input: &str,
    by_name: impl FnOnce(&str) -> Result<Option<T>, E>,
    ids_with_prefix: impl FnOnce(&str) -> Result<Vec<String>, E>,
    by_id: impl FnOnce(&str) -> Result<Option<T>, E>,
) -> Result<T, E> {
    if let Some(found) = by_name(input)? {
        return Ok(found);
    }
    if !is_id_prefix(input) {
        return Err(kind.not_found(input).into());
    }
    let ids = ids_with_prefix(input)?;
    match ids.as_slice() {
        [] => Err(kind.not_found(input).into()),
        [id] => by_id(id)?.ok_or_else(|| kind.not_found(input).into()),
        many => Err(Error::Ambiguous {
            kind: kind.as_str(),
            prefix: input.to_owned(),
            count: many.len(),
        }
        .into()),
    }
}

/// The exclusive upper bound of ids starting with the hex `prefix`: every such id is
/// `>= prefix` and `< prefix + "g"` ('g' sorts after every lowercase hex digit).
pub(crate) fn prefix_upper_bound(prefix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 1);
    s.push_str(prefix);
    s.push('g');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, names: &[(&str, &str)], ids: &[&str]) -> Result<String, Error> {
        resolve(
            Kind::Pod,
            input,
            |n| {
                Ok::<_, Error>(
                    names
                        .iter()
                        .find(|(name, _)| *name == n)
                        .map(|(_, id)| id.to_string()),
                )
            },
            |p| {
                Ok(ids
                    .iter()
                    .filter(|i| i.starts_with(p))
                    .map(|i| i.to_string())
                    .collect())
            },
            |id| Ok(ids.iter().find(|i| **i == id).map(|i| i.to_string())),
        )
    }

    #[test]
    fn name_wins_over_prefix() {
        let r = run("abc", &[("abc", "ffff")], &["abc1", "ffff"]).unwrap();
        assert_eq!(r, "ffff");
    }

    #[test]
    fn unique_prefix_and_ambiguous_prefix() {
        assert_eq!(run("ab1", &[], &["ab12", "ab21"]).unwrap(), "ab12");
        match run("ab", &[], &["ab12", "ab21", "cd"]) {
            Err(Error::Ambiguous {
                kind,
                prefix,
                count,
            }) => {
                assert_eq!((kind, prefix.as_str(), count), ("pod", "ab", 2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_hex_input_is_not_a_prefix() {
        assert!(matches!(run("AB", &[], &["ab"]), Err(Error::NoSuchPod(s)) if s == "AB"));
        assert!(matches!(run("zz", &[], &["zz"]), Err(Error::NoSuchPod(_))));
    }

    #[test]
    fn upper_bound_covers_exactly_the_prefix() {
        let ub = prefix_upper_bound("ab");
        for id in ["ab", "ab0", "abf", "abffff"] {
            assert!(id >= "ab" && id < ub.as_str(), "{id}");
        }
        for id in ["aa", "ac", "b", "a"] {
            assert!(!(id >= "ab" && id < ub.as_str()), "{id}");
        }
    }
}
