//! A delta reader returns what changed since its previous collection;
//! readers are independent of each other and of cumulative snapshots.

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{
    HistogramSnapshot, MetricsSnapshot, SdkMeter, SeriesValue, Temporality,
};

fn value(snap: &MetricsSnapshot, name: &str) -> Option<SeriesValue> {
    snap.series(name, &[]).map(|s| s.value.clone())
}

fn hist(snap: &MetricsSnapshot, name: &str) -> HistogramSnapshot {
    match value(snap, name) {
        Some(SeriesValue::Histogram(h)) => h,
        other => panic!("{other:?}"),
    }
}

#[test]
fn counters_report_differences_and_readers_are_independent() {
    let meter = SdkMeter::new();
    let c = meter.counter(&Key::from_name("c"), &MetricMeta::EMPTY);
    let mut a = meter.delta_reader();
    c.increment(5);
    let mut b = meter.delta_reader();

    let first = a.collect();
    assert_eq!(first.temporality, Temporality::Delta);
    assert_eq!(value(&first, "c"), Some(SeriesValue::Counter(5)));
    c.increment(3);
    let second = a.collect();
    assert_eq!(value(&second, "c"), Some(SeriesValue::Counter(3)));
    assert_eq!(second.start_time, first.time, "intervals are contiguous");
    // No change: left out.
    assert_eq!(value(&a.collect(), "c"), None);
    // `b` has not collected yet: everything since the meter started.
    assert_eq!(value(&b.collect(), "c"), Some(SeriesValue::Counter(8)));
    // Cumulative snapshots are unaffected.
    assert_eq!(value(&meter.snapshot(), "c"), Some(SeriesValue::Counter(8)));
    let callback_total = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let cb = callback_total.clone();
    meter.observe_counter(
        &Key::from_name("cpu_seconds_total"),
        &MetricMeta::EMPTY,
        Box::new(move || cb.load(std::sync::atomic::Ordering::Relaxed) as f64 / 2.0),
    );
    callback_total.store(3, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        value(&a.collect(), "cpu_seconds_total"),
        Some(SeriesValue::FloatCounter(1.5))
    );
    callback_total.store(7, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        value(&a.collect(), "cpu_seconds_total"),
        Some(SeriesValue::FloatCounter(2.0))
    );
}

#[test]
fn histograms_report_interval_buckets_sum_and_quantiles() {
    let meter = SdkMeter::builder()
        .with_histogram_buckets("h", vec![1.0, 10.0])
        .build()
        .unwrap();
    let h = meter.histogram(&Key::from_name("h"), &MetricMeta::EMPTY);
    let mut reader = meter.delta_reader();
    for _ in 0..100 {
        h.record(5.0);
    }
    h.record(0.5);
    let first = hist(&reader.collect(), "h");
    assert_eq!((first.count, first.sum), (101, 500.5));
    assert_eq!((first.min, first.max), (0.5, 5.0));

    for _ in 0..10 {
        h.record(20.0);
    }
    h.record(3.0);
    let second = hist(&reader.collect(), "h");
    assert_eq!(second.count, 11);
    assert_eq!(second.sum, 203.0);
    let counts: Vec<u64> = second.buckets.iter().map(|b| b.count).collect();
    assert_eq!(counts, [0, 1, 10]);
    assert_eq!(second.max, 20.0, "a new all-time max is exact");
    assert!(
        (second.min - 3.0).abs() <= 0.03 + 1e-9,
        "interval min from the sketch: {}",
        second.min
    );
    let p50 = second.quantiles[0].1;
    assert!((p50 - 20.0).abs() <= 0.2 + 1e-9, "interval p50 {p50}");

    let cumulative = hist(&meter.snapshot(), "h");
    assert_eq!(cumulative.count, 112);
    assert_eq!(cumulative.min, 0.5);
    assert!(
        value(&reader.collect(), "h").is_none(),
        "no new samples: left out"
    );
}

#[test]
fn up_down_counters_report_the_current_sum_and_the_interval_high_water() {
    let meter = SdkMeter::new();
    let u = meter.up_down_counter(&Key::from_name("in_flight"), &MetricMeta::EMPTY);
    let mut a = meter.delta_reader();
    let mut b = meter.delta_reader();
    u.add(10);
    u.add(-8); // sum 2, high 10
    assert_eq!(
        value(&a.collect(), "in_flight"),
        Some(SeriesValue::UpDownCounter {
            value: 2,
            high_water: 10
        })
    );
    u.add(3);
    u.add(-4); // sum 1, high since a's collect: 5
    assert_eq!(
        value(&a.collect(), "in_flight"),
        Some(SeriesValue::UpDownCounter {
            value: 1,
            high_water: 5
        })
    );
    // `b` saw neither collection: its interval covers both peaks.
    assert_eq!(
        value(&b.collect(), "in_flight"),
        Some(SeriesValue::UpDownCounter {
            value: 1,
            high_water: 10
        })
    );
    // Quiet interval: the high-water mark is the level it stayed at.
    assert_eq!(
        value(&a.collect(), "in_flight"),
        Some(SeriesValue::UpDownCounter {
            value: 1,
            high_water: 1
        })
    );
    assert_eq!(
        value(&meter.snapshot(), "in_flight"),
        Some(SeriesValue::UpDownCounter {
            value: 1,
            high_water: 10
        })
    );
}

#[test]
fn gauges_are_always_reported() {
    let meter = SdkMeter::new();
    meter
        .gauge(&Key::from_name("g"), &MetricMeta::EMPTY)
        .set(4.0);
    let mut reader = meter.delta_reader();
    assert_eq!(value(&reader.collect(), "g"), Some(SeriesValue::Gauge(4.0)));
    assert_eq!(value(&reader.collect(), "g"), Some(SeriesValue::Gauge(4.0)));
}

#[test]
fn dropped_readers_are_forgotten() {
    let meter = SdkMeter::new();
    let c = meter.counter(&Key::from_name("c"), &MetricMeta::EMPTY);
    drop(meter.delta_reader());
    c.increment(1);
    let mut r = meter.delta_reader();
    assert_eq!(value(&r.collect(), "c"), Some(SeriesValue::Counter(1)));
    assert!(format!("{r:?}").contains("DeltaReader"));
    assert_eq!(r.meter().snapshot().families.len(), 1);
}
