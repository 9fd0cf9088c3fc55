//! `Prometheus::service` mounted in an application's own axum router (as
//! `route_service("/metrics", …)`), served by axum over real HTTP next to
//! the application's routes: scrapes negotiate the format and gzip as the
//! built-in listener does, and other methods get `405`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::net::SocketAddr;
use std::sync::mpsc;

use axum::routing::get;
use axum::Router;
use common::fetch;
use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_prometheus::{Format, Prometheus};
use omniscope_sdk::{Resource, Sdk};

/// Serves `app` on 127.0.0.1 from a thread of its own (with its own
/// runtime) for the rest of the test process.
fn serve(app: Router) -> SocketAddr {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn axum_router_mounts_the_service() {
    let sdk = Sdk::builder()
        .with_resource(Resource::new("shop"))
        .build()
        .unwrap();
    sdk.meter()
        .counter(&Key::from_name("carts_total"), &MetricMeta::EMPTY)
        .increment(3);
    let prometheus = Prometheus::builder().build().unwrap();
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .route_service("/metrics", prometheus.service(&sdk));
    let addr = serve(app);

    let hello = fetch(addr, "GET", "/hello", &[]);
    assert_eq!((hello.status, hello.text().as_str()), (200, "hello"));

    let plain = fetch(addr, "GET", "/metrics", &[]);
    assert_eq!(plain.status, 200);
    assert_eq!(
        plain.header("content-type"),
        Some(Format::Text004.content_type())
    );
    let text = plain.text();
    let parsed = common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed.values["carts_total"], 3.0, "{text}");

    let om = fetch(
        addr,
        "GET",
        "/metrics",
        &[
            ("Accept", "application/openmetrics-text; version=1.0.0"),
            ("Accept-Encoding", "deflate, gzip"),
        ],
    );
    assert_eq!(om.status, 200);
    assert_eq!(
        om.header("content-type"),
        Some(Format::OpenMetrics.content_type())
    );
    assert_eq!(om.header("content-encoding"), Some("gzip"));
    let text = om.text();
    let parsed =
        common::check(&text, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed.values["carts_total"], 3.0, "{text}");
    if cfg!(target_os = "linux") {
        assert!(
            text.contains("\nprocess_cpu_seconds_total "),
            "service() registers the process metrics:\n{text}"
        );
    }

    let delete = fetch(addr, "DELETE", "/metrics", &[]);
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD"));
}
