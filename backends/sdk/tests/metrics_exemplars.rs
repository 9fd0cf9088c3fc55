//! Each histogram bucket keeps the last sample recorded while a span was
//! current (or in the context `record_in` names), with its trace and span
//! ids.

use std::time::{Duration, SystemTime};

use omniscope::metrics::{Key, MetricMeta};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_sdk::metrics::{HistogramSnapshot, SdkMeter, SeriesValue};

fn histogram(meter: &SdkMeter) -> HistogramSnapshot {
    match meter.snapshot().series("latency", &[]).map(|s| &s.value) {
        Some(SeriesValue::Histogram(h)) => h.clone(),
        other => panic!("{other:?}"),
    }
}

fn in_span<R>(trace: u128, span: u64, f: impl FnOnce() -> R) -> R {
    let cx = SpanContext::new(
        TraceId::from_u128(trace),
        SpanId::from_u64(span),
        TraceFlags::SAMPLED,
    );
    let _guard = Context::new().with_remote_span(cx).attach();
    f()
}

#[test]
fn buckets_remember_the_last_sample_in_a_span() {
    let meter = SdkMeter::builder()
        .with_histogram_buckets("latency", vec![0.1, 1.0])
        .build()
        .unwrap();
    let h = meter.histogram(&Key::from_name("latency"), &MetricMeta::EMPTY);
    let before = SystemTime::now();

    h.record(0.05); // no span: no exemplar
    in_span(0xabc, 1, || h.record(0.5));
    in_span(0xdef, 2, || h.record(0.7));
    h.record(0.8); // outside a span: the exemplar stays
    in_span(0x123, 3, || h.record(50.0));

    let snap = histogram(&meter);
    assert_eq!(snap.buckets.len(), 3);
    assert!(snap.buckets[0].exemplar.is_none());
    let e = snap.buckets[1].exemplar.clone().unwrap();
    assert_eq!(
        (e.value, e.trace_id, e.span_id),
        (0.7, TraceId::from_u128(0xdef), SpanId::from_u64(2))
    );
    // Stamped by the span clock and converted when read: to within its
    // calibration, well under this slack.
    let slack = Duration::from_millis(5);
    assert!(e.time + slack >= before && e.time <= SystemTime::now() + slack);
    let inf = snap.buckets[2].exemplar.clone().unwrap();
    assert_eq!(snap.buckets[2].upper_bound, f64::INFINITY);
    assert_eq!((inf.value, inf.trace_id), (50.0, TraceId::from_u128(0x123)));
}

#[test]
fn histograms_without_spans_have_no_exemplars() {
    let meter = SdkMeter::new();
    let h = meter.histogram(&Key::from_name("latency"), &MetricMeta::EMPTY);
    for i in 0..100 {
        h.record(f64::from(i) / 10.0);
    }
    assert!(histogram(&meter)
        .buckets
        .iter()
        .all(|b| b.exemplar.is_none()));
}

#[test]
fn record_in_names_the_given_context_span() {
    let meter = SdkMeter::builder()
        .with_histogram_buckets("latency", vec![1.0])
        .build()
        .unwrap();
    let h = meter.histogram(&Key::from_name("latency"), &MetricMeta::EMPTY);
    let request = Context::new().with_remote_span(SpanContext::new(
        TraceId::from_u128(0x77),
        SpanId::from_u64(7),
        TraceFlags::SAMPLED,
    ));
    // Another span is current: the sample still names the request's.
    in_span(0x99, 9, || h.record_in(0.5, &request));
    h.record_in(5.0, &Context::new()); // a context without a span: none

    let snap = histogram(&meter);
    let e = snap.buckets[0].exemplar.clone().unwrap();
    assert_eq!(
        (e.value, e.trace_id, e.span_id),
        (0.5, TraceId::from_u128(0x77), SpanId::from_u64(7))
    );
    assert!(snap.buckets[1].exemplar.is_none());
}
