//! W3C Trace Context end to end between two services (front calls back
//! through the reqwest client instrumentation, both behind the server
//! layer): a sampled incoming parent is honoured (one trace: caller →
//! front's server span → its client span → back's server span), an
//! unsampled one too (nothing recorded, and the decision and trace id
//! travel on to back), and `tracestate` and `baggage` are passed on.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{received, telemetry, two_services};
use omniscope::SpanKind;
use omniscope_tests::http::request;

const SAMPLED: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const UNSAMPLED: &str = "0af7651916cd43dd8448eb211c80319c";
const CALLER: &str = "00f067aa0ba902b7";

#[test]
fn sampled_and_unsampled_parents_are_honoured_and_tracestate_passes_on() {
    let t = telemetry();
    let front = two_services();

    let reply = request(
        front,
        "GET",
        "/front",
        &[
            ("traceparent", &format!("00-{SAMPLED}-{CALLER}-01")),
            ("tracestate", "congo=t61rcWkgMzE"),
            ("tracestate", "rojo=00f067aa0ba902b7"),
            ("baggage", "tenant=acme"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let front_server = t.wait_span(|s| s.name == "GET /front");
    let back_server = t.wait_span(|s| s.name == "GET /back");
    let front_client = t.wait_span(|s| s.kind == SpanKind::Client);
    for span in [&front_server, &front_client, &back_server] {
        assert_eq!(span.context.trace_id().to_string(), SAMPLED);
        assert!(span.context.is_sampled());
    }
    assert_eq!(front_server.parent_span_id.unwrap().to_string(), CALLER);
    assert_eq!(
        front_client.parent_span_id,
        Some(front_server.context.span_id())
    );
    assert_eq!(
        back_server.parent_span_id,
        Some(front_client.context.span_id())
    );
    let traceparent = received(&reply.body, "traceparent").unwrap();
    assert_eq!(
        traceparent,
        format!("00-{SAMPLED}-{}-01", front_client.context.span_id())
    );
    assert_eq!(
        received(&reply.body, "tracestate"),
        Some("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
    );
    assert_eq!(received(&reply.body, "baggage"), Some("tenant=acme"));

    let reply = request(
        front,
        "GET",
        "/front",
        &[
            ("traceparent", &format!("00-{UNSAMPLED}-{CALLER}-00")),
            ("tracestate", "congo=t61rcWkgMzE"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Back received the caller's trace, unsampled, with its tracestate.
    let traceparent = received(&reply.body, "traceparent").unwrap();
    assert!(
        traceparent.starts_with(&format!("00-{UNSAMPLED}-")),
        "{traceparent}"
    );
    assert!(traceparent.ends_with("-00"), "{traceparent}");
    assert_eq!(
        received(&reply.body, "tracestate"),
        Some("congo=t61rcWkgMzE")
    );
    // Nothing was recorded for it (a later sampled request flushes the pipeline).
    request(
        front,
        "GET",
        "/front",
        &[("traceparent", &format!("00-{SAMPLED}-{CALLER}-01"))],
    );
    t.wait_span(|s| {
        s.name == "GET /back"
            && s.context.trace_id().to_string() == SAMPLED
            && s.parent_span_id != Some(front_client.context.span_id())
    });
    let unsampled = t
        .spans
        .items()
        .into_iter()
        .filter(|s| s.context.trace_id().to_string() == UNSAMPLED)
        .count();
    assert_eq!(unsampled, 0);
}
