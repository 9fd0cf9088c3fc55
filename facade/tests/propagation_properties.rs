//! Property tests and W3C vectors for the `traceparent`, `tracestate` and
//! `baggage` parsers, serializers and propagators.

use std::collections::{BTreeMap, HashMap};

use omniscope::baggage::BaggageError;
use omniscope::propagation::{
    format_traceparent, parse_traceparent, BaggagePropagator, CompositePropagator, Propagator,
    TraceContextPropagator,
};
use omniscope::trace::{SpanContext, SpanId, TraceFlags, TraceId};
use omniscope::{Baggage, Context, TraceState};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn w3c() -> CompositePropagator {
    CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(BaggagePropagator),
    ])
}

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// --- strategies -------------------------------------------------------------

/// Keys of W3C Trace Context Level 2 (`@` anywhere but first).
fn tracestate_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9][a-z0-9_*/-]{0,255}",
        "[a-z0-9][a-z0-9_*/@-]{0,255}",
    ]
}

fn tracestate_value() -> impl Strategy<Value = String> {
    "[ -~&&[^,=]]{0,255}[!-~&&[^,=]]"
}

fn tracestate() -> impl Strategy<Value = Vec<(String, String)>> {
    btree_map(tracestate_key(), tracestate_value(), 0..=32).prop_map(|m| m.into_iter().collect())
}

fn baggage_key() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}"
}

/// Any text, control and non-ASCII characters included, short enough that
/// 16 entries stay well under the 8192-byte limit.
fn baggage_value() -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..24).prop_map(String::from_iter)
}

fn baggage_metadata() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9]{1,8}",
        "[a-z]{1,8}=[!#-+.-:<-\\[\\]-~]{0,8}(;[a-z]{1,8})?",
    ]
}

fn baggage_entries() -> impl Strategy<Value = BTreeMap<String, (String, String)>> {
    btree_map(baggage_key(), (baggage_value(), baggage_metadata()), 0..16)
}

fn build_baggage(entries: &BTreeMap<String, (String, String)>) -> Result<Baggage, BaggageError> {
    entries.iter().try_fold(Baggage::new(), |b, (k, (v, m))| {
        b.insert_with_metadata(k, v, m)
    })
}

// --- round trips ------------------------------------------------------------

proptest! {
    #[test]
    fn traceparent_round_trips(trace in 1..=u128::MAX, span in 1..=u64::MAX, flags in any::<u8>()) {
        let cx = SpanContext::new(TraceId::from_u128(trace), SpanId::from_u64(span), TraceFlags::new(flags));
        let header = format_traceparent(&cx);
        prop_assert_eq!(header.len(), 55);
        let (t, s, f) = parse_traceparent(&header).unwrap();
        prop_assert_eq!((t, s, f.to_u8()), (cx.trace_id(), cx.span_id(), flags & 0x03));
    }

    #[test]
    fn future_versions_parse_the_shared_prefix(version in "[0-9a-f][0-9a-e]", tail in "(-[ -~]*)?") {
        let header = format!("{version}{}{tail}", &TRACEPARENT[2..]);
        prop_assert_eq!(parse_traceparent(&header).is_ok(), version != "00" || tail.is_empty());
    }
}

// Fewer cases for the large inputs (up to 32 members of 512 characters).
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tracestate_round_trips(members in tracestate(), spaces in vec("[ \t]{0,2}", 66)) {
        let state = members.iter().rev().try_fold(TraceState::new(), |s, (k, v)| s.insert(k, v)).unwrap();
        let got: Vec<(&str, &str)> = state.iter().collect();
        let want: Vec<(&str, &str)> = members.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(&TraceState::parse(&state.header()).unwrap(), &state);
        // Optional whitespace around members and empty members change nothing.
        let mut padded = String::new();
        for (i, (k, v)) in members.iter().enumerate() {
            padded.push_str(&format!("{}{k}={v}{},{},", spaces[2 * i], spaces[2 * i + 1], spaces[64]));
        }
        prop_assert_eq!(TraceState::parse(&padded).unwrap(), state);
    }

    #[test]
    fn baggage_round_trips(entries in baggage_entries()) {
        let baggage = build_baggage(&entries).unwrap();
        let parsed = Baggage::parse(&baggage.header()).unwrap();
        prop_assert_eq!(&parsed, &baggage);
        for (key, (value, metadata)) in &entries {
            prop_assert_eq!(parsed.get(key), Some(value.as_str()));
            prop_assert_eq!(parsed.metadata(key), Some(metadata.as_str()).filter(|m| !m.is_empty()));
        }
    }

    #[test]
    fn baggage_header_respects_the_limits(tiny in any::<bool>(), sizes in vec(0usize..200, 0..300)) {
        // Tiny values reach the member limit first, larger ones the byte limit.
        let baggage = sizes.iter().enumerate().fold(Baggage::new(), |b, (i, n)| {
            b.insert(&format!("k{i}"), &"é".repeat(if tiny { n % 3 } else { *n })).unwrap()
        });
        let header = baggage.header();
        prop_assert!(header.len() <= 8192);
        let parsed = Baggage::parse(&header).unwrap();
        prop_assert!(parsed.len() <= 180);
        // Whole members only: every member sent has its full value.
        for (key, value) in parsed.iter() {
            prop_assert_eq!(baggage.get(key), Some(value));
        }
    }

    #[test]
    fn propagators_round_trip(trace in 1..=u128::MAX, span in 1..=u64::MAX, sampled in any::<bool>(),
                              members in tracestate(), entries in baggage_entries()) {
        let state = members.iter().rev().try_fold(TraceState::new(), |s, (k, v)| s.insert(k, v)).unwrap();
        let flags = TraceFlags::new(0).with_sampled(sampled);
        let span = SpanContext::new_remote(TraceId::from_u128(trace), SpanId::from_u64(span), flags, state);
        let cx = Context::new().with_remote_span(span.clone()).with_baggage(build_baggage(&entries).unwrap());
        let mut carrier = HashMap::new();
        w3c().inject(&cx, &mut carrier);
        let back = w3c().extract(Context::new(), &carrier);
        prop_assert_eq!(back.span_context(), Some(&span));
        prop_assert_eq!(back.baggage(), cx.baggage());
    }
}

// --- no input panics --------------------------------------------------------

proptest! {
    #[test]
    fn parsers_never_panic_on_any_string(s in any::<String>()) {
        let _ = parse_traceparent(&s);
        let _ = TraceState::parse(&s);
        let _ = Baggage::parse(&s);
    }

    #[test]
    fn parsers_never_panic_on_any_bytes(bytes in vec(any::<u8>(), 0..128)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse_traceparent(&s);
        let _ = TraceState::parse(&s);
        let _ = Baggage::parse(&s);
    }

    #[test]
    fn parsers_never_panic_on_near_misses(
        tp in "[0-9a-fA-F\u{e9}-]{50,60}",
        ts in "[a-z0-9@=, \t_*/é-]{0,80}",
        bg in "[a-zA-Z0-9=,;% \t\"é-]{0,80}",
    ) {
        if let Ok((t, s, _)) = parse_traceparent(&tp) {
            prop_assert!(t.is_valid() && s.is_valid());
        }
        if let Ok(state) = TraceState::parse(&ts) {
            prop_assert_eq!(TraceState::parse(&state.header()).unwrap(), state);
        }
        if let Ok(baggage) = Baggage::parse(&bg) {
            prop_assert_eq!(Baggage::parse(&baggage.header()).unwrap(), baggage);
        }
    }

    #[test]
    fn extract_never_panics_and_ignores_tracestate_without_traceparent(
        tp in any::<String>(), ts in any::<String>(), bg in any::<String>(),
    ) {
        let carrier = headers(&[("traceparent", &tp), ("tracestate", &ts), ("baggage", &bg)]);
        let cx = w3c().extract(Context::new(), &carrier);
        prop_assert_eq!(cx.span_context().is_some(), parse_traceparent(tp.trim_matches([' ', '\t'])).is_ok());
    }
}

// --- W3C vectors ------------------------------------------------------------

#[test]
fn trace_context_spec_vectors() {
    let (t, s, f) = parse_traceparent(TRACEPARENT).unwrap();
    assert_eq!(t.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(s.to_string(), "00f067aa0ba902b7");
    assert!(f.is_sampled());
    let (_, _, f) =
        parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
    assert!(!f.is_sampled());

    let state = TraceState::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").unwrap();
    assert_eq!(
        state.iter().collect::<Vec<_>>(),
        [("rojo", "00f067aa0ba902b7"), ("congo", "t61rcWkgMzE")]
    );
    let state = state.insert("congo", "ucfJifl5GOE").unwrap();
    assert_eq!(state.header(), "congo=ucfJifl5GOE,rojo=00f067aa0ba902b7");
    assert!(TraceState::parse("fw529a3039@dt=ZmY0NDYwMWNmNjMzNGY5Zg").is_ok());
    assert!(TraceState::parse("congo=BleGNlZWRzIHRohbCBwbGVhc3VyZS4").is_ok());
}

#[test]
fn trace_context_test_suite_cases() {
    let tp = |s: &str| {
        w3c().extract(
            Context::new(),
            &headers(&[("traceparent", s), ("tracestate", "foo=1")]),
        )
    };
    // Later versions: longer headers are accepted when `-` follows the flags.
    let future =
        tp("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like");
    assert_eq!(
        future.span_context().unwrap().trace_state().get("foo"),
        Some("1")
    );
    for bad in [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ] {
        assert!(tp(bad).span_context().is_none(), "{bad}");
    }
    // Invalid tracestate: the parent is kept, the state dropped.
    let members = |n: usize| {
        (0..n)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for bad_state in ["FOO=1", "foo=1 2=", "foo", &members(33)] {
        let carrier = headers(&[("traceparent", TRACEPARENT), ("tracestate", bad_state)]);
        let cx = TraceContextPropagator.extract(Context::new(), &carrier);
        assert!(
            cx.span_context().unwrap().trace_state().is_empty(),
            "{bad_state}"
        );
    }
    let carrier = headers(&[("traceparent", TRACEPARENT), ("tracestate", &members(32))]);
    let cx = TraceContextPropagator.extract(Context::new(), &carrier);
    assert_eq!(cx.span_context().unwrap().trace_state().len(), 32);
}

#[test]
fn baggage_spec_vectors() {
    let b = Baggage::parse(
        "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
    )
    .unwrap();
    assert_eq!(b.len(), 3);
    assert_eq!(
        (b.get("key1"), b.metadata("key1")),
        (Some("value1"), Some("property1;property2"))
    );
    assert_eq!((b.get("key2"), b.metadata("key2")), (Some("value2"), None));
    assert_eq!(
        (b.get("key3"), b.metadata("key3")),
        (Some("value3"), Some("propertyKey=propertyValue"))
    );

    let b = Baggage::parse("userId=alice,serverNode=DF%2028,isProduction=false").unwrap();
    assert_eq!(b.get("serverNode"), Some("DF 28"));
    let b = Baggage::parse("userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false").unwrap();
    assert_eq!(b.get("userId"), Some("Amélie"));
    assert_eq!(
        b.header(),
        "userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false"
    );
}

#[test]
fn global_default_is_w3c() {
    assert_eq!(
        omniscope::propagation::propagator().fields(),
        ["traceparent", "tracestate", "baggage"]
    );
    let carrier = headers(&[("traceparent", TRACEPARENT), ("baggage", "a=1")]);
    let cx = omniscope::propagation::extract(&carrier);
    assert!(cx.span_context().is_some());
    assert_eq!(cx.baggage().get("a"), Some("1"));
}
