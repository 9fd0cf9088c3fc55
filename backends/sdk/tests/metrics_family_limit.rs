//! Regression test for issue #11: a meter holds at most
//! [`MeterBuilder::with_family_limit`](omniscope_sdk::metrics::MeterBuilder::with_family_limit)
//! metric names; registrations of new names past it get no-op handles and
//! each one counts in `omniscope.metric.family_overflow`. Before the
//! limit, every distinct name added a family (100,000 names: 80 MB and a
//! 12 MB scrape).

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

const OVERFLOW: &str = "omniscope.metric.family_overflow";

fn name(i: usize) -> Key<'static> {
    Key::with_labels(format!("name_{i:03}_total"), Vec::new())
}

#[test]
fn names_past_the_family_limit_are_refused_and_counted() {
    let meter = SdkMeter::builder().with_family_limit(5).build().unwrap();
    for i in 0..12 {
        meter.counter(&name(i), &MetricMeta::EMPTY).increment(1);
    }
    // Every kind is refused alike, callbacks included.
    assert!(meter.histogram(&name(100), &MetricMeta::EMPTY).is_noop());
    assert!(meter.gauge(&name(101), &MetricMeta::EMPTY).is_noop());
    assert!(meter
        .up_down_counter(&name(102), &MetricMeta::EMPTY)
        .is_noop());
    meter.observe_gauge(&name(103), &MetricMeta::EMPTY, Box::new(|| 1.0));
    meter.observe_counter(&name(104), &MetricMeta::EMPTY, Box::new(|| 1.0));
    // A refused name asked again is counted again (a dynamic call site).
    meter.counter(&name(11), &MetricMeta::EMPTY).increment(1);
    // Names already admitted keep working past the limit.
    meter.counter(&name(0), &MetricMeta::EMPTY).increment(1);

    let snap = meter.snapshot();
    let names: Vec<&str> = snap.families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "name_000_total",
            "name_001_total",
            "name_002_total",
            "name_003_total",
            "name_004_total",
            OVERFLOW,
        ]
    );
    assert_eq!(
        snap.series("name_000_total", &[]).unwrap().value,
        SeriesValue::Counter(2)
    );
    assert_eq!(
        snap.series(OVERFLOW, &[]).unwrap().value,
        SeriesValue::Counter(7 + 5 + 1),
        "7 counters, 5 other registrations, 1 repeated name"
    );
}

#[test]
fn the_default_limit_is_2000_names() {
    let meter = SdkMeter::new();
    for i in 0..2100 {
        meter.counter(&name(i), &MetricMeta::EMPTY).increment(1);
    }
    let snap = meter.snapshot();
    assert_eq!(snap.families.len(), 2000 + 1, "2000 names and the counter");
    assert_eq!(
        snap.series(OVERFLOW, &[]).unwrap().value,
        SeriesValue::Counter(100)
    );
}

#[test]
fn the_limit_does_not_stop_the_other_overflow_counters() {
    let meter = SdkMeter::builder()
        .with_family_limit(1)
        .with_cardinality_limit(1)
        .build()
        .unwrap();
    let user = |u: &str| {
        Key::with_labels(
            "logins_total".to_owned(),
            vec![omniscope::metrics::Label::new("user", u.to_owned())],
        )
    };
    meter.counter(&user("a"), &MetricMeta::EMPTY).increment(1);
    meter.counter(&user("b"), &MetricMeta::EMPTY).increment(1);
    assert!(meter.gauge(&user("a"), &MetricMeta::EMPTY).is_noop());
    let snap = meter.snapshot();
    let series = |family: &str| {
        snap.series(family, &[("metric", "logins_total")])
            .map(|s| s.value.clone())
    };
    assert_eq!(
        series("omniscope.metric.cardinality_overflow"),
        Some(SeriesValue::Counter(1))
    );
    assert_eq!(
        series("omniscope.metric.kind_conflicts"),
        Some(SeriesValue::Counter(1))
    );
    assert!(snap.family(OVERFLOW).is_none(), "nothing refused");
}
