//! Name, id and enum-value validation on arbitrary text: never panics, and what is
//! accepted is safe to use as a file name and prints back as given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pod_core::{
    is_full_id, is_id_prefix, ContainerId, ContainerState, ExitPolicy, InitType, Name, Namespace,
    PodId, MAX_NAME_LEN, SHORT_ID_LEN,
};

fuzz_target!(|data: &[u8]| {
    let owned;
    let s = match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(_) => {
            owned = String::from_utf8_lossy(data).into_owned();
            &owned
        }
    };

    if let Ok(n) = Name::parse(s) {
        let v = n.as_str();
        assert_eq!(v, s, "a name is kept as given");
        assert!(
            !v.is_empty() && v.len() <= MAX_NAME_LEN,
            "bad length: {v:?}"
        );
        assert!(
            !v.contains('/') && !v.contains('\0'),
            "path characters in {v:?}"
        );
        assert!(v != "." && v != "..", "dot name {v:?}");
        assert!(
            !v.starts_with('-') && !v.starts_with('.'),
            "flag-like name {v:?}"
        );
        assert_eq!(n.to_string(), v);
        // serde agrees with parse
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), n);
    }
    // serde rejects what parse rejects
    let quoted = serde_json::to_string(s).unwrap();
    assert_eq!(
        serde_json::from_str::<Name>(&quoted).is_ok(),
        Name::parse(s).is_ok()
    );

    let prefix = is_id_prefix(s);
    if prefix {
        assert!(!s.is_empty() && s.len() <= 64, "prefix length {}", s.len());
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
    let full_ids = [
        ContainerId::parse(s).map(|i| i.as_str().to_owned()),
        PodId::parse(s).map(|i| i.as_str().to_owned()),
    ];
    for id in full_ids.into_iter().flatten() {
        assert_eq!(id, s);
        assert!(is_full_id(&id) && prefix, "full id is not a prefix: {id:?}");
    }
    if let Ok(id) = ContainerId::parse(s) {
        assert_eq!(id.short().len(), SHORT_ID_LEN);
        assert!(id.as_str().starts_with(id.short()));
        assert_eq!(
            PodId::parse(s).map(|p| p.to_string()).ok().as_deref(),
            Some(s)
        );
    }

    if let Ok(set) = Namespace::parse_list(s) {
        let joined = set.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(",");
        assert_eq!(Namespace::parse_list(&joined).unwrap(), set, "{joined:?}");
        assert!(set.len() <= Namespace::ALL.len());
    }
    if let Ok(p) = ExitPolicy::parse(s) {
        assert_eq!(p.as_str(), s);
    }
    if let Ok(t) = InitType::parse(s) {
        assert_eq!(t.as_str(), s);
    }
    if let Some(st) = ContainerState::parse(s) {
        assert_eq!(st.as_str(), s);
    }
});
