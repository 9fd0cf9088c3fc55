//! Past the cardinality limit, new label sets record into one overflow
//! series and every refusal is counted in
//! `omniscope.metric.cardinality_overflow{metric}`.

use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

fn key(name: &str, user: usize) -> Key<'static> {
    Key::with_labels(name.to_owned(), vec![Label::new("user", user.to_string())])
}

#[test]
fn new_label_sets_past_the_limit_go_to_the_overflow_series() {
    let meter = SdkMeter::builder()
        .with_cardinality_limit(3)
        .build()
        .unwrap();
    for user in 0..10 {
        meter
            .counter(&key("logins_total", user), &MetricMeta::EMPTY)
            .increment(1);
    }
    // Existing series keep recording into themselves.
    meter
        .counter(&key("logins_total", 0), &MetricMeta::EMPTY)
        .increment(10);

    let snap = meter.snapshot();
    let family = snap.family("logins_total").unwrap();
    assert_eq!(family.series.len(), 4, "3 series + overflow");
    assert_eq!(
        snap.series("logins_total", &[("user", "0")]).unwrap().value,
        SeriesValue::Counter(11)
    );
    assert_eq!(
        snap.series("logins_total", &[("user", "2")]).unwrap().value,
        SeriesValue::Counter(1)
    );
    assert!(snap.series("logins_total", &[("user", "3")]).is_none());
    let overflow = snap
        .series("logins_total", &[("otel.metric.overflow", "true")])
        .unwrap();
    assert_eq!(overflow.value, SeriesValue::Counter(7));
    assert_eq!(
        family.series.last().unwrap().key,
        overflow.key,
        "overflow series comes last"
    );

    let refused = snap
        .series(
            "omniscope.metric.cardinality_overflow",
            &[("metric", "logins_total")],
        )
        .unwrap();
    assert_eq!(refused.value, SeriesValue::Counter(7));
}

#[test]
fn the_limit_is_per_metric_and_covers_every_kind() {
    let meter = SdkMeter::builder()
        .with_cardinality_limit(2)
        .build()
        .unwrap();
    for user in 0..4 {
        meter
            .histogram(&key("latency", user), &MetricMeta::EMPTY)
            .record(0.2);
        meter
            .gauge(&key("temperature", user), &MetricMeta::EMPTY)
            .set(user as f64);
        meter
            .up_down_counter(&key("sessions", user), &MetricMeta::EMPTY)
            .add(1);
        meter.observe_gauge(&key("pool", user), &MetricMeta::EMPTY, Box::new(|| 1.0));
    }
    meter
        .counter(&key("fine_total", 0), &MetricMeta::EMPTY)
        .increment(1);

    let snap = meter.snapshot();
    let overflow = [("otel.metric.overflow", "true")];
    match &snap.series("latency", &overflow).unwrap().value {
        SeriesValue::Histogram(h) => assert_eq!(h.count, 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        snap.series("temperature", &overflow).unwrap().value,
        SeriesValue::Gauge(3.0)
    );
    assert!(matches!(
        snap.series("sessions", &overflow).unwrap().value,
        SeriesValue::UpDownCounter { value: 2, .. }
    ));
    // Callbacks past the limit are dropped (nothing to merge them into), and counted.
    assert_eq!(snap.family("pool").unwrap().series.len(), 2);
    let refused = |metric| {
        snap.series(
            "omniscope.metric.cardinality_overflow",
            &[("metric", metric)],
        )
        .map(|s| s.value.clone())
    };
    for metric in ["latency", "temperature", "sessions", "pool"] {
        assert_eq!(refused(metric), Some(SeriesValue::Counter(2)), "{metric}");
    }
    assert_eq!(refused("fine_total"), None);
}

#[test]
fn dynamic_call_sites_count_every_refused_call() {
    let meter = SdkMeter::builder()
        .with_cardinality_limit(1)
        .build()
        .unwrap();
    meter.counter(&key("c", 0), &MetricMeta::EMPTY).increment(1);
    for _ in 0..5 {
        meter.counter(&key("c", 1), &MetricMeta::EMPTY).increment(1);
    }
    let snap = meter.snapshot();
    assert_eq!(
        snap.series("omniscope.metric.cardinality_overflow", &[("metric", "c")])
            .unwrap()
            .value,
        SeriesValue::Counter(5)
    );
    assert_eq!(
        snap.series("c", &[("otel.metric.overflow", "true")])
            .unwrap()
            .value,
        SeriesValue::Counter(5)
    );
}
