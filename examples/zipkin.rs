//! Traces to Zipkin: the spans of a few fake requests go to a Zipkin
//! collector as Zipkin v2 JSON, and the B3 headers of an outgoing call
//! are written next to W3C `traceparent`, for a fleet that speaks B3
//! (Spring Cloud Sleuth, Envoy, Istio, Finagle).
//!
//! The swap from Jaeger is one line, the backend chosen for traces
//! (`Backend::Zipkin` instead of `Backend::Jaeger`), or one variable with
//! no rebuild: `OTEL_TRACES_EXPORTER=zipkin` (and `OTEL_PROPAGATORS=tracecontext,baggage,b3`
//! for the headers).
//!
//! Run, with Zipkin on localhost
//! (`docker run --rm -p 9411:9411 openzipkin/zipkin`), then open
//! <http://localhost:9411>:
//!
//! ```text
//! cargo run -p omniscope-examples --example zipkin
//! ```
//!
//! Without Zipkin it still runs and exits: the exports fail and are counted
//! as dropped, and the request handling never waits for them.

use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use omniscope::propagation::{CompositePropagator, Propagator, TraceContextPropagator};
use omniscope::Context;
use omniscope_kit::zipkin::b3::{B3Encoding, B3Propagator};
use omniscope_kit::zipkin::Zipkin;
use omniscope_kit::{Backend, Signal};

fn main() -> Result<(), Box<dyn Error>> {
    let telemetry = omniscope_kit::builder()
        .with_service_name("zipkin-example")
        // The one line that picks the backend.
        .with_exporters(Signal::Traces, [Backend::Zipkin])
        .with_exporters(Signal::Metrics, [])
        .with_exporters(Signal::Logs, [])
        .with_zipkin(Zipkin::builder().with_timeout(Duration::from_secs(1)))
        // A collector that is not there must not hold the exit for long.
        .with_shutdown_timeout(Duration::from_secs(3))
        .from_env() // OTEL_EXPORTER_ZIPKIN_ENDPOINT says where
        .install()?;
    let propagator = CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(B3Propagator::new(B3Encoding::Single)),
    ]);

    for order in 1..=3 {
        let _request =
            omniscope::span!(kind: omniscope::SpanKind::Server, "POST /orders", order.id = order);
        let _call = omniscope::span!(
            kind: omniscope::SpanKind::Client,
            "POST /v1/charges",
            server.address = "payments.internal",
            server.port = 8443
        );
        // The headers an HTTP client would send to the payment service.
        let mut headers = HashMap::new();
        propagator.inject(&Context::current(), &mut headers);
        println!("zipkin: order {order}: b3: {}", headers["b3"]);
    }

    let Some(sdk) = telemetry.sdk().cloned() else {
        return Ok(()); // OTEL_SDK_DISABLED=true: nothing was recorded
    };
    drop(telemetry); // delivers what is queued, or gives up by the deadline
    for stats in sdk.pipeline_stats() {
        println!(
            "zipkin: spans exported {}, dropped {}",
            stats.exported,
            stats.dropped.total()
        );
    }
    Ok(())
}
