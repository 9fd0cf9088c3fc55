//! reqwest through `omniscope_http::client` calling a real axum server
//! behind `omniscope_http::server()`: one trace from the caller's span
//! through the CLIENT span to the SERVER span; the client attributes
//! (`url.full` redacted, `server.*`, status, `error.type` on 4xx and on a
//! refused connection), `url.template`, `http.request.resend_count` under
//! a retry middleware, and `http.client.request.duration`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::{attr, runtime, serve_axum, telemetry};
use http::Extensions;
use omniscope::{FutureExt, Span, SpanKind, Status};
use omniscope_http::UrlTemplate;
use reqwest_middleware::{Middleware, Next};

static FLAKY: AtomicU32 = AtomicU32::new(0);

/// Retries once on a 503: a retry middleware placed before ours.
struct RetryOnce;

#[async_trait::async_trait]
impl Middleware for RetryOnce {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let again = request.try_clone().unwrap();
        let response = next.clone().run(request, extensions).await?;
        if response.status() != 503 {
            return Ok(response);
        }
        next.run(again, extensions).await
    }
}

#[test]
fn reqwest_spans_join_the_server_trace() {
    let t = telemetry();
    let router = Router::new()
        .route("/pay/{id}", get(|| async { "paid" }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/flaky",
            get(|| async {
                match FLAKY.fetch_add(1, Ordering::SeqCst) {
                    0 => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::OK,
                }
            }),
        )
        .layer(omniscope_http::server());
    let addr = serve_axum(router);
    let client = omniscope_http::client(reqwest::Client::new());

    let root: Span = omniscope::span!("checkout").into();
    let root_cx = root.context().unwrap();
    runtime().block_on(
        async {
            let url = format!("http://user:secret@{addr}/pay/7?sig=abc&x=1");
            let response = client
                .get(&url)
                .with_extension(UrlTemplate::new("/pay/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.text().await.unwrap(), "paid");
            let response = client
                .get(format!("http://{addr}/missing"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404);
        }
        .in_span(root),
    );

    let client_span = t.wait_span(|s| s.kind == SpanKind::Client && s.name == "GET /pay/{id}");
    let server_span = t.wait_span(|s| s.kind == SpanKind::Server && s.name == "GET /pay/{id}");
    assert_eq!(client_span.context.trace_id(), root_cx.trace_id());
    assert_eq!(client_span.parent_span_id, Some(root_cx.span_id()));
    assert_eq!(server_span.context.trace_id(), root_cx.trace_id());
    assert_eq!(
        server_span.parent_span_id,
        Some(client_span.context.span_id())
    );
    assert!(server_span.parent_is_remote);
    let port = addr.port().to_string();
    let expect = [
        ("http.request.method", "GET"),
        // reqwest moves the URL's credentials into `Authorization` before
        // middlewares run; a URL that still has them shows `REDACTED`
        // (the tower test checks that).
        (
            "url.full",
            &format!("http://127.0.0.1:{port}/pay/7?sig=REDACTED&x=1"),
        ),
        ("url.template", "/pay/{id}"),
        ("server.address", "127.0.0.1"),
        ("server.port", &port),
        ("network.protocol.version", "1.1"),
        ("http.response.status_code", "200"),
    ];
    for (key, value) in expect {
        assert_eq!(
            attr(&client_span, key).as_deref(),
            Some(value),
            "{key}: {client_span:#?}"
        );
    }
    assert_eq!(client_span.status, Status::Unset);
    let labels = [
        ("http.request.method", "GET"),
        ("http.response.status_code", "200"),
        ("url.template", "/pay/{id}"),
        ("url.scheme", "http"),
        ("network.protocol.version", "1.1"),
        ("server.address", "127.0.0.1"),
        ("server.port", &port),
    ];
    let duration = t.histogram("http.client.request.duration", &labels);
    assert_eq!(
        duration.map(|h| h.count),
        Some(1),
        "{:#?}",
        t.series_of("http.client.request.duration")
    );

    // 4xx fails a client span.
    let missing = t.wait_span(|s| {
        s.kind == SpanKind::Client && attr(s, "http.response.status_code").as_deref() == Some("404")
    });
    assert_eq!(missing.name, "GET");
    assert_eq!(attr(&missing, "error.type").as_deref(), Some("404"));
    assert!(matches!(missing.status, Status::Error(_)));

    // A resend is counted.
    let retrying = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryOnce)
        .with(omniscope_http::ReqwestMiddleware::default())
        .build();
    runtime().block_on(async {
        let response = retrying
            .get(format!("http://{addr}/flaky"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    });
    let resent = t.wait_span(|s| {
        s.kind == SpanKind::Client && attr(s, "http.request.resend_count").is_some()
    });
    assert_eq!(
        attr(&resent, "http.request.resend_count").as_deref(),
        Some("1")
    );
    assert_eq!(
        attr(&resent, "http.response.status_code").as_deref(),
        Some("200")
    );

    // No server: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    runtime().block_on(async {
        assert!(client
            .get(format!("http://{closed}/"))
            .send()
            .await
            .is_err());
    });
    let refused = t.wait_span(|s| {
        s.kind == SpanKind::Client && attr(s, "server.port") == Some(closed.port().to_string())
    });
    assert_eq!(attr(&refused, "error.type").as_deref(), Some("connect"));
    assert!(matches!(refused.status, Status::Error(_)));
    assert_eq!(attr(&refused, "http.response.status_code"), None);
}
