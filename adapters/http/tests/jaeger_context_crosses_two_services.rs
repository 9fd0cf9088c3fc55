//! With Jaeger's propagator installed as the global one (what the kit does
//! for `OTEL_PROPAGATORS=jaeger`), the layers read and write
//! `uber-trace-id` (and `uberctx-*` baggage) instead of W3C's headers: one
//! trace from the caller through two services.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{received, telemetry, two_services};
use omniscope::SpanKind;
use omniscope_jaeger::UberTraceIdPropagator;
use omniscope_tests::http::request;

#[test]
fn uber_trace_id_crosses_two_services() {
    omniscope::propagation::set_propagator(UberTraceIdPropagator).unwrap();
    let t = telemetry();
    let front = two_services();

    let reply = request(
        front,
        "GET",
        "/front",
        &[
            ("uber-trace-id", "d3c9d5dd2e4d4a3c:13d02a0f2d54e26c:0:1"),
            ("uberctx-tenant", "acme%20corp"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let front_server = t.wait_span(|s| s.name == "GET /front");
    let front_client = t.wait_span(|s| s.kind == SpanKind::Client);
    let back_server = t.wait_span(|s| s.name == "GET /back");
    let trace = "0000000000000000d3c9d5dd2e4d4a3c";
    for span in [&front_server, &front_client, &back_server] {
        assert_eq!(span.context.trace_id().to_string(), trace);
    }
    assert_eq!(
        front_server.parent_span_id.unwrap().to_string(),
        "13d02a0f2d54e26c"
    );
    assert_eq!(
        back_server.parent_span_id,
        Some(front_client.context.span_id())
    );
    assert_eq!(
        received(&reply.body, "uber-trace-id"),
        Some(format!("{trace}:{}:0:1", front_client.context.span_id()).as_str())
    );
    assert_eq!(received(&reply.body, "uberctx-tenant"), Some("acme%20corp"));
    assert_eq!(
        received(&reply.body, "traceparent"),
        None,
        "only the installed format"
    );
}
