//! Issue #12: `tracestate` as W3C Trace Context Level 2 defines it. Keys
//! are `( lcalpha / DIGIT ) 0*255 ( keychar )` with `@` among the key
//! characters (so a key may start with a digit, and the tenant and system
//! parts of Level 1 have no lengths of their own); a key that appears again
//! drops that member only, keeping the first and the rest of the header.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::collections::HashMap;

use omniscope::propagation::{Propagator, TraceContextPropagator};
use omniscope::{Context, TraceState};
use proptest::collection::vec;
use proptest::prelude::*;

const TRACEPARENT: &str = "00-12345678901234567890123456789012-1234567890123456-00";

fn extract(tracestate: &str) -> TraceState {
    let mut headers = HashMap::new();
    headers.insert("traceparent".to_owned(), TRACEPARENT.to_owned());
    headers.insert("tracestate".to_owned(), tracestate.to_owned());
    let cx = TraceContextPropagator.extract(Context::new(), &headers);
    cx.span_context()
        .expect("a valid traceparent")
        .trace_state()
        .clone()
}

fn members(state: &TraceState) -> Vec<(&str, &str)> {
    state.iter().collect()
}

#[test]
fn keys_may_start_with_a_digit() {
    let state = TraceState::parse("1congo=t61rcWkgMzE,0=x,42@dt=y").unwrap();
    assert_eq!(
        members(&state),
        [("1congo", "t61rcWkgMzE"), ("0", "x"), ("42@dt", "y")]
    );
    assert_eq!(
        state
            .insert("9rojo", "00f067aa0ba902b7")
            .unwrap()
            .get("9rojo"),
        Some("00f067aa0ba902b7")
    );
}

#[test]
fn keys_follow_the_level_2_grammar() {
    // The W3C test suite's "all allowed characters", and Level 2 keys
    // that Level 1's tenant@system split refused.
    let all = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    let value = (0x20u8..=0x7e)
        .filter(|c| *c != b',' && *c != b'=')
        .map(char::from)
        .collect::<String>();
    for key in [
        all.to_owned(),
        format!("{all}@a-z0-9_-*/"),
        format!("{}@{}", "t".repeat(200), "s".repeat(55)),
        "fw529a3039@dt".to_owned(),
        "a@b@c".to_owned(),
        "vendor@".to_owned(),
        "0@1".to_owned(),
        "k".repeat(256),
    ] {
        let state =
            TraceState::parse(&format!("{key}={value}")).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(state.get(&key), Some(value.as_str()), "{key}");
        assert_eq!(
            extract(&format!("{key}={value}")).get(&key),
            Some(value.as_str())
        );
    }
    for bad in [
        "k".repeat(257),
        "FOO".into(),
        "foo.bar".into(),
        "foo ".into(),
        "@foo".into(),
        "_a".into(),
        "é".into(),
    ] {
        let err = TraceState::parse(&format!("{bad}=1,bar=2")).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid tracestate key"),
            "{bad}: {err}"
        );
        assert!(extract(&format!("{bad}=1,bar=2")).is_empty(), "{bad}");
    }
    let err = TraceState::parse("0=1,Foo=2").unwrap_err().to_string();
    assert!(
        err.contains("start with a lower-case letter or a digit"),
        "{err}"
    );
}

#[test]
fn a_duplicated_key_drops_only_the_duplicate() {
    for (header, want) in [
        ("foo=1,foo=1", vec![("foo", "1")]),
        ("foo=1,foo=2", vec![("foo", "1")]),
        (
            "foo=1,bar=2,foo=3,baz=4",
            vec![("foo", "1"), ("bar", "2"), ("baz", "4")],
        ),
        // Several `tracestate` header fields, joined as RFC 9110 says.
        (
            "foo=1,bar=2, foo=2 ,baz=3,bar=9",
            vec![("foo", "1"), ("bar", "2"), ("baz", "3")],
        ),
    ] {
        let state = TraceState::parse(header).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(members(&state), want, "{header}");
        assert_eq!(members(&extract(header)), want, "{header}");
    }
    // The other rules still apply to the dropped member.
    assert!(TraceState::parse("foo=1,foo=").is_err());
    assert!(TraceState::parse("foo=1,FOO=1").is_err());
}

#[test]
fn member_count_and_empty_members() {
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("{i}k=v"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(TraceState::parse(&list(32)).unwrap().len(), 32);
    assert!(TraceState::parse(&list(33)).is_err());
    // 32 members plus a duplicate are 33 list-members.
    assert!(TraceState::parse(&format!("{},0k=w", list(32))).is_err());
    // Empty and whitespace-only members are allowed, and not counted.
    assert_eq!(
        TraceState::parse(&format!(" ,\t,{}, ,", list(32)))
            .unwrap()
            .len(),
        32
    );
    assert!(TraceState::parse("").unwrap().is_empty());
}

/// A Level 2 key: a letter or digit, then up to 255 key characters.
fn key() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9_*/@-]{0,255}"
}

fn value() -> impl Strategy<Value = String> {
    "[ -~&&[^,=]]{0,16}[!-~&&[^,=]]"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any list of members with repeated keys parses to the first member of
    /// each key, in order, and serializes to a header that parses back the same.
    #[test]
    fn duplicates_keep_the_first_of_each_key(
        keys in vec(0usize..6, 1..=32),
        names in vec(key(), 6),
        values in vec(value(), 32),
    ) {
        let members_sent: Vec<String> =
            keys.iter().zip(&values).map(|(k, v)| format!("{}={v}", names[*k])).collect();
        let header = members_sent.join(",");
        let mut want: Vec<(&str, &str)> = Vec::new();
        for (k, v) in keys.iter().zip(&values) {
            if !want.iter().any(|(key, _)| *key == names[*k]) {
                want.push((&names[*k], v));
            }
        }
        let state = TraceState::parse(&header).unwrap();
        prop_assert_eq!(members(&state), want);
        prop_assert_eq!(TraceState::parse(&state.header()).unwrap(), state);
    }

    /// Every Level 2 key is accepted, by the parser and by `insert`.
    #[test]
    fn every_level_2_key_is_accepted(key in key(), value in value()) {
        let state = TraceState::parse(&format!("{key}={value}")).unwrap();
        prop_assert_eq!(state.get(&key), Some(value.as_str()));
        prop_assert_eq!(TraceState::new().insert(&key, &value).unwrap(), state);
    }

    /// A key outside the grammar is refused: a first character that is not a
    /// lower-case letter or digit, or one character outside `a-z0-9_-*/@`.
    #[test]
    fn keys_outside_the_grammar_are_refused(
        key in key(),
        first in "[^a-z0-9]",
        other in "[^a-z0-9_*/@-]",
        at in any::<prop::sample::Index>(),
    ) {
        let bad_first = format!("{first}{key}");
        prop_assert!(TraceState::new().insert(&bad_first, "1").is_err(), "{:?}", bad_first);
        let (head, tail) = key.split_at(at.index(key.len() + 1));
        let bad_inside = format!("{head}{other}{tail}");
        prop_assert!(TraceState::new().insert(&bad_inside, "1").is_err(), "{:?}", bad_inside);
    }
}
