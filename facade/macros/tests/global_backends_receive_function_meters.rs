//! With global backends (no `testing` capture): calls made before a meter
//! is installed record nothing, calls after report through the late-bound
//! handles, with units; the tracer sees the site's level, kind and function.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::spans_compiled_in;
use omniscope::metrics::{
    Counter, CounterFn, Histogram, HistogramFn, Key, Meter, MetricMeta, Unit, UpDownCounter,
    UpDownCounterFn,
};
use omniscope::sync::lock;
use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{instrument, Level, SpanContext, SpanId, SpanKind, TraceFlags, TraceId, Tracer};

type Series = Arc<Mutex<BTreeMap<String, (f64, usize)>>>;

#[derive(Default)]
struct TestMeter {
    series: Series,
    units: Mutex<BTreeMap<String, Unit>>,
}

struct Cell(Series, String);

impl Cell {
    fn add(&self, value: f64) {
        let mut series = lock(&self.0);
        let entry = series.entry(self.1.clone()).or_default();
        entry.0 += value;
        entry.1 += 1;
    }
}

impl CounterFn for Cell {
    fn increment(&self, value: u64) {
        self.add(value as f64);
    }
}

impl UpDownCounterFn for Cell {
    fn add(&self, value: i64) {
        Cell::add(self, value as f64);
    }
}

impl HistogramFn for Cell {
    fn record(&self, value: f64) {
        self.add(value);
    }
}

impl TestMeter {
    fn cell(&self, key: &Key<'_>, meta: &MetricMeta) -> Arc<Cell> {
        lock(&self.units).insert(key.name().to_owned(), meta.unit());
        Arc::new(Cell(self.series.clone(), key.to_string()))
    }
}

impl Meter for TestMeter {
    fn counter(&self, key: &Key<'_>, meta: &MetricMeta) -> Counter {
        Counter::from_arc(self.cell(key, meta))
    }

    fn up_down_counter(&self, key: &Key<'_>, meta: &MetricMeta) -> UpDownCounter {
        UpDownCounter::from_arc(self.cell(key, meta))
    }

    fn histogram(&self, key: &Key<'_>, meta: &MetricMeta) -> Histogram {
        Histogram::from_arc(self.cell(key, meta))
    }
}

/// A started span's name, level, kind and function.
type Started = (String, Level, SpanKind, Option<&'static str>);

#[derive(Default)]
struct TestTracer {
    next: AtomicU64,
    started: Mutex<Vec<Started>>,
}

impl Tracer for TestTracer {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let site = start.site();
        lock(&self.started).push((
            start.name().to_owned(),
            site.level(),
            site.kind(),
            site.function(),
        ));
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let context = SpanContext::new(
            TraceId::from_u128(u128::from(id)),
            SpanId::from_u64(id),
            TraceFlags::SAMPLED,
        );
        StartedSpan::recording(context, SpanToken(id))
    }

    fn end(&self, _: SpanToken) {}
}

#[instrument(level = "debug", kind = "server")]
fn handle(fail: bool) -> Result<(), std::fmt::Error> {
    if fail {
        Err(std::fmt::Error)
    } else {
        Ok(())
    }
}

#[test]
fn global_meter_and_tracer_receive_function_telemetry() {
    let function = concat!(module_path!(), "::handle");
    handle(false).unwrap(); // before install: records nothing, binds nothing

    let meter = TestMeter::default();
    let series = meter.series.clone();
    let meter: &'static TestMeter = Box::leak(Box::new(meter));
    assert!(omniscope::set_meter(meter).is_ok(), "first install");
    let tracer: &'static TestTracer = Box::leak(Box::default());
    assert!(omniscope::set_tracer(tracer).is_ok(), "first install");

    handle(false).unwrap();
    handle(true).unwrap_err();

    let series = series.lock().unwrap().clone();
    let get = |key: String| {
        series
            .get(&key)
            .copied()
            .unwrap_or_else(|| panic!("no {key} in {series:#?}"))
    };
    assert_eq!(
        get(format!("function.calls{{function={function:?}}}")),
        (2.0, 2)
    );
    assert_eq!(
        get(format!("function.in_flight{{function={function:?}}}")).0,
        0.0
    );
    assert_eq!(
        get(format!(
            "function.errors{{function={function:?},kind=\"fmt::Error\"}}"
        )),
        (1.0, 1)
    );
    for outcome in ["ok", "error"] {
        let key = format!("function.duration{{function={function:?},outcome=\"{outcome}\"}}");
        assert_eq!(get(key).1, 1, "{outcome}");
    }
    let units = meter.units.lock().unwrap();
    assert_eq!(units["function.duration"], Unit::SECONDS);
    assert_eq!(units["function.calls"], Unit::custom("{call}"));

    if !spans_compiled_in() {
        return;
    }
    let started = tracer.started.lock().unwrap();
    assert_eq!(started.len(), 2, "the call before install started no span");
    assert_eq!(
        started[0],
        (
            "handle".to_owned(),
            Level::Debug,
            SpanKind::Server,
            Some(function)
        )
    );
}
