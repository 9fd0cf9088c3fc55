//! `span_sampled_out`: a span that the sampler drops, in a process of its
//! own because omniscope's tracer is global (here `Sampler::AlwaysOff`).
//!
//! - `omniscope`: the SDK installed with `AlwaysOff`, then
//!   `{ let _s = span!("x"); }`.
//! - `opentelemetry`: an `opentelemetry_sdk` tracer provider with
//!   `Sampler::AlwaysOff` (and the batch processor, which receives
//!   nothing), the span made current as in `sdk.rs`:
//!   `mark_span_as_active(tracer.start("x"))`.
//!
//! No root: nothing is sampled, so there is no sampled parent to hold.

use std::sync::OnceLock;

use criterion::{criterion_group, criterion_main, Criterion};
use omniscope_benches::sinks::{self, OmniscopeSdk};
use omniscope_sdk::trace::Sampler;
use opentelemetry::trace::{mark_span_as_active, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{SdkTracer as OtelTracer, SdkTracerProvider};

struct Installed {
    omniscope: OmniscopeSdk,
    _provider: SdkTracerProvider,
    tracer: OtelTracer,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let (provider, _) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOff);
        Installed {
            omniscope: sinks::omniscope_sdk(Sampler::AlwaysOff),
            tracer: provider.tracer("omniscope-benches"),
            _provider: provider,
        }
    })
}

fn span_sampled_out(c: &mut Criterion) {
    let installed = installed();
    let tracer = &installed.tracer;
    let mut group = c.benchmark_group("span_sampled_out");
    group.bench_function("omniscope", |b| {
        b.iter(|| {
            let _span = omniscope::span!("x");
        });
    });
    group.bench_function("opentelemetry", |b| {
        b.iter(|| {
            let _span = mark_span_as_active(tracer.start("x"));
        });
    });
    group.finish();
    let sampled_out = installed.omniscope.tracer().sampled_out();
    omniscope_benches::note(&format!(
        "span_sampled_out: omniscope's tracer counted {sampled_out} spans sampled out"
    ));
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = span_sampled_out
}
criterion_main!(benches);
