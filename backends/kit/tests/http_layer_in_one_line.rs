//! Issue #13, item 5: with the kit's `http-axum` feature, one line on the
//! router (`.layer(omniscope_kit::http::server())`) gives every request a
//! SERVER span that continues the caller's trace through the propagator the
//! kit installed, and reaches the kit's backends (here the dashboard).
#![cfg(all(feature = "http-axum", feature = "present"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use omniscope_tests::http::{get, get_with};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[test]
fn http_layer_in_one_line() {
    let telemetry = omniscope_kit::builder()
        .from_env_with(|var| (var == "OMNISCOPE_DASHBOARD_ADDR").then(|| "127.0.0.1:0".to_owned()))
        .without_panic_hook()
        .install()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/orders/{id}", axum::routing::get(|| async { "ok" }))
        .layer(omniscope_kit::http::server());
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let traceparent = format!("00-{TRACE}-00f067aa0ba902b7-01");
    let reply = get_with(addr, "/orders/7", &[("traceparent", traceparent.as_str())]);
    assert_eq!(reply.status, 200);

    let dashboard: SocketAddr = telemetry
        .dashboard_url()
        .unwrap()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let trace = loop {
        let _ = telemetry
            .sdk()
            .unwrap()
            .flush(Instant::now() + Duration::from_secs(5));
        let reply = get(dashboard, &format!("/api/traces/{TRACE}"));
        if reply.status == 200 {
            break reply.json();
        }
        assert!(
            Instant::now() < deadline,
            "no trace {TRACE} in the dashboard"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let span = &trace["spans"][0];
    assert_eq!(span["name"], "GET /orders/{id}", "{trace}");
    assert_eq!(span["kind"], "server");
    assert_eq!(span["attributes"]["http.route"], "/orders/{id}");
}
