//! Issue #17, the mixed fleet: a caller that speaks only B3's multiple
//! headers (older Spring Cloud Sleuth, Finagle) calls a service behind
//! omniscope-http's server layer, which calls another through the reqwest
//! instrumentation. With `tracecontext,b3multi` as the global propagator
//! (what the kit builds from `OTEL_PROPAGATORS`), the caller's trace goes
//! on through both hops, B3 headers go out beside `traceparent`, and the
//! spans reach a Zipkin receiver with the caller's trace id and parent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::routing::get;
use common::{install, pipeline, wait_until, Receiver};
use omniscope::propagation::{set_propagator, CompositePropagator, TraceContextPropagator};
use omniscope_tests::http::get_with;
use omniscope_zipkin::b3::{B3Encoding, B3Propagator};
use omniscope_zipkin::Zipkin;
use serde_json::Value;

const CALLER_TRACE: &str = "463ac35c9f6413ad48485a3953bb6124";
const CALLER_SPAN: &str = "a2fb4a1d1a96d312";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn serve(router: axum::Router) -> std::net::SocketAddr {
    let listener = runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime().spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// `front` calls `back`, which answers with the B3 and W3C headers it got.
fn two_services() -> std::net::SocketAddr {
    async fn back(headers: axum::http::HeaderMap) -> String {
        ["x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "traceparent"]
            .iter()
            .filter_map(|name| Some(format!("{name}: {}\n", headers.get(*name)?.to_str().ok()?)))
            .collect()
    }
    let back = serve(
        axum::Router::new()
            .route("/back", get(back))
            .layer(omniscope_http::server()),
    );
    let client = omniscope_http::client(reqwest::Client::new());
    let front = move || {
        let client = client.clone();
        async move {
            let answer = client.get(format!("http://{back}/back")).send().await;
            answer.unwrap().text().await.unwrap()
        }
    };
    serve(
        axum::Router::new()
            .route("/front", get(front))
            .layer(omniscope_http::server()),
    )
}

#[test]
fn b3_caller_continues_through_the_http_layers() {
    let receiver = Receiver::start(None);
    let zipkin = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .build()
        .unwrap();
    let guard = install(&[zipkin], pipeline(Duration::from_secs(30)));
    set_propagator(CompositePropagator::new(vec![
        Box::new(TraceContextPropagator),
        Box::new(B3Propagator::new(B3Encoding::Multi)),
    ]))
    .unwrap();

    let front = two_services();
    let reply = get_with(
        front,
        "/front",
        &[
            ("X-B3-TraceId", CALLER_TRACE),
            ("X-B3-SpanId", CALLER_SPAN),
            ("X-B3-Sampled", "1"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let sent = |name: &str| {
        reply
            .body
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
            .map(str::to_owned)
    };
    assert_eq!(sent("x-b3-traceid").as_deref(), Some(CALLER_TRACE));
    assert_eq!(sent("x-b3-sampled").as_deref(), Some("1"));
    let traceparent = sent("traceparent").unwrap();
    assert!(
        traceparent.starts_with(&format!("00-{CALLER_TRACE}-")),
        "{traceparent}"
    );

    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    wait_until("3 spans", Duration::from_secs(20), || {
        receiver.spans().len() >= 3
    });
    let spans = receiver.spans();
    let find = |kind: &str, name: &str| -> Value {
        spans
            .iter()
            .find(|s| s["kind"] == kind && s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} {name}: {spans:#?}"))
    };
    let front_server = find("SERVER", "GET /front");
    let client = find("CLIENT", "GET");
    let back_server = find("SERVER", "GET /back");
    for span in [&front_server, &client, &back_server] {
        assert_eq!(span["traceId"], CALLER_TRACE, "{span}");
    }
    assert_eq!(front_server["parentId"], CALLER_SPAN);
    assert_eq!(client["parentId"], front_server["id"]);
    assert_eq!(back_server["parentId"], client["id"]);
    assert_eq!(sent("x-b3-spanid").as_deref(), client["id"].as_str());
}
