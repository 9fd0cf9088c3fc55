//! Issue #12: the optional W3C Trace Context Level 2 `traceresponse`
//! response header (`version-traceid-childid-flags`), for the HTTP adapter:
//! a server formats its span's context, a client parses it back, by the
//! same rules as `traceparent`.

use omniscope::propagation::{format_traceresponse, parse_traceresponse};
use omniscope::{SpanContext, SpanId, TraceFlags, TraceId};
use proptest::prelude::*;

#[test]
fn the_specification_example_parses() {
    let (trace_id, child_id, flags) =
        parse_traceresponse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").unwrap();
    assert_eq!(trace_id.to_string(), "0af7651916cd43dd8448eb211c80319c");
    assert_eq!(child_id.to_string(), "b7ad6b7169203331");
    assert!(flags.is_sampled() && !flags.is_random());
    let (_, _, flags) =
        parse_traceresponse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02").unwrap();
    assert!(!flags.is_sampled() && flags.is_random());
}

#[test]
fn invalid_headers_are_refused_naming_the_header() {
    for bad in [
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "",
    ] {
        let err = parse_traceresponse(bad).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid traceresponse `"),
            "{bad}: {err}"
        );
    }
    let err =
        parse_traceresponse("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01").unwrap_err();
    assert!(err.to_string().contains("child id"), "{err}");
}

#[test]
fn a_later_version_is_read_by_the_version_00_rules() {
    let (trace_id, _, flags) =
        parse_traceresponse("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-more")
            .unwrap();
    assert_eq!(trace_id.to_string(), "0af7651916cd43dd8448eb211c80319c");
    assert_eq!(flags.to_u8(), 0x03);
}

proptest! {
    #[test]
    fn format_then_parse_gives_the_ids_and_defined_flags(
        trace in 1..=u128::MAX,
        span in 1..=u64::MAX,
        flags in any::<u8>(),
    ) {
        let (trace, span) = (TraceId::from_u128(trace), SpanId::from_u64(span));
        let cx = SpanContext::new(trace, span, TraceFlags::new(flags));
        let header = format_traceresponse(&cx);
        prop_assert_eq!(header.len(), 55);
        prop_assert!(header.starts_with("00-"));
        let (t, s, f) = parse_traceresponse(&header).unwrap();
        prop_assert_eq!((t, s, f.to_u8()), (cx.trace_id(), cx.span_id(), flags & 0x03));
    }
}
