//! `otel.name`, `otel.kind`, `otel.status_code` and
//! `otel.status_description` work as in `tracing-opentelemetry`: they set
//! the span's name, kind and status, at start or recorded later, and are
//! not attributes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use omniscope::{SpanKind, Status};
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn special_fields_set_name_kind_and_status() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let route = "/orders/{id}";
        drop(tracing::info_span!(
            "request",
            otel.name = format!("GET {route}"),
            otel.kind = "server",
            otel.status_code = "ERROR",
            otel.status_description = "upstream failed",
            http.route = route,
        ));
        let later = tracing::info_span!(
            "call",
            otel.kind = %"Client",
            otel.name = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        );
        later.record("otel.name", "renamed");
        later.record("otel.status_code", "ok");
        drop(later);
        drop(tracing::info_span!("plain", otel.kind = "no such kind"));
    });

    let (spans, _) = telemetry.take();
    let request = common::span(&spans, "GET /orders/{id}");
    assert_eq!(request.kind, SpanKind::Server);
    assert_eq!(request.status, Status::error("upstream failed"));
    assert!(request.attributes.get("http.route").is_some());
    for special in [
        "otel.name",
        "otel.kind",
        "otel.status_code",
        "otel.status_description",
    ] {
        assert!(request.attributes.get(special).is_none(), "{special}");
    }
    let call = common::span(&spans, "renamed");
    assert_eq!(call.kind, SpanKind::Client);
    assert_eq!(call.status, Status::Ok);
    assert_eq!(common::span(&spans, "plain").kind, SpanKind::Internal);
}
