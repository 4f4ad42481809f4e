//! Signal parsing on arbitrary text: never panics; what is accepted is a real Linux signal
//! number whose canonical name and number parse back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pod_core::Signal;

fuzz_target!(|data: &[u8]| {
    // Raw numbers first: from_number agrees with the 1..=64 range, and the number forms
    // (`N`, `RTMIN+N`, `RTMAX-N`) are checked with any i32 (text mutations rarely reach
    // the edges of the integer range).
    if data.len() >= 4 {
        let n = i32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        assert_eq!(
            Signal::from_number(n).is_some(),
            (1..=64).contains(&n),
            "{n}"
        );
        let form = data.get(4).copied().unwrap_or(0);
        let s = match form % 4 {
            0 => n.to_string(),
            1 => format!("RTMIN+{}", n.unsigned_abs()),
            2 => format!("SIGRTMAX-{}", n.unsigned_abs()),
            _ => format!("rtmin{n:+}"),
        };
        check(&s);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        check(s);
    }
});

fn check(s: &str) {
    match Signal::parse(s) {
        Ok(sig) => {
            let n = sig.number();
            assert!((1..=64).contains(&n), "{s:?} parsed to {n}");
            let name = sig.name();
            assert_eq!(
                Signal::parse(&name).ok(),
                Some(sig),
                "name {name:?} of {s:?}"
            );
            assert_eq!(Signal::parse(&n.to_string()).ok(), Some(sig));
            assert_eq!(sig.to_string(), name);
            assert_eq!(s.parse::<Signal>().ok(), Some(sig));
            let json = serde_json::to_string(&sig).unwrap();
            assert_eq!(serde_json::from_str::<Signal>(&json).unwrap(), sig);
        }
        Err(e) => {
            assert_eq!(e.to_string(), format!("invalid signal: {s}"));
            assert!(s.parse::<Signal>().is_err());
        }
    }
}
