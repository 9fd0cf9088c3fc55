//! Acceptance: metric handles made before a meter is installed — a
//! `static LazyCounter`, a `counter!` call site, a handle from
//! `metrics::counter`, a gauge registered with `metrics::observe_gauge` —
//! report exactly the increments made after the install.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use omniscope::metrics::{
    self, Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, Label, LazyCounter,
    LazyGauge, LazyHistogram, LazyUpDownCounter, MetricMeta, Unit, UpDownCounter, UpDownCounterFn,
};
use omniscope::{counter, gauge, histogram, up_down_counter, Meter};

/// One series: atomic cells for every instrument kind.
#[derive(Default)]
struct Cell {
    count: AtomicU64,
    sum: AtomicI64,
    /// Gauge value and histogram samples, as f64 bits (last write wins).
    last: AtomicU64,
    samples: AtomicU64,
}

impl CounterFn for Cell {
    fn increment(&self, value: u64) {
        self.count.fetch_add(value, Ordering::Relaxed);
    }
}

impl UpDownCounterFn for Cell {
    fn add(&self, value: i64) {
        self.sum.fetch_add(value, Ordering::Relaxed);
    }
}

impl GaugeFn for Cell {
    fn set(&self, value: f64) {
        self.last.store(value.to_bits(), Ordering::Relaxed);
    }

    fn add(&self, value: f64) {
        let old = f64::from_bits(self.last.load(Ordering::Relaxed));
        self.last.store((old + value).to_bits(), Ordering::Relaxed);
    }
}

impl HistogramFn for Cell {
    fn record(&self, value: f64) {
        self.samples.fetch_add(1, Ordering::Relaxed);
        self.last.store(value.to_bits(), Ordering::Relaxed);
    }
}

type Callback = Box<dyn Fn() -> f64 + Send + Sync>;

/// A meter of atomic cells, one per key; clones share the cells.
#[derive(Clone, Default)]
struct CellMeter {
    cells: Arc<Mutex<BTreeMap<String, Arc<Cell>>>>,
    /// How many times a handle was asked for, per key (binding happens once).
    registrations: Arc<Mutex<BTreeMap<String, u32>>>,
    observed: Arc<Mutex<Vec<(String, MetricMeta, Callback)>>>,
}

impl CellMeter {
    fn cell(&self, key: &Key<'_>) -> Arc<Cell> {
        *self
            .registrations
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default() += 1;
        self.cells
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default()
            .clone()
    }

    fn count(&self, key: &str) -> u64 {
        self.cells
            .lock()
            .unwrap()
            .get(key)
            .map_or(0, |c| c.count.load(Ordering::Relaxed))
    }

    fn sum(&self, key: &str) -> i64 {
        self.cells.lock().unwrap()[key].sum.load(Ordering::Relaxed)
    }

    fn last(&self, key: &str) -> f64 {
        f64::from_bits(self.cells.lock().unwrap()[key].last.load(Ordering::Relaxed))
    }

    fn samples(&self, key: &str) -> u64 {
        self.cells.lock().unwrap()[key]
            .samples
            .load(Ordering::Relaxed)
    }

    fn registrations(&self, key: &str) -> u32 {
        self.registrations
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

impl Meter for CellMeter {
    fn counter(&self, key: &Key<'_>, _: &MetricMeta) -> Counter {
        Counter::from_arc(self.cell(key))
    }

    fn up_down_counter(&self, key: &Key<'_>, _: &MetricMeta) -> UpDownCounter {
        UpDownCounter::from_arc(self.cell(key))
    }

    fn gauge(&self, key: &Key<'_>, _: &MetricMeta) -> Gauge {
        Gauge::from_arc(self.cell(key))
    }

    fn histogram(&self, key: &Key<'_>, _: &MetricMeta) -> Histogram {
        Histogram::from_arc(self.cell(key))
    }

    fn observe_gauge(&self, key: &Key<'_>, meta: &MetricMeta, callback: Callback) {
        self.observed
            .lock()
            .unwrap()
            .push((key.to_string(), *meta, callback));
    }
}

const WEB: &[Label<'static>] = &[Label::from_static("channel", "web")];
static ORDERS: LazyCounter = LazyCounter::new(Key::from_static("orders_total", WEB));
static IN_FLIGHT: LazyUpDownCounter = LazyUpDownCounter::new(Key::from_static("in_flight", &[]));
static TEMPERATURE: LazyGauge = LazyGauge::new(Key::from_static("temperature", &[]));
static LATENCY: LazyHistogram = LazyHistogram::new(Key::from_static("latency", &[]));

/// One call site of each macro form, run before and after the install.
fn call_sites(route: &str) {
    counter!("requests_total", "method" => "GET").increment(1);
    counter!("requests_by_route", "route" => route).increment(10);
    up_down_counter!("connections").increment();
    gauge!("queue_depth").set(3.0);
    histogram!("request_seconds").record(0.5);
}

#[test]
fn handles_made_before_install_report_exactly_what_follows_it() {
    let route = String::from("/orders");
    let kept = metrics::counter(
        &Key::new("kept_total", &[Label::new("owner", route.as_str())]),
        &MetricMeta::new(Unit::COUNT, "a handle kept in a struct"),
    );
    let kept_clone = kept.clone();
    metrics::observe_gauge(
        &Key::from_name("pool_size"),
        &MetricMeta::new(Unit::COUNT, "connections in the pool"),
        Box::new(|| 8.0),
    );

    // Before: 5 of everything, all dropped.
    for _ in 0..5 {
        ORDERS.increment(1);
        IN_FLIGHT.add(1);
        TEMPERATURE.set(-40.0);
        LATENCY.record(9.0);
        kept.increment(1);
        kept_clone.increment(1);
        call_sites(&route);
    }

    let meter = CellMeter::default();
    omniscope::set_meter(meter.clone()).unwrap();

    // The gauge registered earlier reached the meter, with its metadata.
    {
        let observed = meter.observed.lock().unwrap();
        assert_eq!(observed.len(), 1);
        let (key, meta, callback) = &observed[0];
        assert_eq!(key, "pool_size");
        assert_eq!(meta.description(), "connections in the pool");
        assert_eq!(callback(), 8.0);
    }

    // After: 7 of everything, from this thread and from 3 others.
    for _ in 0..4 {
        ORDERS.increment(1);
        IN_FLIGHT.add(2);
        TEMPERATURE.set(21.5);
        LATENCY.record(0.25);
        kept.increment(1);
        call_sites(&route);
    }
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                ORDERS.increment(1);
                IN_FLIGHT.add(2);
                kept_clone.increment(1);
                call_sites(&route);
            });
        }
    });

    assert_eq!(meter.count("orders_total{channel=\"web\"}"), 7);
    assert_eq!(meter.sum("in_flight"), 14);
    assert_eq!(meter.last("temperature"), 21.5);
    assert_eq!(meter.samples("latency"), 4);
    assert_eq!(meter.count("kept_total{owner=\"/orders\"}"), 7);
    assert_eq!(meter.count("requests_total{method=\"GET\"}"), 7);
    assert_eq!(meter.count("requests_by_route{route=\"/orders\"}"), 70);
    assert_eq!(meter.sum("connections"), 7);
    assert_eq!(meter.last("queue_depth"), 3.0);
    assert_eq!(meter.samples("request_seconds"), 7);

    // Bound handles bind once; dynamic-label sites look up on every call.
    assert_eq!(meter.registrations("orders_total{channel=\"web\"}"), 1);
    assert_eq!(meter.registrations("requests_total{method=\"GET\"}"), 1);
    assert_eq!(meter.registrations("kept_total{owner=\"/orders\"}"), 1);
    assert_eq!(
        meter.registrations("requests_by_route{route=\"/orders\"}"),
        7
    );

    // Registered after the install: straight to the meter.
    metrics::observe_gauge(
        &Key::from_name("late_gauge"),
        &MetricMeta::EMPTY,
        Box::new(|| 1.0),
    );
    assert_eq!(meter.observed.lock().unwrap().len(), 2);

    // A handle made after the install is the meter's own (no late binding).
    metrics::counter(&Key::from_name("orders_total"), &MetricMeta::EMPTY).increment(5);
    assert_eq!(meter.count("orders_total"), 5);
}
