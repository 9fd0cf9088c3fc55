//! The W3C propagators: Trace Context (`traceparent`, `tracestate`) and
//! Baggage (`baggage`).

use super::{format_traceparent, parse_traceparent, Carrier, Propagator};
use crate::baggage::Baggage;
use crate::context::Context;
use crate::trace::{SpanContext, TraceState};

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
const BAGGAGE: &str = "baggage";

/// The W3C Trace Context propagator: `traceparent` and `tracestate`.
///
/// `inject` writes `traceparent` when the context has a valid span, and
/// `tracestate` when that span's trace state is not empty. `extract` sets a
/// remote parent span when `traceparent` is valid (its surrounding spaces and
/// tabs ignored); an invalid `tracestate` is dropped, keeping the parent (a
/// member that repeats a key is dropped alone, see [`TraceState::parse`]),
/// and `tracestate` is ignored without a valid `traceparent`. The flags go
/// out as W3C Trace Context Level 2 defines them: `sampled` and `random` as
/// the span has them, the reserved bits zeroed.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation::{Propagator, TraceContextPropagator};
/// use omniscope::Context;
///
/// let mut headers = HashMap::new();
/// headers.insert("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
/// headers.insert("tracestate".to_string(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".to_string());
///
/// let cx = TraceContextPropagator.extract(Context::new(), &headers);
/// let parent = cx.span_context().expect("valid headers");
/// assert!(parent.is_remote() && parent.is_sampled());
/// assert_eq!(parent.trace_state().get("rojo"), Some("00f067aa0ba902b7"));
///
/// let mut outgoing = HashMap::new();
/// TraceContextPropagator.inject(&cx, &mut outgoing);
/// assert_eq!(outgoing, headers);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct TraceContextPropagator;

impl Propagator for TraceContextPropagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        let Some(span) = cx.span_context().filter(|s| s.is_valid()) else {
            return;
        };
        carrier.set(TRACEPARENT, format_traceparent(span));
        if !span.trace_state().is_empty() {
            carrier.set(TRACESTATE, span.trace_state().header());
        }
    }

    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
        let parsed = carrier
            .get(TRACEPARENT)
            .and_then(|h| parse_traceparent(trim_ows(h)).ok());
        let Some((trace_id, span_id, flags)) = parsed else {
            return cx;
        };
        let state = carrier
            .get(TRACESTATE)
            .and_then(|h| TraceState::parse(h).ok());
        let span = SpanContext::new_remote(trace_id, span_id, flags, state.unwrap_or_default());
        cx.with_remote_span(span)
    }

    fn fields(&self) -> Vec<&'static str> {
        vec![TRACEPARENT, TRACESTATE]
    }
}

/// The W3C Baggage propagator: `baggage`.
///
/// `inject` writes the context's baggage when it is not empty, leaving out
/// members over the header limits (see [`Baggage::header`]). `extract`
/// replaces the context's baggage with a valid, non-empty header's and
/// ignores an invalid one.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation::{BaggagePropagator, Propagator};
/// use omniscope::Context;
///
/// let mut headers = HashMap::new();
/// headers.insert("baggage".to_string(), "userId=alice,region=eu%20west".to_string());
///
/// let cx = BaggagePropagator.extract(Context::new(), &headers);
/// assert_eq!(cx.baggage().get("region"), Some("eu west"));
///
/// let mut outgoing = HashMap::new();
/// BaggagePropagator.inject(&cx, &mut outgoing);
/// assert_eq!(outgoing, headers);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct BaggagePropagator;

impl Propagator for BaggagePropagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        let header = cx.baggage().header();
        if !header.is_empty() {
            carrier.set(BAGGAGE, header);
        }
    }

    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
        match carrier.get(BAGGAGE).and_then(|h| Baggage::parse(h).ok()) {
            Some(baggage) if !baggage.is_empty() => cx.with_baggage(baggage),
            _ => cx,
        }
    }

    fn fields(&self) -> Vec<&'static str> {
        vec![BAGGAGE]
    }
}

/// Header values exclude surrounding `OWS` (RFC 7230), but not every
/// carrier strips it. By bytes: `trim_matches` with a closure is an
/// out-of-line call that decodes characters, for a value that almost
/// never has any to trim.
fn trim_ows(s: &str) -> &str {
    let ows = |c: &u8| *c == b' ' || *c == b'\t';
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|c| !ows(c)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|c| !ows(c))
        .map_or(start, |last| last + 1);
    // Both ends are next to ASCII bytes (or the ends of `s`): on
    // character boundaries.
    s.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::trace::{SpanId, TraceFlags, TraceId};

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn invalid_tracestate_keeps_the_parent() {
        let cx = TraceContextPropagator.extract(
            Context::new(),
            &headers(&[("traceparent", TP), ("tracestate", "Bad=1")]),
        );
        let span = cx.span_context().unwrap();
        assert!(span.is_valid() && span.trace_state().is_empty());
    }

    #[test]
    fn invalid_traceparent_ignores_everything() {
        let prior = SpanContext::new_remote(
            TraceId::from_u128(1),
            SpanId::from_u64(1),
            TraceFlags::SAMPLED,
            TraceState::new(),
        );
        let cx = Context::new().with_remote_span(prior.clone());
        let bad = headers(&[
            ("traceparent", &TP.replace("-01", "-1")),
            ("tracestate", "a=1"),
        ]);
        let cx = TraceContextPropagator.extract(cx, &bad);
        assert_eq!(cx.span_context(), Some(&prior));
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let cx = TraceContextPropagator.extract(
            Context::new(),
            &headers(&[("traceparent", &format!(" \t{TP} "))]),
        );
        assert!(cx.span_context().is_some());
    }

    #[test]
    fn only_spaces_and_tabs_are_trimmed() {
        for (value, trimmed) in [
            ("", ""),
            (" \t ", ""),
            ("\t a b \t", "a b"),
            ("é\t", "é"),
            ("\na\r", "\na\r"),
        ] {
            assert_eq!(trim_ows(value), trimmed, "{value:?}");
        }
    }

    #[test]
    fn inject_writes_only_what_is_there() {
        let mut out = HashMap::new();
        TraceContextPropagator.inject(&Context::new(), &mut out);
        BaggagePropagator.inject(&Context::new(), &mut out);
        assert!(out.is_empty());
        let flags = TraceFlags::new(0xff);
        let span = SpanContext::new(TraceId::from_u128(1), SpanId::from_u64(2), flags);
        TraceContextPropagator.inject(&Context::new().with_remote_span(span), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out["traceparent"].ends_with("-03"));
        let invalid = SpanContext::new(TraceId::INVALID, SpanId::from_u64(2), flags);
        let mut out = HashMap::new();
        TraceContextPropagator.inject(&Context::new().with_remote_span(invalid), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn invalid_baggage_is_ignored() {
        let cx = Context::new().with_baggage(Baggage::parse("a=1").unwrap());
        let cx = BaggagePropagator.extract(cx, &headers(&[("baggage", "a b=1")]));
        assert_eq!(cx.baggage().get("a"), Some("1"));
    }
}
