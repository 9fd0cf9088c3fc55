//! Test vectors built from the rules of Jaeger's client documentation
//! ("Propagation Format": variable-length hex ids zero-padded on the left,
//! 0 invalid, the deprecated parent id ignored, flags bit 1 sampled and
//! bit 2 debug, `%3A` for URL-encoded colons).

use std::collections::HashMap;

use omniscope::propagation::{CompositePropagator, Propagator, TraceContextPropagator};
use omniscope::{Baggage, Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use proptest::prelude::*;

use super::*;

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn extract(value: &str) -> Option<SpanContext> {
    UberTraceIdPropagator
        .extract(Context::new(), &headers(&[("Uber-Trace-Id", value)]))
        .span_context()
        .cloned()
}

fn ids(trace: &str, span: &str) -> (TraceId, SpanId) {
    (
        TraceId::from_hex(trace).unwrap(),
        SpanId::from_hex(span).unwrap(),
    )
}

#[test]
fn valid_headers_give_a_remote_parent() {
    let vectors = [
        // value, trace id (padded), span id, sampled
        (
            "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            true,
        ),
        (
            "d3c9d5dd2e4d4a3c:13d02a0f2d54e26c:0:1",
            "0000000000000000d3c9d5dd2e4d4a3c",
            "13d02a0f2d54e26c",
            true,
        ),
        (
            "abc:def:0:0",
            "00000000000000000000000000000abc",
            "0000000000000def",
            false,
        ),
        (
            "abc:def:0:01",
            "00000000000000000000000000000abc",
            "0000000000000def",
            true,
        ),
        (
            "abc:def:0:3",
            "00000000000000000000000000000abc",
            "0000000000000def",
            true,
        ),
        (
            "abc:def:0:2",
            "00000000000000000000000000000abc",
            "0000000000000def",
            true,
        ),
        (
            "abc:def:53995c3f42cd8ad8:1",
            "00000000000000000000000000000abc",
            "0000000000000def",
            true,
        ),
        (
            "4BF92F3577B34DA6A3CE929D0E0E4736:00F067AA0BA902B7:0:1",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            true,
        ),
        (
            "4bf92f3577b34da6a3ce929d0e0e4736%3A00f067aa0ba902b7%3A0%3A1",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            true,
        ),
        (
            " abc:def:0:1 ",
            "00000000000000000000000000000abc",
            "0000000000000def",
            true,
        ),
    ];
    for (value, trace, span, sampled) in vectors {
        let parent = extract(value).unwrap_or_else(|| panic!("{value:?} rejected"));
        assert_eq!(
            (parent.trace_id(), parent.span_id()),
            ids(trace, span),
            "{value}"
        );
        assert_eq!(parent.is_sampled(), sampled, "{value}");
        assert!(parent.is_remote(), "{value}");
    }
}

/// The debug bit marks the context debug (and sampled), and is sent on.
#[test]
fn debug_is_kept_and_sent_on() {
    for (value, debug) in [
        ("abc:def:0:2", true),
        ("abc:def:0:3", true),
        ("abc:def:0:1", false),
    ] {
        let parent = extract(value).unwrap();
        assert_eq!(parent.is_debug(), debug, "{value}");
        let sent = format(&parent);
        assert_eq!(sent.ends_with(":3"), debug, "{sent}");
        assert_eq!(extract(&sent).unwrap().is_debug(), debug, "{sent}");
    }
}

#[test]
fn invalid_headers_leave_the_context_as_it_was() {
    let prior = SpanContext::new_remote(
        TraceId::from_u128(7),
        SpanId::from_u64(7),
        TraceFlags::SAMPLED,
        TraceState::new(),
    );
    let invalid = [
        "",
        "0:def:0:1",
        "abc:0:0:1",
        "abc:def:0",
        "abc:def:0:1:9",
        "abc:def::1",
        "abc::0:1",
        "xyz:def:0:1",
        "abc:def:0:100",
        "14bf92f3577b34da6a3ce929d0e0e4736:def:0:1",
        "abc:100f067aa0ba902b7:0:1",
        "abc:def:153995c3f42cd8ad8:1",
        "+abc:def:0:1",
        "abc%3Gdef:0:1",
    ];
    for value in invalid {
        let cx = Context::new().with_remote_span(prior.clone());
        let cx = UberTraceIdPropagator.extract(cx, &headers(&[("uber-trace-id", value)]));
        assert_eq!(cx.span_context(), Some(&prior), "{value:?} accepted");
    }
}

#[test]
fn inject_writes_the_full_trace_id_a_zero_parent_and_the_sampled_flag() {
    let (trace, span) = ids("00000000000000000000000000000abc", "0000000000000def");
    for (flags, expected) in [(TraceFlags::SAMPLED, "1"), (TraceFlags::NOT_SAMPLED, "0")] {
        let cx = Context::new().with_remote_span(SpanContext::new(trace, span, flags));
        let mut out = HashMap::new();
        UberTraceIdPropagator.inject(&cx, &mut out);
        assert_eq!(
            out["uber-trace-id"],
            format!("00000000000000000000000000000abc:0000000000000def:0:{expected}")
        );
    }
    let mut out = HashMap::new();
    UberTraceIdPropagator.inject(&Context::new(), &mut out);
    assert!(out.is_empty(), "no span, no baggage: nothing written");
    assert_eq!(UberTraceIdPropagator.fields(), ["uber-trace-id"]);
}

#[test]
fn baggage_travels_as_uberctx_headers() {
    let incoming = headers(&[
        ("uberctx-tenant", "acme%20corp"),
        ("UberCtx-Region", "eu-west"),
        ("uberctx-", "ignored"),
        ("x-other", "ignored"),
    ]);
    let cx = UberTraceIdPropagator.extract(Context::new(), &incoming);
    assert_eq!(cx.baggage().get("tenant"), Some("acme corp"));
    assert_eq!(cx.baggage().get("region"), Some("eu-west"));
    assert_eq!(cx.baggage().len(), 2);
    assert!(cx.span_context().is_none());
    let mut out = HashMap::new();
    UberTraceIdPropagator.inject(&cx, &mut out);
    assert_eq!(
        out.get("uberctx-tenant").map(String::as_str),
        Some("acme%20corp")
    );
    assert_eq!(
        out.get("uberctx-region").map(String::as_str),
        Some("eu-west")
    );

    let prior = Context::new().with_baggage(Baggage::new().insert("user", "ada").unwrap());
    let cx = UberTraceIdPropagator.extract(prior, &incoming);
    assert_eq!(
        (cx.baggage().get("user"), cx.baggage().len()),
        (Some("ada"), 3),
        "added to what was there"
    );
}

#[test]
fn runs_alongside_w3c_trace_context() {
    let both = CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(UberTraceIdPropagator),
    ]);
    let (trace, span) = ids("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let cx = Context::new().with_remote_span(SpanContext::new(trace, span, TraceFlags::SAMPLED));
    let mut out = HashMap::new();
    both.inject(&cx, &mut out);
    assert_eq!(
        out["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    assert_eq!(
        out["uber-trace-id"],
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"
    );
    // A caller that speaks only Jaeger's format is understood.
    let only_jaeger = headers(&[(
        "uber-trace-id",
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1",
    )]);
    let parent = both.extract(Context::new(), &only_jaeger);
    assert_eq!(parent.span_context().map(|s| s.trace_id()), Some(trace));
}

proptest! {
    #[test]
    fn any_header_extracts_without_panicking(value in ".{0,80}") {
        let _ = extract(&value);
    }

    #[test]
    fn valid_ids_round_trip(trace in 1u128.., span in 1u64.., sampled in any::<bool>()) {
        let flags = TraceFlags::NOT_SAMPLED.with_sampled(sampled);
        let cx = Context::new().with_remote_span(SpanContext::new(TraceId::from_u128(trace), SpanId::from_u64(span), flags));
        let mut out = HashMap::new();
        UberTraceIdPropagator.inject(&cx, &mut out);
        let back = extract(&out["uber-trace-id"]).unwrap();
        prop_assert_eq!((back.trace_id(), back.span_id(), back.is_sampled()), (TraceId::from_u128(trace), SpanId::from_u64(span), sampled));
    }
}
