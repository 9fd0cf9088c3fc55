//! A streamed response body (server-sent events, say) keeps the request's
//! span and `http.server.request.duration` open until the body ends: no
//! span is exported while the client still reads, and the span ends after
//! the last chunk was sent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::convert::Infallible;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use common::{runtime, serve_axum, span_seconds, telemetry};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

static CHUNKS: Mutex<Option<mpsc::Receiver<Bytes>>> = Mutex::new(None);

async fn stream() -> Body {
    let rx = CHUNKS.lock().unwrap().take().unwrap();
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
    });
    Body::from_stream(chunks)
}

#[test]
fn the_span_ends_with_the_streamed_body() {
    let t = telemetry();
    let (tx, rx) = mpsc::channel(4);
    *CHUNKS.lock().unwrap() = Some(rx);
    let router = Router::new()
        .route("/events", get(stream))
        .layer(omniscope_http::server());
    let addr = serve_axum(router);

    let last_sent = runtime().block_on(async {
        let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let uri: hyper::Uri = format!("http://{addr}/events").parse().unwrap();
        let response = client.get(uri).await.unwrap();
        assert_eq!(response.status(), 200);
        let mut body = response.into_body();
        tx.send(Bytes::from_static(b"data: 1\n\n")).await.unwrap();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, "data: 1\n\n");

        // The head went out and a chunk was read: the span is still open.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = telemetry()
            .sdk
            .flush(std::time::Instant::now() + Duration::from_secs(5));
        assert!(
            telemetry()
                .spans
                .items()
                .iter()
                .all(|s| s.name != "GET /events"),
            "the span ended before the body"
        );

        let last_sent = SystemTime::now();
        tx.send(Bytes::from_static(b"data: 2\n\n")).await.unwrap();
        drop(tx);
        let rest = body.collect().await.unwrap().to_bytes();
        assert_eq!(rest, "data: 2\n\n");
        last_sent
    });

    let span = t.wait_span(|s| s.name == "GET /events");
    assert!(
        span.end_time >= last_sent,
        "{:?} < {last_sent:?}",
        span.end_time
    );
    let labels = [
        ("http.request.method", "GET"),
        ("http.response.status_code", "200"),
        ("http.route", "/events"),
        ("url.scheme", "http"),
        ("network.protocol.version", "1.1"),
    ];
    let duration = t
        .histogram("http.server.request.duration", &labels)
        .unwrap();
    let span_seconds = span_seconds(&span);
    // Recorded at the body's end too: about the span's length, not the head's.
    assert!(
        duration.sum >= span_seconds * 0.5,
        "{} vs {span_seconds}",
        duration.sum
    );
    assert!(duration.sum >= 0.05);
}
