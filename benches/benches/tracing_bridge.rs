//! `tracing` into omniscope (`omniscope-tracing`) against `tracing` into
//! OpenTelemetry (`tracing-opentelemetry` over `opentelemetry_sdk`), in one
//! process (issue #14, item 6; DESIGN.md budget: at least 5 × faster per
//! span). Each peer is a `Registry` with its layer, made the thread's
//! `tracing` dispatcher for its own ids only (`dispatcher::with_default`),
//! so both run in the same process and run.
//!
//! - omniscope: the SDK installed as the facade's globals, its tracer
//!   `AlwaysOn` exporting to a counting no-op exporter, its logger (no rate
//!   limit) exporting to another. Two ids: `omniscope_tracing`, the layer
//!   on a `Registry` (for applications with a `tracing-subscriber` stack),
//!   and `omniscope_subscriber`, the standalone `OmniscopeSubscriber` (what
//!   the kit's `with_tracing_bridge` installs), which keeps its spans in a
//!   pool of its own.
//! - `registry_alone`: a bare `Registry` with no layer: what any layer on a
//!   `Registry` pays before its own work (the floor of `omniscope_tracing`
//!   and of `tracing_opentelemetry` alike).
//! - OpenTelemetry: `tracing_opentelemetry::layer()` with its defaults over
//!   the tracer of `sinks::otel_tracer_provider` (`AlwaysOn`, thread-based
//!   `BatchSpanProcessor`, no-op exporter), as in `sdk_tracing_otel.rs`.
//!
//! Groups:
//! - `tracing_span`: `info_span!("x").entered()` as a child of an entered
//!   root (`timing::iter_under_roots`: 256 children per root, the root
//!   outside the timed region, the pipeline flushed after each sample).
//! - `tracing_span_4_attrs`: the same with four fields (u64, bool, f64, &str).
//! - `tracing_event`: `info!(n = …, "event")` inside an entered span, 64
//!   events per span (under OpenTelemetry's 128 events per span, so none is
//!   dropped there), the span opened and ended outside the timed region.
//!   omniscope: a log record through the SDK's log pipeline; OpenTelemetry:
//!   an event on the span, its default event path.
//!
//! A `bench-note` line per id says what each pipeline delivered.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use omniscope_benches::note;
use omniscope_benches::sinks::{self, OtelSpanSink, SpanSink};
use omniscope_benches::timing::{iter_under_roots, SpanStats};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt as _;

/// Events per span in `tracing_event`.
const EVENTS_PER_SPAN: u64 = 64;

/// An omniscope log exporter that counts the records it receives.
#[derive(Debug, Clone, Default)]
struct LogSink {
    received: Arc<AtomicU64>,
}

impl Exporter<LogData> for LogSink {
    fn name(&self) -> &str {
        "noop"
    }

    fn export(&mut self, batch: &Batch<LogData>, _: &Resource) -> Result<Accepted, ExportError> {
        self.received
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(Accepted::All)
    }
}

struct Peers {
    omniscope: SdkGuard,
    spans: SpanSink,
    logs: LogSink,
    omniscope_dispatch: Dispatch,
    subscriber_dispatch: Dispatch,
    registry_dispatch: Dispatch,
    otel: SdkTracerProvider,
    otel_spans: OtelSpanSink,
    otel_dispatch: Dispatch,
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let spans = SpanSink::default();
        let logs = LogSink::default();
        let omniscope = Sdk::builder()
            .with_resource(Resource::new("omniscope-benches"))
            .with_tracer(
                SdkTracer::builder()
                    .with_sampler(Sampler::AlwaysOn)
                    .with_exporter(Box::new(spans.clone())),
            )
            .with_logger(
                SdkLogger::builder()
                    .without_rate_limit()
                    .with_exporter(Box::new(logs.clone())),
            )
            .install();
        let omniscope = match omniscope {
            Ok(guard) => guard,
            Err(e) => panic!("cannot install the omniscope SDK: {e}"),
        };
        let omniscope_dispatch =
            Dispatch::new(tracing_subscriber::registry().with(omniscope_tracing::layer()));
        let subscriber_dispatch = Dispatch::new(omniscope_tracing::OmniscopeSubscriber::new());
        let registry_dispatch = Dispatch::new(tracing_subscriber::registry());
        let (otel, otel_spans) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
        let otel_dispatch = Dispatch::new(
            tracing_subscriber::registry()
                .with(tracing_opentelemetry::layer().with_tracer(otel.tracer("omniscope-benches"))),
        );
        Peers {
            omniscope,
            spans,
            logs,
            omniscope_dispatch,
            subscriber_dispatch,
            registry_dispatch,
            otel,
            otel_spans,
            otel_dispatch,
        }
    })
}

/// Flushes omniscope's pipelines; returns (spans, logs) exported so far.
fn omniscope_flush(peers: &Peers) -> (u64, u64) {
    let _ = peers
        .omniscope
        .sdk()
        .flush(Instant::now() + Duration::from_secs(30));
    (
        peers.spans.received(),
        peers.logs.received.load(Ordering::Relaxed),
    )
}

fn otel_flush(peers: &Peers) -> u64 {
    sinks::otel_flush_spans(&peers.otel, &peers.otel_spans).exported
}

/// One span group: `child` under roots, through each peer.
fn span_group(c: &mut Criterion, group: &str, child: impl Fn() + Copy) {
    let peers = peers();
    let mut g = c.benchmark_group(group);
    for (id, dispatch) in [
        ("omniscope_tracing", &peers.omniscope_dispatch),
        ("omniscope_subscriber", &peers.subscriber_dispatch),
    ] {
        let (spans_before, _) = omniscope_flush(peers);
        let mut stats = SpanStats::default();
        tracing::dispatcher::with_default(dispatch, || {
            g.bench_function(id, |b| {
                iter_under_roots(
                    b,
                    &mut stats,
                    || (tracing::info_span!("root").entered(), ()),
                    child,
                    || {
                        let _ = omniscope_flush(peers);
                    },
                );
            });
        });
        let (spans_after, _) = omniscope_flush(peers);
        note(&format!(
            "{group}/{id}: {}; exported {}",
            stats.summary(),
            spans_after - spans_before
        ));
    }

    let mut stats = SpanStats::default();
    tracing::dispatcher::with_default(&peers.registry_dispatch, || {
        g.bench_function("registry_alone", |b| {
            iter_under_roots(
                b,
                &mut stats,
                || (tracing::info_span!("root").entered(), ()),
                child,
                || {},
            );
        });
    });
    note(&format!("{group}/registry_alone: {}", stats.summary()));

    let otel_before = otel_flush(peers);
    let mut stats = SpanStats::default();
    tracing::dispatcher::with_default(&peers.otel_dispatch, || {
        g.bench_function("tracing_opentelemetry", |b| {
            iter_under_roots(
                b,
                &mut stats,
                || (tracing::info_span!("root").entered(), ()),
                child,
                || {
                    let _ = otel_flush(peers);
                },
            );
        });
    });
    note(&format!(
        "{group}/tracing_opentelemetry: {}; exported {}",
        stats.summary(),
        otel_flush(peers) - otel_before
    ));
    g.finish();
}

fn tracing_span(c: &mut Criterion) {
    span_group(c, "tracing_span", || {
        let _span = tracing::info_span!("x").entered();
    });
}

fn tracing_span_4_attrs(c: &mut Criterion) {
    span_group(c, "tracing_span_4_attrs", || {
        let (count, ok, ratio, route) = (
            black_box(200_u64),
            black_box(true),
            black_box(0.25_f64),
            black_box("/orders/{id}"),
        );
        let _span = tracing::info_span!("x", count = count, ok = ok, ratio = ratio, route = route)
            .entered();
    });
}

/// Times `event` inside entered spans of [`EVENTS_PER_SPAN`] events each,
/// each span opened and ended outside the timed region; returns how many
/// events ran.
fn iter_events(b: &mut Bencher<'_>, events: &mut u64, after: impl Fn()) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(EVENTS_PER_SPAN);
            let span = tracing::info_span!("events").entered();
            let start = Instant::now();
            for i in 0..n {
                tracing::info!(n = black_box(i), "event");
            }
            total += start.elapsed();
            drop(span);
            *events += n;
            left -= n;
        }
        after();
        total
    });
}

fn tracing_event(c: &mut Criterion) {
    let peers = peers();
    let mut g = c.benchmark_group("tracing_event");
    for (id, dispatch) in [
        ("omniscope_tracing", &peers.omniscope_dispatch),
        ("omniscope_subscriber", &peers.subscriber_dispatch),
    ] {
        let (_, logs_before) = omniscope_flush(peers);
        let mut events = 0;
        tracing::dispatcher::with_default(dispatch, || {
            g.bench_function(id, |b| {
                iter_events(b, &mut events, || {
                    let _ = omniscope_flush(peers);
                });
            });
        });
        let (_, logs_after) = omniscope_flush(peers);
        note(&format!(
            "tracing_event/{id}: {events} events; {} log records exported",
            logs_after - logs_before
        ));
    }
    let mut events = 0;
    tracing::dispatcher::with_default(&peers.otel_dispatch, || {
        g.bench_function("tracing_opentelemetry", |b| {
            iter_events(b, &mut events, || {
                let _ = otel_flush(peers);
            });
        });
    });
    note(&format!(
        "tracing_event/tracing_opentelemetry: {events} events, as events of the spans exported"
    ));
    g.finish();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = tracing_span, tracing_span_4_attrs, tracing_event
}
criterion_main!(benches);
