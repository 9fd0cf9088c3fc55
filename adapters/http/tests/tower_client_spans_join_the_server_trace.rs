//! hyper-util's client wrapped in `omniscope_http::client_layer()`, calling
//! a real axum server behind the server layer: the CLIENT span is the
//! SERVER span's parent in one trace, and it ends when the response body
//! has been read, not at the response head; `url.full` hides the
//! credentials and sensitive query values.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::SystemTime;

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use common::{attr, runtime, serve_axum, telemetry};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use omniscope::SpanKind;
use tower::{ServiceBuilder, ServiceExt};

#[test]
fn tower_client_spans_join_the_server_trace() {
    let t = telemetry();
    let router = Router::new()
        .route("/stock", get(|| async { "12" }))
        .layer(omniscope_http::server());
    let addr = serve_axum(router);
    let client = ServiceBuilder::new()
        .layer(omniscope_http::client_layer())
        .service(Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>());

    let head_at = runtime().block_on(async {
        let request = http::Request::get(format!("http://user:secret@{addr}/stock?sig=s3cr3t"))
            .body(Empty::new())
            .unwrap();
        let response = client.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let head_at = SystemTime::now();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "12");
        head_at
    });

    let client_span = t.wait_span(|s| s.kind == SpanKind::Client);
    let server_span = t.wait_span(|s| s.kind == SpanKind::Server);
    assert_eq!(client_span.name, "GET");
    assert_eq!(server_span.name, "GET /stock");
    assert_eq!(
        server_span.context.trace_id(),
        client_span.context.trace_id()
    );
    assert_eq!(
        server_span.parent_span_id,
        Some(client_span.context.span_id())
    );
    assert_eq!(client_span.parent_span_id, None);
    assert!(
        client_span.end_time >= head_at,
        "ended before the body was read"
    );
    assert_eq!(
        attr(&client_span, "url.full"),
        Some(format!(
            "http://REDACTED:REDACTED@{addr}/stock?sig=REDACTED"
        ))
    );
    assert_eq!(
        attr(&client_span, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(
        attr(&client_span, "network.protocol.version").as_deref(),
        Some("1.1")
    );
}
