//! Export throughput over OTLP/gRPC to a local receiver (the Rust one on
//! the official definitions, in `omniscope-tests`, counting only): the
//! same spans — N per iteration, each with two attributes — recorded,
//! batched, encoded and sent, then flushed, by
//!
//! - `export_spans/omniscope`: the omniscope SDK with `omniscope-otlp`;
//! - `export_spans/opentelemetry_otlp`: `opentelemetry_sdk`'s
//!   `BatchSpanProcessor` with `opentelemetry-otlp`'s tonic exporter.
//!
//! Both use their defaults (batches of 512, no compression), the same
//! receiver, and a flush that waits until the receiver answered. A
//! `bench-note` line per id says how many spans the receiver got.

// Setup that fails leaves nothing to measure.
#![allow(clippy::expect_used)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omniscope_benches::note;
use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use omniscope_tests::otlp_receiver::OtlpReceiver;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry::KeyValue;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider};

/// Spans per iteration (half the OpenTelemetry batch processor's default
/// queue, so that neither side drops).
const N: u64 = 1024;

fn receiver() -> &'static OtlpReceiver {
    static RECEIVER: OnceLock<OtlpReceiver> = OnceLock::new();
    RECEIVER.get_or_init(|| {
        let receiver = OtlpReceiver::start();
        receiver.count_only();
        receiver
    })
}

fn omniscope_sdk() -> SdkGuard {
    let otlp = Otlp::builder()
        .with_protocol(Protocol::Grpc)
        .with_endpoint(receiver().grpc_endpoint())
        .build()
        .expect("an OTLP exporter");
    Sdk::builder()
        .with_resource(Resource::new("bench"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(otlp.spans())),
        )
        .install()
        .expect("the omniscope SDK")
}

/// The OpenTelemetry pipeline; its tonic channel lives on `runtime`.
fn opentelemetry_provider(runtime: &tokio::runtime::Runtime) -> SdkTracerProvider {
    let _entered = runtime.enter();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(receiver().grpc_endpoint())
        .build()
        .expect("an opentelemetry-otlp exporter");
    SdkTracerProvider::builder()
        .with_sampler(opentelemetry_sdk::trace::Sampler::AlwaysOn)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("bench")
                .build(),
        )
        .with_span_processor(BatchSpanProcessor::builder(exporter).build())
        .build()
}

fn export_spans(c: &mut Criterion) {
    let mut g = c.benchmark_group("export_spans");
    g.throughput(Throughput::Elements(N));

    let guard = omniscope_sdk();
    let before = receiver().span_count();
    let mut sent = 0;
    g.bench_function("omniscope", |b| {
        b.iter(|| {
            for i in 0..N {
                let _span = omniscope::span!("export_bench", i = i, route = "/orders");
            }
            let _ = guard.sdk().flush(Instant::now() + Duration::from_secs(30));
            sent += N;
        });
    });
    note(&format!(
        "export_spans/omniscope: {sent} spans recorded, {} received",
        receiver().span_count() - before
    ));
    drop(guard);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime for tonic");
    let provider = opentelemetry_provider(&runtime);
    let tracer = provider.tracer("omniscope-benches");
    let before = receiver().span_count();
    let mut sent = 0;
    g.bench_function("opentelemetry_otlp", |b| {
        b.iter(|| {
            for i in 0..N {
                let mut span = tracer.start("export_bench");
                span.set_attribute(KeyValue::new("i", i as i64));
                span.set_attribute(KeyValue::new("route", "/orders"));
                span.end();
            }
            let _ = provider.force_flush();
            sent += N;
        });
    });
    note(&format!(
        "export_spans/opentelemetry_otlp: {sent} spans recorded, {} received",
        receiver().span_count() - before
    ));
    g.finish();
    let _ = provider.shutdown();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = export_spans
}
criterion_main!(benches);
