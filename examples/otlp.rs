//! Telemetry over OTLP: spans, logs and metrics of a few fake requests go
//! to an OpenTelemetry Collector (or anything that ingests OTLP), then the
//! exporter's self-metrics say what was delivered and what was dropped.
//!
//! The swap is one line: the exporter built below. Everything else — the
//! SDK, the business code — is the same for every backend. (With
//! `omniscope-kit`, it is not even a line: `OTEL_TRACES_EXPORTER=otlp`.)
//!
//! Run, with a collector on localhost (`OTEL_EXPORTER_OTLP_*` choose
//! another endpoint, protocol, headers…):
//!
//! ```text
//! OTEL_EXPORTER_OTLP_PROTOCOL=grpc cargo run -p omniscope-examples --example otlp
//! ```
//!
//! Without a collector it still runs: the exports fail, are retried, and
//! are counted as dropped.

use std::error::Error;
use std::time::Duration;

use omniscope_sdk::export::PipelineStats;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

fn main() -> Result<(), Box<dyn Error>> {
    // The one line that picks the backend.
    let otlp = omniscope_otlp::Otlp::builder().from_env().build()?;

    println!(
        "otlp: spans to {}",
        otlp.endpoint(omniscope_otlp::Signal::Traces)
    );
    let guard = Sdk::builder()
        .with_resource(Resource::new("otlp-example"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(otlp.spans())),
        )
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(otlp.logs())),
        )
        .with_metric_exporter(
            Box::new(otlp.metrics()),
            Duration::from_secs(5),
            otlp.temporality(),
        )
        .with_shutdown_timeout(Duration::from_secs(3))
        .install()?;

    for order in 1..=3 {
        handle_request(order);
    }

    // Flush, then report what the exporters did.
    let sdk = guard.sdk().clone();
    drop(guard);
    for stats in sdk.pipeline_stats() {
        println!(
            "otlp: {:<7} exported {:>3}, dropped {:>3}{}",
            stats.signal,
            stats.exported,
            stats.dropped.total(),
            stats
                .last_error
                .map(|e| format!(" (last error: {e})"))
                .unwrap_or_default()
        );
    }
    println!(
        "otlp: (the same counts are the self-metrics {} and {})",
        PipelineStats::EXPORTED,
        PipelineStats::DROPPED
    );
    Ok(())
}

/// Business code: the facade only.
fn handle_request(order: u64) {
    let _request =
        omniscope::span!(kind: omniscope::SpanKind::Server, "POST /orders", order.id = order);
    omniscope::info!("order received"; order.id = order);
    let _charge = omniscope::span!("charge_card");
    omniscope::counter!("orders_created_total", "channel" => "web").increment(1);
    omniscope::histogram!("order.amount").record(12.5 * order as f64);
}
