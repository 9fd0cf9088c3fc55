//! Span limits cut attributes, events, links and long values, and count
//! what they cut in the span and in the tracer's totals.

mod common;

use std::time::{Duration, Instant};

use omniscope::{span, Field, SpanContext, SpanId, TraceFlags, TraceId, Value};
use omniscope_sdk::trace::{SdkTracer, SpanLimits};

#[test]
fn limits_cut_and_count() {
    let limits = SpanLimits::default()
        .with_attributes(3)
        .with_events(2)
        .with_links(1)
        .with_attributes_per_event(1)
        .with_attributes_per_link(1)
        .with_value_length(4);
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder().with_limits(limits));
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    let link = SpanContext::new(
        TraceId::from_u128(5),
        SpanId::from_u64(6),
        TraceFlags::SAMPLED,
    );
    {
        let s = span!("limited", a = "abcdefgh", b = 1, c = 2, d = 3);
        s.set_attribute("e", 4);
        s.add_event(
            "one",
            &[
                Field::new("k", Value::I64(1)),
                Field::new("dropped", Value::I64(2)),
            ],
        );
        s.add_event("two", &[]);
        s.add_event("three", &[]);
        s.add_link(
            &link,
            &[
                Field::new("k", Value::Str("long value")),
                Field::new("x", Value::Bool(true)),
            ],
        );
        s.add_link(&link, &[]);
    }
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let got = spans.items();
    let s = &got[0];
    assert_eq!(s.attributes.len(), 3);
    assert_eq!(s.attributes.get("a").and_then(|v| v.as_str()), Some("abcd"));
    assert_eq!(s.dropped_attributes, 2, "d at start, e later");
    assert_eq!(s.events.len(), 2);
    assert_eq!(s.dropped_events, 1);
    assert_eq!(s.events[0].attributes.len(), 1);
    assert_eq!(s.events[0].dropped_attributes, 1);
    assert_eq!(s.links.len(), 1);
    assert_eq!(s.dropped_links, 1);
    assert_eq!(s.links[0].dropped_attributes, 1);
    assert_eq!(
        s.links[0].attributes.get("k").and_then(|v| v.as_str()),
        Some("long")
    );

    let total = tracer.limits_dropped();
    assert_eq!(total.attributes, 2);
    assert_eq!(total.events, 1);
    assert_eq!(total.links, 1);
    assert_eq!(total.event_attributes, 1);
    assert_eq!(total.link_attributes, 1);
    assert_eq!(
        total.truncated_values, 2,
        "the span's `a` and the link's `k`"
    );
    assert_eq!(tracer.stats().limits, total);
}
