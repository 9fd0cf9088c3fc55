//! Issue #12: the trace flags W3C Trace Context Level 2 defines, `sampled`
//! (`0x01`) and `random` (`0x02`), go out on `traceparent` as received;
//! every other bit goes out zeroed, as both levels require, whatever the
//! version of the header they came in.

use std::collections::HashMap;

use omniscope::propagation::{
    format_traceparent, parse_traceparent, Propagator, TraceContextPropagator,
};
use omniscope::{Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use proptest::prelude::*;

const IDS: &str = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7";

/// `traceparent` in, `traceparent` out, through the propagator (what a
/// service that starts no span of its own sends on).
fn passed_on(traceparent: &str) -> Option<String> {
    let mut incoming = HashMap::new();
    incoming.insert("traceparent".to_owned(), traceparent.to_owned());
    let cx = TraceContextPropagator.extract(Context::new(), &incoming);
    let mut outgoing = HashMap::new();
    TraceContextPropagator.inject(&cx, &mut outgoing);
    outgoing.remove("traceparent")
}

#[test]
fn the_flags_level_2_defines() {
    assert_eq!(TraceFlags::RANDOM.to_u8(), 0x02);
    assert!(TraceFlags::new(0x02).is_random() && !TraceFlags::new(0x02).is_sampled());
    assert!(TraceFlags::new(0x03).is_random() && TraceFlags::new(0x03).is_sampled());
    assert!(!TraceFlags::new(0xfd).is_random());
    assert_eq!(TraceFlags::SAMPLED.with_random(true).to_u8(), 0x03);
    assert_eq!(TraceFlags::new(0xff).with_random(false).to_u8(), 0xfd);
    assert_eq!(TraceFlags::new(0xff).defined(), TraceFlags::new(0x03));
    assert_eq!(TraceFlags::new(0xfc).defined(), TraceFlags::NOT_SAMPLED);
}

#[test]
fn sampled_and_random_are_passed_on_the_rest_zeroed() {
    for (received, sent) in [
        ("00", "00"),
        ("01", "01"),
        ("02", "02"),
        ("03", "03"),
        ("09", "01"),
        ("0a", "02"),
        ("fe", "02"),
        ("ff", "03"),
    ] {
        assert_eq!(
            passed_on(&format!("00-{IDS}-{received}")),
            Some(format!("00-{IDS}-{sent}")),
            "flags {received}"
        );
    }
    // A later version is sent on as version 00, with the flags 00 defines.
    assert_eq!(
        passed_on(&format!("cc-{IDS}-07-what-the-future-will-be-like")),
        Some(format!("00-{IDS}-03"))
    );
}

#[test]
fn a_span_context_is_formatted_with_its_defined_flags() {
    let span = |flags| {
        SpanContext::new(
            TraceId::from_u128(1),
            SpanId::from_u64(2),
            TraceFlags::new(flags),
        )
    };
    assert_eq!(
        format_traceparent(&span(0x02)),
        "00-00000000000000000000000000000001-0000000000000002-02"
    );
    assert!(format_traceparent(&span(0xf3)).ends_with("-03"));
}

proptest! {
    #[test]
    fn only_sampled_and_random_survive_a_hop(
        trace in 1..=u128::MAX,
        span in 1..=u64::MAX,
        flags in any::<u8>(),
    ) {
        let flags = TraceFlags::new(flags);
        let (trace, span) = (TraceId::from_u128(trace), SpanId::from_u64(span));
        let cx = SpanContext::new_remote(trace, span, flags, TraceState::new());
        let header = format_traceparent(&cx);
        let (t, s, f) = parse_traceparent(&header).unwrap();
        prop_assert_eq!((t, s), (cx.trace_id(), cx.span_id()));
        prop_assert_eq!(f.to_u8(), flags.to_u8() & 0x03);
        prop_assert_eq!(f.is_sampled(), flags.is_sampled());
        prop_assert_eq!(f.is_random(), flags.is_random());
        prop_assert_eq!(passed_on(&header), Some(header.clone()));
    }
}
