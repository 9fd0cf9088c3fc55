//! `tracing` + `tracing-opentelemetry`, the ids of `span_start_end` and
//! `span_4_attrs` that need their own process: the global `tracing`
//! subscriber here is a `Registry` with `tracing_opentelemetry::layer()`
//! (its defaults: location, thread and busy/idle attributes), over the
//! same OpenTelemetry tracer as `sdk.rs` (`AlwaysOn`, thread-based
//! `BatchSpanProcessor`, no-op exporter). `scripts/bench-report` compares
//! these ids with the other ids of the same groups in the same run.
//!
//! The timing loop is `sdk.rs`'s: `info_span!(..).entered()` as a child of
//! an entered root, 256 children per root, the root outside the timed
//! region, the pipeline flushed after each sample (untimed), and a
//! `bench-note` line per group.

use std::hint::black_box;
use std::sync::OnceLock;

use criterion::{criterion_group, criterion_main, Criterion};
use omniscope_benches::note;
use omniscope_benches::sinks::{self, OtelSpanSink};
use omniscope_benches::timing::{iter_under_roots, SpanStats};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt as _;

struct Installed {
    provider: SdkTracerProvider,
    spans: OtelSpanSink,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let (provider, spans) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
        let layer =
            tracing_opentelemetry::layer().with_tracer(provider.tracer("omniscope-benches"));
        if tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .is_err()
        {
            panic!("a `tracing` subscriber is already installed");
        }
        Installed { provider, spans }
    })
}

/// Runs one id, with the same timing loop as `sdk.rs` (the pipeline
/// flushed after each sample, untimed), and notes what it cost and what
/// was exported.
fn bench(c: &mut Criterion, group: &str, child: impl Fn()) {
    let installed = installed();
    let flush = || sinks::otel_flush_spans(&installed.provider, &installed.spans);
    let before = flush();
    let mut stats = SpanStats::default();
    let mut g = c.benchmark_group(group);
    g.bench_function("tracing_opentelemetry", |b| {
        iter_under_roots(
            b,
            &mut stats,
            || (tracing::info_span!("root").entered(), ()),
            &child,
            || {
                let _ = flush();
            },
        );
    });
    g.finish();
    let delivered = flush().since(before, stats.total());
    note(&format!(
        "{group}/tracing_opentelemetry: {}; {delivered}",
        stats.summary()
    ));
}

fn span_start_end(c: &mut Criterion) {
    bench(c, "span_start_end", || {
        let _span = tracing::info_span!("x").entered();
    });
}

fn span_4_attrs(c: &mut Criterion) {
    bench(c, "span_4_attrs", || {
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

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = span_start_end, span_4_attrs
}
criterion_main!(benches);
