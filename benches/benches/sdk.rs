//! omniscope-sdk against its peer crates, in one process (issue text and
//! budgets in DESIGN.md, "Budgets"). Group and id names are fixed:
//! `scripts/bench-report` and earlier results refer to them.
//!
//! Everything is installed once, at the first group, through each crate's
//! normal global path (see `omniscope_benches::sinks`): the omniscope SDK
//! (its meter, and a tracer `AlwaysOn` exporting to a no-op exporter), a
//! no-op facade logger, a no-op `log` logger, a `metrics` recorder, a
//! `tracing` `Registry` as the global default, fastrace's reporter, and
//! OpenTelemetry's tracer and meter providers (used directly, not through
//! `opentelemetry::global`).
//!
//! - `log_enabled_noop_sink`: `info!("x {}", n)` passing the level filter
//!   (`Info` for both) to a logger that does nothing: dispatch, not
//!   formatting.
//! - `counter_inc`: one increment of a bound handle, one thread. omniscope:
//!   the `counter!("x_total")` call site (cached) and, as
//!   `omniscope_handle`, a handle from `omniscope::metrics::counter` kept in
//!   a local; `metrics`: a `Counter` from the recorder (`metrics-util`
//!   `AtomicStorage`); `prometheus`: a registered `IntCounter`;
//!   `prometheus_client`: a registered `Counter<u64>`; `opentelemetry`:
//!   `Counter<u64>::add(1, &[])`; `opentelemetry_bound`: the same counter
//!   bound with `bind(&[])` (0.33's `experimental_metrics_bound_instruments`);
//!   `atomic`: `fetch_add(1, Relaxed)` on a static.
//! - `histogram_record`: one record of a bound handle, the value taken in
//!   turn from `HISTOGRAM_VALUES` (Prometheus' default buckets for every
//!   crate that has buckets; `metrics` keeps raw samples, drained outside
//!   the timed region as its exporters' upkeep would).
//! - `counter_inc_2_threads`: as `counter_inc`, with a second thread
//!   incrementing the same counter at the same time (`timing::Contender`:
//!   both threads do N increments, time = wall time / N).
//! - `span_start_end`: a span started and ended (made current while open,
//!   as `span!` does) as a child of a sampled root, recorded and exported
//!   to a no-op exporter through each crate's batching path
//!   (`timing::iter_under_roots`: 256 children per root, the root outside
//!   the timed region). omniscope: `span!("x")`; fastrace: a
//!   `LocalSpan::enter_with_local_parent` under `Span::root` set as the
//!   local parent (what `#[fastrace::trace]` does in sync code);
//!   `tracing`: `info_span!("x").entered()` on a bare `Registry`;
//!   `opentelemetry`: `tracer.start("x")` made current with
//!   `mark_span_as_active`, as `Tracer::in_span` does, with the
//!   thread-based `BatchSpanProcessor`. `tracing_opentelemetry` is measured
//!   in `sdk_tracing_otel.rs` (another global `tracing` subscriber).
//! - `span_4_attrs`: the same with four attributes (u64, bool, f64, &str;
//!   fastrace takes strings, so the three others are formatted).
//!
//! After each span group, one `bench-note` line per id: the timed cost per
//! child, the CPU time of the whole process per span (every thread, so
//! background conversion and export count), and how many spans the
//! exporter received or the pipeline counted as dropped. Each crate's
//! pipeline is flushed after every sample, outside the timed region (see
//! `span_start_end`).

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use fastrace::prelude::{LocalSpan, Span as FastraceSpan, SpanContext as FastraceContext};
use omniscope::metrics::{Key, MetricMeta};
use omniscope_benches::sinks::{
    self, AtomicRecorder, Delivered, FastraceSink, OmniscopeSdk, OtelSpanSink,
};
use omniscope_benches::timing::{iter_under_roots, Contender, SpanStats};
use omniscope_benches::{note, HISTOGRAM_VALUES};
use omniscope_sdk::trace::Sampler;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{mark_span_as_active, Tracer as _, TracerProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer as OtelTracer, SdkTracerProvider};

/// What every group uses, installed once.
struct Peers {
    omniscope: OmniscopeSdk,
    metrics: AtomicRecorder,
    otel_meters: SdkMeterProvider,
    otel_traces: SdkTracerProvider,
    otel_spans: OtelSpanSink,
    otel_tracer: OtelTracer,
    fastrace: FastraceSink,
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let omniscope = sinks::omniscope_sdk(Sampler::AlwaysOn);
        if omniscope::set_logger(sinks::NoopSink).is_err() {
            panic!("an omniscope logger is already installed");
        }
        omniscope::set_max_level(omniscope::LevelFilter::Info);
        if log::set_logger(&sinks::NoopLog).is_err() {
            panic!("a `log` logger is already installed");
        }
        log::set_max_level(log::LevelFilter::Info);
        let metrics = AtomicRecorder::new();
        if metrics::set_global_recorder(metrics.clone()).is_err() {
            panic!("a `metrics` recorder is already installed");
        }
        if tracing::subscriber::set_global_default(tracing_subscriber::registry()).is_err() {
            panic!("a `tracing` subscriber is already installed");
        }
        let (otel_traces, otel_spans) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
        Peers {
            omniscope,
            metrics,
            otel_meters: sinks::otel_meter_provider(),
            otel_tracer: otel_traces.tracer("omniscope-benches"),
            otel_traces,
            otel_spans,
            fastrace: sinks::fastrace_reporter(),
        }
    })
}

fn log_enabled_noop_sink(c: &mut Criterion) {
    peers();
    assert!(omniscope::Level::Info <= omniscope::max_level());
    assert!(log::Level::Info <= log::max_level());
    let mut group = c.benchmark_group("log_enabled_noop_sink");
    omniscope_benches::enabled_log_calls(&mut group);
    group.finish();
}

static ATOMIC: AtomicU64 = AtomicU64::new(0);
static ATOMIC_2_THREADS: AtomicU64 = AtomicU64::new(0);

fn counter_inc(c: &mut Criterion) {
    let peers = peers();
    let otel = peers
        .otel_meters
        .meter("omniscope-benches")
        .u64_counter("x_total")
        .build();
    let prometheus_registry = prometheus::Registry::new();
    let mut client_registry = prometheus_client::registry::Registry::default();

    let mut group = c.benchmark_group("counter_inc");
    group.bench_function("omniscope", |b| {
        b.iter(|| omniscope::counter!("x_total").increment(black_box(1)));
    });
    let handle = omniscope::metrics::counter(&Key::from_static("x_total", &[]), &MetricMeta::EMPTY);
    group.bench_function("omniscope_handle", |b| {
        b.iter(|| handle.increment(black_box(1)))
    });
    let counter = metrics::counter!("x_total");
    group.bench_function("metrics", |b| b.iter(|| counter.increment(black_box(1))));
    let counter = prometheus_int_counter(&prometheus_registry, "x_total");
    group.bench_function("prometheus", |b| b.iter(|| counter.inc_by(black_box(1))));
    let counter = prometheus_client::metrics::counter::Counter::<u64>::default();
    client_registry.register("x", "x", counter.clone());
    group.bench_function("prometheus_client", |b| {
        b.iter(|| counter.inc_by(black_box(1)))
    });
    group.bench_function("opentelemetry", |b| b.iter(|| otel.add(black_box(1), &[])));
    let bound = otel.bind(&[]);
    group.bench_function("opentelemetry_bound", |b| {
        b.iter(|| bound.add(black_box(1)))
    });
    group.bench_function("atomic", |b| {
        b.iter(|| black_box(&ATOMIC).fetch_add(black_box(1), Ordering::Relaxed));
    });
    group.finish();
}

fn prometheus_int_counter(registry: &prometheus::Registry, name: &str) -> prometheus::IntCounter {
    let counter = match prometheus::IntCounter::new(name, "x") {
        Ok(counter) => counter,
        Err(e) => panic!("prometheus counter: {e}"),
    };
    if let Err(e) = registry.register(Box::new(counter.clone())) {
        panic!("prometheus register: {e}");
    }
    counter
}

/// Records the values of `HISTOGRAM_VALUES` in turn with `record`.
fn record_cycling(b: &mut Bencher<'_>, record: impl Fn(f64)) {
    let mut i = 0_usize;
    b.iter(|| {
        record(black_box(HISTOGRAM_VALUES[i % HISTOGRAM_VALUES.len()]));
        i = i.wrapping_add(1);
    });
}

fn histogram_record(c: &mut Criterion) {
    let peers = peers();
    let buckets = prometheus::DEFAULT_BUCKETS.to_vec();
    let otel = peers
        .otel_meters
        .meter("omniscope-benches")
        .f64_histogram("y_seconds")
        .with_boundaries(buckets.clone())
        .build();
    let prometheus_registry = prometheus::Registry::new();
    let mut client_registry = prometheus_client::registry::Registry::default();

    let mut group = c.benchmark_group("histogram_record");
    group.bench_function("omniscope", |b| {
        record_cycling(b, |v| omniscope::histogram!("y_seconds").record(v))
    });
    let histogram = metrics::histogram!("y_seconds");
    group.bench_function("metrics", |b| {
        // The same loop as `record_cycling`, with the samples drained
        // before each timed run (memory would grow by 8 bytes a record).
        let mut i = 0_usize;
        b.iter_custom(|iters| {
            peers.metrics.drain_histograms();
            let start = std::time::Instant::now();
            for _ in 0..iters {
                histogram.record(black_box(HISTOGRAM_VALUES[i % HISTOGRAM_VALUES.len()]));
                i = i.wrapping_add(1);
            }
            start.elapsed()
        });
        peers.metrics.drain_histograms();
    });
    let histogram =
        match prometheus::Histogram::with_opts(prometheus::HistogramOpts::new("y_seconds", "y")) {
            Ok(histogram) => histogram,
            Err(e) => panic!("prometheus histogram: {e}"),
        };
    if let Err(e) = prometheus_registry.register(Box::new(histogram.clone())) {
        panic!("prometheus register: {e}");
    }
    group.bench_function("prometheus", |b| {
        record_cycling(b, |v| histogram.observe(v))
    });
    let histogram = prometheus_client::metrics::histogram::Histogram::new(buckets.iter().copied());
    client_registry.register("y_seconds", "y", histogram.clone());
    group.bench_function("prometheus_client", |b| {
        record_cycling(b, |v| histogram.observe(v))
    });
    group.bench_function("opentelemetry", |b| {
        record_cycling(b, |v| otel.record(v, &[]))
    });
    let bound = otel.bind(&[]);
    group.bench_function("opentelemetry_bound", |b| {
        record_cycling(b, |v| bound.record(v))
    });
    group.finish();
}

fn counter_inc_2_threads(c: &mut Criterion) {
    let peers = peers();
    let otel = peers
        .otel_meters
        .meter("omniscope-benches")
        .u64_counter("z_total")
        .build();

    let mut group = c.benchmark_group("counter_inc_2_threads");
    let op = || omniscope::counter!("z_total").increment(black_box(1));
    Contender::with(&op, |t| {
        group.bench_function("omniscope", |b| b.iter_custom(|n| t.run(n)))
    });
    let counter = metrics::counter!("z_total");
    let op = || counter.increment(black_box(1));
    Contender::with(&op, |t| {
        group.bench_function("metrics", |b| b.iter_custom(|n| t.run(n)))
    });
    let op = || otel.add(black_box(1), &[]);
    Contender::with(&op, |t| {
        group.bench_function("opentelemetry", |b| b.iter_custom(|n| t.run(n)))
    });
    let bound = otel.bind(&[]);
    let op = || bound.add(black_box(1));
    Contender::with(&op, |t| {
        group.bench_function("opentelemetry_bound", |b| b.iter_custom(|n| t.run(n)))
    });
    let op = || {
        black_box(&ATOMIC_2_THREADS).fetch_add(black_box(1), Ordering::Relaxed);
    };
    Contender::with(&op, |t| {
        group.bench_function("atomic", |b| b.iter_custom(|n| t.run(n)))
    });
    group.finish();
}

/// A fastrace root set as the local parent, as a request handler does.
fn fastrace_root() -> (FastraceSpan, fastrace::local::LocalParentGuard) {
    let root = FastraceSpan::root("root", FastraceContext::random());
    let guard = root.set_local_parent();
    (root, guard)
}

/// What each pipeline had delivered when a span group started.
struct Before {
    omniscope: Delivered,
    fastrace: Delivered,
    opentelemetry: Delivered,
}

fn flush_all() -> Before {
    let peers = peers();
    Before {
        omniscope: peers.omniscope.flush_spans(),
        fastrace: peers.fastrace.flush_spans(),
        opentelemetry: sinks::otel_flush_spans(&peers.otel_traces, &peers.otel_spans),
    }
}

/// The stats of each id of a span group.
#[derive(Default)]
struct Ids {
    omniscope: SpanStats,
    fastrace: SpanStats,
    tracing: SpanStats,
    opentelemetry: SpanStats,
}

fn span_notes(group: &str, before: &Before, ids: &Ids) {
    let after = flush_all();
    let line = |id: &str, stats: &SpanStats, delivered: String| {
        note(&format!("{group}/{id}: {}; {delivered}", stats.summary()));
    };
    line(
        "omniscope",
        &ids.omniscope,
        after
            .omniscope
            .since(before.omniscope, ids.omniscope.total()),
    );
    line(
        "fastrace",
        &ids.fastrace,
        after.fastrace.since(before.fastrace, ids.fastrace.total()),
    );
    line(
        "tracing",
        &ids.tracing,
        "no exporter (a bare `Registry`)".to_owned(),
    );
    line(
        "opentelemetry",
        &ids.opentelemetry,
        after
            .opentelemetry
            .since(before.opentelemetry, ids.opentelemetry.total()),
    );
}

// In both span groups, `after` (untimed) flushes the crate's pipeline after
// each sample: every crate starts each sample with empty queues, and the
// process CPU in the notes covers all the work for the spans of the sample.
// fastrace needs it most: its collector does the conversion work on its own
// thread, slower than the bench starts spans, and queues the rest without
// bound (gigabytes within seconds without the flush).

fn span_start_end(c: &mut Criterion) {
    let peers = peers();
    let tracer = &peers.otel_tracer;
    let before = flush_all();
    let mut ids = Ids::default();
    let mut group = c.benchmark_group("span_start_end");
    group.bench_function("omniscope", |b| {
        iter_under_roots(
            b,
            &mut ids.omniscope,
            || (omniscope::span!("root"), ()),
            || {
                let _span = omniscope::span!("x");
            },
            || {
                let _ = peers.omniscope.flush_spans();
            },
        );
    });
    group.bench_function("fastrace", |b| {
        iter_under_roots(
            b,
            &mut ids.fastrace,
            fastrace_root,
            || {
                let _span = LocalSpan::enter_with_local_parent("x");
            },
            || {
                let _ = peers.fastrace.flush_spans();
            },
        );
    });
    group.bench_function("tracing", |b| {
        iter_under_roots(
            b,
            &mut ids.tracing,
            || (tracing::info_span!("root").entered(), ()),
            || {
                let _span = tracing::info_span!("x").entered();
            },
            || {},
        );
    });
    group.bench_function("opentelemetry", |b| {
        iter_under_roots(
            b,
            &mut ids.opentelemetry,
            || (mark_span_as_active(tracer.start("root")), ()),
            || {
                let _span = mark_span_as_active(tracer.start("x"));
            },
            || {
                let _ = sinks::otel_flush_spans(&peers.otel_traces, &peers.otel_spans);
            },
        );
    });
    group.finish();
    span_notes("span_start_end", &before, &ids);
}

fn span_4_attrs(c: &mut Criterion) {
    let peers = peers();
    let tracer = &peers.otel_tracer;
    let before = flush_all();
    let mut ids = Ids::default();
    let mut group = c.benchmark_group("span_4_attrs");
    group.bench_function("omniscope", |b| {
        iter_under_roots(
            b,
            &mut ids.omniscope,
            || (omniscope::span!("root"), ()),
            || {
                let (count, ok, ratio, route) = attrs();
                let _span =
                    omniscope::span!("x", count = count, ok = ok, ratio = ratio, route = route);
            },
            || {
                let _ = peers.omniscope.flush_spans();
            },
        );
    });
    group.bench_function("fastrace", |b| {
        iter_under_roots(
            b,
            &mut ids.fastrace,
            fastrace_root,
            || {
                let (count, ok, ratio, route) = attrs();
                let _span = LocalSpan::enter_with_local_parent("x").with_properties(|| {
                    [
                        ("count", Cow::Owned(count.to_string())),
                        ("ok", Cow::Owned(ok.to_string())),
                        ("ratio", Cow::Owned(ratio.to_string())),
                        ("route", Cow::Borrowed(route)),
                    ]
                });
            },
            || {
                let _ = peers.fastrace.flush_spans();
            },
        );
    });
    group.bench_function("tracing", |b| {
        iter_under_roots(
            b,
            &mut ids.tracing,
            || (tracing::info_span!("root").entered(), ()),
            || {
                let (count, ok, ratio, route) = attrs();
                let _span =
                    tracing::info_span!("x", count = count, ok = ok, ratio = ratio, route = route)
                        .entered();
            },
            || {},
        );
    });
    group.bench_function("opentelemetry", |b| {
        iter_under_roots(
            b,
            &mut ids.opentelemetry,
            || (mark_span_as_active(tracer.start("root")), ()),
            || {
                let (count, ok, ratio, route) = attrs();
                let span = tracer
                    .span_builder("x")
                    .with_attributes([
                        // OpenTelemetry has no unsigned attribute value.
                        KeyValue::new("count", count as i64),
                        KeyValue::new("ok", ok),
                        KeyValue::new("ratio", ratio),
                        KeyValue::new("route", route),
                    ])
                    .start(tracer);
                let _span = mark_span_as_active(span);
            },
            || {
                let _ = sinks::otel_flush_spans(&peers.otel_traces, &peers.otel_spans);
            },
        );
    });
    group.finish();
    span_notes("span_4_attrs", &before, &ids);
}

/// The four attribute values, opaque to the optimizer.
#[inline(always)]
fn attrs() -> (u64, bool, f64, &'static str) {
    (
        black_box(200),
        black_box(true),
        black_box(0.25),
        black_box("/orders/{id}"),
    )
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = log_enabled_noop_sink, counter_inc, histogram_record, counter_inc_2_threads, span_start_end, span_4_attrs
}
criterion_main!(benches);
