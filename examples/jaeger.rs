//! Traces to Jaeger: the spans of a few fake requests go to a Jaeger
//! all-in-one over OTLP, and the `uber-trace-id` header of an outgoing
//! call is written next to W3C `traceparent`, for services still on
//! Jaeger's clients.
//!
//! The swap from the `otlp` example is one line: `omniscope_jaeger::builder()`
//! instead of `Otlp::builder()` (with `omniscope-kit`: `OTEL_TRACES_EXPORTER=jaeger`).
//!
//! Run, with Jaeger on localhost
//! (`docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/jaeger:latest`),
//! then open <http://localhost:16686>:
//!
//! ```text
//! cargo run -p omniscope-examples --example jaeger
//! ```
//!
//! Without Jaeger it still runs: the exports fail and are counted as dropped.

use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use omniscope::propagation::{CompositePropagator, Propagator, TraceContextPropagator};
use omniscope::Context;
use omniscope_jaeger::UberTraceIdPropagator;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

fn main() -> Result<(), Box<dyn Error>> {
    // The one line that picks the backend.
    let jaeger = omniscope_jaeger::builder().from_env().build()?;

    println!(
        "jaeger: spans to {}",
        jaeger.endpoint(omniscope_jaeger::Signal::Traces)
    );
    let guard = Sdk::builder()
        .with_resource(Resource::new("jaeger-example"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(jaeger.spans())),
        )
        .with_shutdown_timeout(Duration::from_secs(3))
        .install()?;
    let propagator = CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(UberTraceIdPropagator),
    ]);

    for order in 1..=3 {
        let _request =
            omniscope::span!(kind: omniscope::SpanKind::Server, "POST /orders", order.id = order);
        let _call = omniscope::span!(kind: omniscope::SpanKind::Client, "POST /v1/charges");
        // The headers an HTTP client would send to the payment service.
        let mut headers = HashMap::new();
        propagator.inject(&Context::current(), &mut headers);
        println!(
            "jaeger: order {order}: uber-trace-id: {}",
            headers["uber-trace-id"]
        );
    }

    let sdk = guard.sdk().clone();
    drop(guard);
    for stats in sdk.pipeline_stats() {
        println!(
            "jaeger: spans exported {}, dropped {}",
            stats.exported,
            stats.dropped.total()
        );
    }
    Ok(())
}
