//! A handler that panics: its span records the panic (an `exception`
//! event, an error status, `error.type` `panic`), the duration is recorded
//! with that `error.type`, the active-request count goes back down, and the
//! error handler receives the panic with the span's trace and span ids
//! (through omniscope's panic hook, which the kit installs).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use common::{attr, serve_axum, telemetry};
use omniscope::{ErrorKind, Status};

async fn boom() -> &'static str {
    panic!("the handler broke")
}

#[test]
fn a_handler_panic_is_recorded_on_its_span_and_reported() {
    let t = telemetry();
    let router = Router::new()
        .route("/boom", get(boom))
        .layer(omniscope_http::server());
    let addr = serve_axum(router);

    // hyper drops the connection whose task panicked: no answer.
    let reply =
        omniscope_tests::http::try_send(addr, "GET", "/boom", &[], None, Duration::from_secs(10));
    assert!(reply.is_err() || reply.is_ok_and(|r| r.status == 500));

    let span = t.wait_span(|s| s.name == "GET /boom");
    assert_eq!(span.status, Status::error("panicked: the handler broke"));
    assert_eq!(attr(&span, "error.type").as_deref(), Some("panic"));
    let event = span
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("an exception event");
    assert_eq!(
        event
            .attributes
            .get("exception.message")
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref(),
        Some("the handler broke")
    );
    let labels = [
        ("http.request.method", "GET"),
        ("http.route", "/boom"),
        ("error.type", "panic"),
        ("url.scheme", "http"),
        ("network.protocol.version", "1.1"),
    ];
    assert_eq!(
        t.histogram("http.server.request.duration", &labels)
            .map(|h| h.count),
        Some(1)
    );
    let active = [("http.request.method", "GET"), ("url.scheme", "http")];
    assert_eq!(t.up_down("http.server.active_requests", &active), Some(0));

    let _ = t
        .sdk
        .flush(std::time::Instant::now() + Duration::from_secs(5));
    let errors = t.errors.items();
    let report = errors
        .iter()
        .find(|e| e.kind == ErrorKind::Panic)
        .unwrap_or_else(|| panic!("no panic reported: {errors:#?}"));
    assert_eq!(report.trace_id, Some(span.context.trace_id()));
    assert_eq!(report.span_id, Some(span.context.span_id()));
}
