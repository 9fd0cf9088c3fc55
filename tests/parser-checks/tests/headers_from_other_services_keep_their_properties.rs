//! Issue #11: the parsers of headers from other services (`traceparent`,
//! `tracestate`, `baggage`, the W3C, Jaeger and B3 propagators) never panic and
//! keep their properties, on any bytes and on near misses of valid headers.
//! The fuzz targets of the same names run these checks for longer.

use omniscope_parser_checks::input::join;
use omniscope_parser_checks::propagation::{
    b3_headers, baggage, jaeger_headers, traceparent, tracestate, w3c_headers,
};
use proptest::prelude::*;

/// Near misses of a `traceparent`: the right alphabet around the right length.
fn traceparent_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[ -~]{0,8})?",
        "[0-9a-fA-F\u{e9}-]{50,60}",
        "[0f]{2}-[0]{32}-[0-9a-f]{16}-0[01]",
    ]
}

fn tracestate_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "([a-z0-9_*/@-]{1,6}=[ -~]{0,6},?[ \t]*){0,40}",
        "[a-z0-9@=, \t_*/é-]{0,80}",
    ]
}

fn baggage_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "([a-zA-Z0-9!#$&'*+.^_`|~-]{1,6}[ \t]*=[ \t]*([!#-+.-:<-\\[\\]-~]|%[0-9A-Fa-fz]{0,2}){0,8}(;[a-z]{1,3}(=[a-z0-9]{0,3})?)?,?){0,12}",
        "[a-zA-Z0-9=,;% \t\"é-]{0,80}",
        // Over the limits: many members, or long values.
        (1usize..400, 0usize..60).prop_map(|(n, len)| format!("k=v{},", "w".repeat(len)).repeat(n)),
    ]
}

/// Header names the propagators read, in any letter case, and others.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("traceparent".to_owned()),
        Just("TraceState".to_owned()),
        Just("baggage".to_owned()),
        Just("uber-trace-id".to_owned()),
        "[uU]ber[cC]tx-[a-zA-Z0-9_.%-]{0,6}",
        Just("b3".to_owned()),
        "[xX]-[bB]3-(TraceId|SpanId|ParentSpanId|Sampled|Flags|x)",
        "[a-z-]{0,10}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        traceparent_like(),
        tracestate_like(),
        baggage_like(),
        "[0-9a-f]{1,33}(:|%3[aA])[0-9a-f]{1,17}(:|%3[aA])[0-9a-f]{1,17}(:|%3[aA])[0-9a-f]{1,3}",
        "([0-9a-f]{16}|[0-9a-f]{32}|[0-9a-fA-F]{15,17})(-[0-9a-f]{15,17}(-[01dx]?(-[0-9a-f]{16})?)?)?",
        "( ?[01d]|true|false|[0-9a-f]{16})",
        "[ -~]{0,24}",
    ]
}

fn carrier() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((header_name(), header_value()), 0..12).prop_map(|headers| {
        let records: Vec<String> = headers.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        join(&records)
    })
}

/// Up to 400 `uberctx-*` headers: past W3C baggage's 180 members, and with
/// long values past its 8192 bytes.
fn many_uberctx() -> impl Strategy<Value = Vec<u8>> {
    (1usize..400, 0usize..100).prop_map(|(n, len)| {
        let records: Vec<String> = (0..n)
            .map(|i| format!("uberctx-k{i}:{}%20v", "x".repeat(len)))
            .collect();
        join(&records)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn traceparent_on_any_input(data in prop::collection::vec(any::<u8>(), 0..80), near in traceparent_like()) {
        traceparent(&data);
        traceparent(near.as_bytes());
    }

    #[test]
    fn tracestate_on_any_input(data in prop::collection::vec(any::<u8>(), 0..120), near in tracestate_like()) {
        tracestate(&data);
        tracestate(near.as_bytes());
    }

    #[test]
    fn baggage_on_any_input(data in prop::collection::vec(any::<u8>(), 0..120), near in baggage_like()) {
        baggage(&data);
        baggage(near.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn w3c_propagators_on_any_carrier(data in prop::collection::vec(any::<u8>(), 0..200), near in carrier()) {
        w3c_headers(&data);
        w3c_headers(&near);
    }

    #[test]
    fn b3_propagator_on_any_carrier(data in prop::collection::vec(any::<u8>(), 0..200), near in carrier()) {
        b3_headers(&data);
        b3_headers(&near);
    }

    #[test]
    fn jaeger_propagator_on_any_carrier(data in prop::collection::vec(any::<u8>(), 0..200), near in carrier()) {
        jaeger_headers(&data);
        jaeger_headers(&near);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn jaeger_baggage_stays_within_the_limits(data in many_uberctx()) {
        jaeger_headers(&data);
    }
}
