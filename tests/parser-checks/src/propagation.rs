//! Headers from other services: W3C `traceparent`, `tracestate` and
//! `baggage` (the strict parsers and the propagators over a carrier),
//! Jaeger's `uber-trace-id` and `uberctx-*`, and Zipkin's B3 (`b3`,
//! `X-B3-*`).

use std::collections::HashMap;

use omniscope::baggage::{MAX_BYTES, MAX_MEMBERS};
use omniscope::propagation::{
    format_traceparent, parse_traceparent, BaggagePropagator, Carrier, CompositePropagator,
    Propagator, TraceContextPropagator,
};
use omniscope::trace::SpanContext;
use omniscope::{Baggage, Context, TraceState};
use omniscope_jaeger::UberTraceIdPropagator;
use omniscope_zipkin::b3::{B3Encoding, B3Header, B3Propagator};

use crate::input::{carrier, text};

/// The most members a `tracestate` holds (W3C Trace Context).
const MAX_TRACESTATE_MEMBERS: usize = 32;

/// `traceparent`: an accepted header has valid ids, and the version `00`
/// header this process would send on carries the same ids, parses back, and
/// keeps only the flags W3C Trace Context Level 2 defines (sampled, random).
pub fn traceparent(data: &[u8]) {
    let header = text(data);
    let Ok((trace_id, span_id, flags)) = parse_traceparent(&header) else {
        return;
    };
    assert!(
        trace_id.is_valid() && span_id.is_valid(),
        "{header:?} accepted with an all-zero id"
    );
    let sent = format_traceparent(&SpanContext::new(trace_id, span_id, flags));
    let sent_flags = flags.defined();
    assert_eq!(
        parse_traceparent(&sent),
        Ok((trace_id, span_id, sent_flags)),
        "{header:?} sent on as {sent:?}"
    );
    assert_eq!(
        header.get(3..53),
        sent.get(3..53),
        "{header:?}: the ids sent on differ from those received"
    );
}

/// `tracestate`: an accepted header has at most 32 members with distinct
/// keys, and its serialization parses back to an equal state.
pub fn tracestate(data: &[u8]) {
    let header = text(data);
    let Ok(state) = TraceState::parse(&header) else {
        return;
    };
    assert!(
        state.len() <= MAX_TRACESTATE_MEMBERS,
        "{header:?}: {} members",
        state.len()
    );
    for (key, value) in state.iter() {
        assert_eq!(state.get(key), Some(value), "{header:?}: key {key:?} twice");
    }
    let sent = state.header();
    assert_eq!(
        TraceState::parse(&sent).as_ref(),
        Ok(&state),
        "{header:?} sent on as {sent:?}"
    );
}

/// `baggage`: an accepted header is within the limits, and so is what
/// this process sends on: whole members only, each with its value and
/// metadata, all of them when they fit, and sending that again changes
/// nothing.
pub fn baggage(data: &[u8]) {
    let header = text(data);
    let Ok(baggage) = Baggage::parse(&header) else {
        return;
    };
    assert!(header.len() <= MAX_BYTES, "{} bytes accepted", header.len());
    assert!(
        baggage.len() <= MAX_MEMBERS,
        "{} members accepted",
        baggage.len()
    );
    let sent = baggage.header();
    assert!(
        sent.len() <= MAX_BYTES,
        "{header:?} sent on as {} bytes",
        sent.len()
    );
    let received = Baggage::parse(&sent)
        .unwrap_or_else(|e| panic!("{header:?} sent on as {sent:?}, which is refused: {e}"));
    for (key, value) in received.iter() {
        assert_eq!(
            baggage.get(key),
            Some(value),
            "{header:?}: {key} changed on the way"
        );
        assert_eq!(
            baggage.metadata(key),
            received.metadata(key),
            "{header:?}: {key}"
        );
    }
    // Decoding can lengthen a value (a bad escape becomes U+FFFD, sent as
    // nine bytes), so members may be left out, never cut.
    if received.len() == baggage.len() {
        assert_eq!(received, baggage, "{header:?} sent on as {sent:?}");
    }
    assert_eq!(
        received.header(),
        sent,
        "{header:?}: sending again changed the header"
    );
}

/// The W3C propagators over a carrier of `name:value` records: extraction
/// agrees with the strict parsers and stays within the limits, and what is
/// injected is extracted again the same.
pub fn w3c_headers(data: &[u8]) {
    let carrier = carrier(data);
    let w3c = CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(BaggagePropagator),
    ]);
    let cx = w3c.extract(Context::new(), &carrier);
    let traceparent = Carrier::get(&carrier, "traceparent")
        .and_then(|h| parse_traceparent(h.trim_matches([' ', '\t'])).ok());
    let parent = cx.span_context();
    assert_eq!(
        parent.map(|s| (s.trace_id(), s.span_id(), s.flags())),
        traceparent,
        "{carrier:?}: extraction disagrees with parse_traceparent"
    );
    if let Some(parent) = parent {
        assert!(
            parent.is_remote(),
            "{carrier:?}: a remote parent not marked remote"
        );
        assert!(
            parent.trace_state().len() <= MAX_TRACESTATE_MEMBERS,
            "{carrier:?}"
        );
    }
    assert!(cx.baggage().len() <= MAX_MEMBERS, "{carrier:?}");

    let mut out = HashMap::new();
    w3c.inject(&cx, &mut out);
    let back = w3c.extract(Context::new(), &out);
    assert_eq!(
        same_parent(back.span_context()),
        same_parent(parent),
        "{carrier:?} sent on as {out:?}"
    );
    let expected = Baggage::parse(&cx.baggage().header()).unwrap_or_default();
    assert_eq!(back.baggage(), &expected, "{carrier:?} sent on as {out:?}");
}

/// Jaeger's headers over a carrier of `name:value` records: the baggage
/// stays within W3C baggage's limits (180 members, 8192 bytes of decoded
/// `key=value` members), its keys are lower case, and what is injected is
/// extracted again the same.
pub fn jaeger_headers(data: &[u8]) {
    let carrier = carrier(data);
    let cx = UberTraceIdPropagator.extract(Context::new(), &carrier);
    let baggage = cx.baggage();
    assert!(
        baggage.len() <= MAX_MEMBERS,
        "{} members from uberctx-*",
        baggage.len()
    );
    let bytes = baggage
        .iter()
        .map(|(k, v)| k.len() + 1 + v.len())
        .sum::<usize>()
        + baggage.len().saturating_sub(1);
    assert!(
        bytes <= MAX_BYTES,
        "{bytes} bytes of baggage from uberctx-*"
    );
    for (key, _) in baggage.iter() {
        assert_eq!(
            key,
            key.to_ascii_lowercase(),
            "uberctx-* key not lower case"
        );
    }
    if let Some(parent) = cx.span_context() {
        assert!(
            parent.is_valid() && parent.is_remote(),
            "{carrier:?}: {parent:?}"
        );
    }

    let mut out = HashMap::new();
    UberTraceIdPropagator.inject(&cx, &mut out);
    let back = UberTraceIdPropagator.extract(Context::new(), &out);
    assert_eq!(
        same_parent(back.span_context()),
        same_parent(cx.span_context()),
        "{carrier:?} sent on as {out:?}"
    );
    // One header per entry: a map has no order, so compare sorted entries.
    assert_eq!(
        sorted(back.baggage()),
        sorted(baggage),
        "{carrier:?} sent on as {out:?}"
    );
}

/// Zipkin's B3 headers over a carrier of `name:value` records: extraction
/// sets a parent exactly when the headers hold a span context (sampled
/// unless denied), and what is injected in each encoding is extracted
/// again the same.
pub fn b3_headers(data: &[u8]) {
    let carrier = carrier(data);
    let b3 = B3Propagator::default();
    let cx = b3.extract(Context::new(), &carrier);
    match b3.extract_header(&carrier) {
        Ok(Some(B3Header::Context {
            trace_id,
            span_id,
            sampling,
            ..
        })) => {
            let parent = cx
                .span_context()
                .unwrap_or_else(|| panic!("{carrier:?}: valid B3 headers extracted no parent"));
            assert_eq!(
                (parent.trace_id(), parent.span_id(), parent.is_sampled()),
                (trace_id, span_id, sampling.is_sampled()),
                "{carrier:?}"
            );
            assert!(
                parent.is_remote(),
                "{carrier:?}: a remote parent not marked remote"
            );
        }
        _ => assert_eq!(
            cx.span_context(),
            None,
            "{carrier:?}: a parent from no span context"
        ),
    }
    for encoding in [
        B3Encoding::Single,
        B3Encoding::Multi,
        B3Encoding::SingleAndMulti,
    ] {
        let mut out = HashMap::new();
        B3Propagator::new(encoding).inject(&cx, &mut out);
        let back = b3.extract(Context::new(), &out);
        assert_eq!(
            same_parent(back.span_context()),
            same_parent(cx.span_context()),
            "{carrier:?} sent on as {out:?}"
        );
    }
}

/// What a parent keeps across a hop: ids, sampled flag and trace state
/// (the other flags are undefined in version `00`, and Jaeger has none).
fn same_parent(span: Option<&SpanContext>) -> Option<(String, String, bool, TraceState)> {
    span.map(|s| {
        let state = s.trace_state().clone();
        (
            s.trace_id().to_string(),
            s.span_id().to_string(),
            s.is_sampled(),
            state,
        )
    })
}

fn sorted(baggage: &Baggage) -> Vec<(&str, &str)> {
    let mut entries: Vec<_> = baggage.iter().collect();
    entries.sort_unstable();
    entries
}
