//! Issue #12: the trace ids the SDK generates are random, so a root span's
//! context carries W3C Trace Context Level 2's `random` flag (`0x02`),
//! recorded or not, and sends it downstream; a child keeps its parent's
//! `sampled` and `random` flags, never the reserved bits, and a trace id
//! from upstream is not called random unless upstream said so.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use omniscope::propagation::{inject_current, parse_traceparent};
use omniscope::trace::{SpanSite, SpanStart, Tracer};
use omniscope::{span, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use omniscope_sdk::trace::{Sampler, SdkTracer};

static SITE: SpanSite = SpanSite::new("work", module_path!(), file!(), line!());

/// The flags of the context `tracer` gives a span under `parent`.
fn flags_under(tracer: &SdkTracer, parent: Option<&SpanContext>) -> Option<u8> {
    let started = tracer.start(&SpanStart::new(&SITE, parent, &[]));
    if let Some(token) = started.token() {
        tracer.end(token);
    }
    started.context().map(|c| c.flags().to_u8())
}

fn remote(flags: u8) -> SpanContext {
    SpanContext::new_remote(
        TraceId::from_u128(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
        SpanId::from_u64(0x00f0_67aa_0ba9_02b7),
        TraceFlags::new(flags),
        TraceState::new(),
    )
}

#[test]
fn roots_are_random_and_children_keep_what_their_parent_said() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    // A recorded root, and a child of it.
    assert_eq!(flags_under(&tracer, None), Some(0x03));
    let root = SpanContext::new(
        TraceId::from_u128(7),
        SpanId::from_u64(7),
        TraceFlags::new(0x03),
    );
    assert_eq!(flags_under(&tracer, Some(&root)), Some(0x03));

    // Remote parents: random only if upstream said so, reserved bits dropped.
    for (received, kept) in [
        (0x00, 0x01),
        (0x01, 0x01),
        (0x02, 0x03),
        (0x03, 0x03),
        (0xfc, 0x01),
        (0xff, 0x03),
    ] {
        assert_eq!(
            flags_under(&tracer, Some(&remote(received))),
            Some(kept),
            "{received:#04x}"
        );
    }

    // Through the macros and the propagator: the root's traceparent says random.
    if omniscope::Level::Info <= omniscope::STATIC_MAX_LEVEL {
        let _root = span!("request");
        let mut headers = HashMap::new();
        inject_current(&mut headers);
        let (_, _, flags) = parse_traceparent(&headers["traceparent"]).unwrap();
        assert_eq!(flags.to_u8(), 0x03);
    }

    // What is exported carries the flags too.
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let exported = spans.items();
    assert!(exported
        .iter()
        .any(|s| s.parent_span_id.is_none() && s.context.flags().to_u8() == 0x03));
    assert!(exported
        .iter()
        .all(|s| s.context.flags().to_u8() & !0x03 == 0));
}

#[test]
fn a_root_sampled_out_by_ratio_is_random_and_not_sampled() {
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::TraceIdRatio(f64::MIN_POSITIVE))
        .build()
        .unwrap();
    assert_eq!(flags_under(&tracer, None), Some(0x02));
    // Under a sampled remote parent without the flag, the ratio sampler's
    // non-recording child keeps the parent's (lack of) randomness.
    assert_eq!(flags_under(&tracer, Some(&remote(0x01))), Some(0x00));
    assert_eq!(flags_under(&tracer, Some(&remote(0xfb))), Some(0x02));
}
