//! Each histogram bucket keeps the last sample recorded while a span was
//! current, with its trace and span ids.

use std::time::SystemTime;

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
    assert!(e.time >= before && e.time <= SystemTime::now());
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
