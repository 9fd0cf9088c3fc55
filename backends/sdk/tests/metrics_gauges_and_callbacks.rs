//! Gauges (set, add), callback gauges and counters read at collection, and
//! up-down counters with their high-water mark.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

#[test]
fn gauges_set_and_add() {
    let meter = SdkMeter::new();
    let g = meter.gauge(&Key::from_name("temperature"), &MetricMeta::EMPTY);
    g.set(20.5);
    g.add(1.5);
    g.add(-2.0);
    assert_eq!(
        meter.snapshot().series("temperature", &[]).unwrap().value,
        SeriesValue::Gauge(20.0)
    );
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let g = g.clone();
            std::thread::spawn(move || (0..1000).for_each(|_| g.add(1.0)))
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(
        meter.snapshot().series("temperature", &[]).unwrap().value,
        SeriesValue::Gauge(4020.0)
    );
}

#[test]
fn callbacks_are_read_at_each_collection() {
    let meter = SdkMeter::new();
    let level = Arc::new(AtomicU64::new(3));
    let l = level.clone();
    let labels = [Label::new("pool", "db")];
    meter.observe_gauge(
        &Key::new("pool_size", &labels),
        &MetricMeta::EMPTY,
        Box::new(move || l.load(Ordering::Relaxed) as f64),
    );
    meter.observe_counter(
        &Key::from_name("process_cpu_seconds_total"),
        &MetricMeta::EMPTY,
        Box::new(|| 1.25),
    );
    assert_eq!(
        meter
            .snapshot()
            .series("pool_size", &[("pool", "db")])
            .unwrap()
            .value,
        SeriesValue::Gauge(3.0)
    );
    level.store(9, Ordering::Relaxed);
    let snap = meter.snapshot();
    assert_eq!(
        snap.series("pool_size", &[("pool", "db")]).unwrap().value,
        SeriesValue::Gauge(9.0)
    );
    assert_eq!(
        snap.series("process_cpu_seconds_total", &[]).unwrap().value,
        SeriesValue::FloatCounter(1.25)
    );
    // A second callback for the same key replaces the first.
    meter.observe_gauge(
        &Key::new("pool_size", &labels),
        &MetricMeta::EMPTY,
        Box::new(|| -1.0),
    );
    let snap = meter.snapshot();
    assert_eq!(snap.family("pool_size").unwrap().series.len(), 1);
    assert_eq!(
        snap.series("pool_size", &[("pool", "db")]).unwrap().value,
        SeriesValue::Gauge(-1.0)
    );
}

#[test]
fn a_panicking_callback_leaves_only_its_series_out() {
    let meter = SdkMeter::new();
    meter.observe_gauge(
        &Key::from_name("broken"),
        &MetricMeta::EMPTY,
        Box::new(|| panic!("callback bug")),
    );
    meter.observe_gauge(
        &Key::from_name("fine"),
        &MetricMeta::EMPTY,
        Box::new(|| 1.0),
    );
    let snap = meter.snapshot();
    assert!(snap.family("broken").is_none());
    assert_eq!(
        snap.series("fine", &[]).unwrap().value,
        SeriesValue::Gauge(1.0)
    );
}

#[test]
fn callbacks_may_use_the_meter() {
    let meter = SdkMeter::new();
    let inner = meter.clone();
    meter.observe_gauge(
        &Key::from_name("reentrant"),
        &MetricMeta::EMPTY,
        Box::new(move || {
            inner
                .counter(&Key::from_name("callback_runs_total"), &MetricMeta::EMPTY)
                .increment(1);
            inner.snapshot().families.len() as f64
        }),
    );
    let _ = meter.snapshot();
    let snap = meter.snapshot();
    assert_eq!(
        snap.series("callback_runs_total", &[]).unwrap().value,
        SeriesValue::Counter(2)
    );
}

#[test]
fn up_down_counters_track_the_high_water_mark() {
    let meter = SdkMeter::new();
    let in_flight =
        meter.up_down_counter(&Key::from_name("function_in_flight"), &MetricMeta::EMPTY);
    in_flight.increment();
    in_flight.increment();
    in_flight.increment();
    in_flight.decrement();
    in_flight.add(-5);
    assert_eq!(
        meter
            .snapshot()
            .series("function_in_flight", &[])
            .unwrap()
            .value,
        SeriesValue::UpDownCounter {
            value: -3,
            high_water: 3
        }
    );
}
