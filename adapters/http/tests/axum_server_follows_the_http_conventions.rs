//! A real axum server behind `omniscope_http::server()`: each request's
//! SERVER span is a child of the caller's `traceparent`, named
//! `{method} {route}` from axum's `MatchedPath` (never the raw path), with
//! the stable HTTP server attributes; 5xx fails the span and sets
//! `error.type`, 4xx does not; unknown methods are `_OTHER`; sensitive
//! query values are redacted; `http.server.request.duration` has the
//! conventions' buckets and attributes, the span's own duration and an
//! exemplar of the request's span; `http.server.active_requests` goes back to zero; skipped paths
//! record nothing; the options (headers, traceresponse, body sizes) work.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use common::{attr, span_seconds, telemetry};
use omniscope::{SpanKind, Status};
use omniscope_sdk::metrics::HTTP_DURATION_BUCKETS as DURATION_BUCKETS;
use omniscope_tests::http::{request, send};

const PARENT_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";

fn app() -> Router {
    let layer = omniscope_http::ServerLayer::builder()
        .with_skip_paths(["/healthz"])
        .with_request_headers(["x-request-id"])
        .with_response_headers(["x-answer"])
        .with_traceresponse(true)
        .with_body_sizes(true)
        .build()
        .unwrap();
    Router::new()
        .route(
            "/orders/{id}",
            get(|| async { ([("x-answer", "42")], "order") }),
        )
        .route(
            "/fail",
            post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "down") }),
        )
        .route("/teapot", get(|| async { StatusCode::IM_A_TEAPOT }))
        .route("/healthz", get(|| async { "ok" }))
        .layer(layer)
}

#[test]
fn axum_server_spans_and_metrics_follow_the_conventions() {
    let t = telemetry();
    let addr = serve_axum_app();

    let traceparent = format!("00-{PARENT_TRACE}-{PARENT_SPAN}-01");
    let reply = request(
        addr,
        "GET",
        "/orders/7?sig=secret&page=2",
        &[
            ("traceparent", &traceparent),
            ("user-agent", "orders-test/1"),
            ("x-request-id", "r-1"),
        ],
    );
    assert_eq!(reply.status, 200);
    let span = t.wait_span(|s| s.name == "GET /orders/{id}");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.context.trace_id().to_string(), PARENT_TRACE);
    assert_eq!(span.parent_span_id.unwrap().to_string(), PARENT_SPAN);
    assert!(span.parent_is_remote);
    let expect = [
        ("http.request.method", "GET"),
        ("url.path", "/orders/7"),
        ("url.scheme", "http"),
        ("url.query", "sig=REDACTED&page=2"),
        ("http.route", "/orders/{id}"),
        ("http.response.status_code", "200"),
        ("server.address", "127.0.0.1"),
        ("server.port", &addr.port().to_string()),
        ("client.address", "127.0.0.1"),
        ("network.peer.address", "127.0.0.1"),
        ("network.protocol.version", "1.1"),
        ("user_agent.original", "orders-test/1"),
        ("http.request.header.x-request-id", "r-1"),
        ("http.response.header.x-answer", "42"),
        ("http.response.body.size", "5"),
    ];
    for (key, value) in expect {
        assert_eq!(
            attr(&span, key).as_deref(),
            Some(value),
            "{key} in {span:#?}"
        );
    }
    assert_eq!(attr(&span, "error.type"), None);
    assert_eq!(span.status, Status::Unset);
    let traceresponse = reply.header("traceresponse").unwrap();
    assert_eq!(
        traceresponse,
        format!("00-{PARENT_TRACE}-{}-01", span.context.span_id())
    );

    let labels = [
        ("http.request.method", "GET"),
        ("http.response.status_code", "200"),
        ("http.route", "/orders/{id}"),
        ("url.scheme", "http"),
        ("network.protocol.version", "1.1"),
    ];
    let duration = t
        .histogram("http.server.request.duration", &labels)
        .unwrap_or_else(|| panic!("{:#?}", t.series_of("http.server.request.duration")));
    assert_eq!(duration.count, 1);
    // The SDK times its spans: the request's duration is its span's.
    let span_seconds = span_seconds(&span);
    assert!(
        (duration.sum - span_seconds).abs() < 1e-6,
        "{} s recorded, the span lasted {span_seconds} s",
        duration.sum
    );
    let bounds: Vec<f64> = duration.buckets.iter().map(|b| b.upper_bound).collect();
    assert_eq!(&bounds[..DURATION_BUCKETS.len()], DURATION_BUCKETS);
    let exemplar = duration
        .buckets
        .iter()
        .find_map(|b| b.exemplar.as_ref())
        .expect("recorded inside the span: an exemplar");
    assert_eq!(exemplar.trace_id, span.context.trace_id());
    assert_eq!(exemplar.span_id, span.context.span_id());
    let active = [("http.request.method", "GET"), ("url.scheme", "http")];
    assert_eq!(t.up_down("http.server.active_requests", &active), Some(0));

    // 5xx: an error on the server side, with error.type.
    let reply = send(addr, "POST", "/fail", &[], Some("{}"));
    assert_eq!(reply.status, 503);
    let span = t.wait_span(|s| s.name == "POST /fail");
    assert_eq!(attr(&span, "error.type").as_deref(), Some("503"));
    assert!(matches!(span.status, Status::Error(_)), "{:?}", span.status);
    assert_ne!(span.context.trace_id().to_string(), PARENT_TRACE);
    let failed = [
        ("http.request.method", "POST"),
        ("http.response.status_code", "503"),
        ("http.route", "/fail"),
        ("error.type", "503"),
        ("url.scheme", "http"),
        ("network.protocol.version", "1.1"),
    ];
    assert!(t
        .histogram("http.server.request.duration", &failed)
        .is_some());

    // 4xx: not an error on the server side.
    assert_eq!(request(addr, "GET", "/teapot", &[]).status, 418);
    let span = t.wait_span(|s| s.name == "GET /teapot");
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attr(&span, "error.type"), None);

    // No route: the span is named by the method alone, never the raw path.
    assert_eq!(request(addr, "GET", "/no/such/path", &[]).status, 404);
    // An unknown method: `_OTHER`, the original kept.
    assert_eq!(request(addr, "PURGE", "/orders/1", &[]).status, 405);
    let other = t.wait_span(|s| attr(s, "http.request.method_original").is_some());
    assert_eq!(
        attr(&other, "http.request.method").as_deref(),
        Some("_OTHER")
    );
    assert_eq!(
        attr(&other, "http.request.method_original").as_deref(),
        Some("PURGE")
    );
    let unrouted = t.wait_span(|s| attr(s, "url.path").as_deref() == Some("/no/such/path"));
    assert_eq!(unrouted.name, "GET");
    assert_eq!(attr(&unrouted, "http.route"), None);

    // Skipped: no span, no metric.
    assert_eq!(request(addr, "GET", "/healthz", &[]).status, 200);
    assert_eq!(request(addr, "GET", "/orders/8", &[]).status, 200);
    t.wait_span(|s| attr(s, "url.path").as_deref() == Some("/orders/8"));
    assert!(t
        .spans
        .items()
        .iter()
        .all(|s| attr(s, "url.path").as_deref() != Some("/healthz")));
    assert!(t
        .series_of("http.server.request.duration")
        .iter()
        .all(|s| !s.contains("healthz")));
}

fn serve_axum_app() -> std::net::SocketAddr {
    common::serve_axum(app())
}
