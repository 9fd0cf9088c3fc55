//! Proof with real libraries: an axum service over hyper, with tower-http's
//! `TraceLayer` inside an omniscope server span. Served on 127.0.0.1 and
//! called over HTTP, one request makes one trace: our server span, the
//! `request` span `TraceLayer` opens through `tracing` as its child, the
//! handler's omniscope span inside that, and `TraceLayer`'s
//! "started/finished processing request" events as logs in its span.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::extract::{Path, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use omniscope::{Context, FutureExt as _, SpanKind, SpanSite, Value};
use tower_http::trace::TraceLayer;
use tracing_subscriber::layer::SubscriberExt as _;

/// Our own request span: what a service's outermost middleware opens.
async fn request_span(request: Request, next: Next) -> Response {
    static SITE: SpanSite = SpanSite::new("GET /orders/{id}", module_path!(), file!(), line!())
        .with_kind(SpanKind::Server);
    let span = omniscope::Span::start_in(
        &Context::current(),
        &SITE,
        None,
        &[omniscope::Field::new(
            "http.request.method",
            Value::Str(request.method().as_str()),
        )],
    );
    next.run(request).in_span(span).await
}

async fn order(Path(id): Path<u64>) -> String {
    {
        let _load = omniscope::span!("load_order", order.id = id);
        tracing::info!(order.id = id, "loaded");
    }
    format!("order {id}")
}

#[test]
fn trace_layer_spans_and_events_nest_under_our_request_span() {
    let telemetry = common::install("debug");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/orders/{id}", get(order))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(request_span));
    runtime.spawn(async move { axum::serve(listener, app).await });

    let reply = omniscope_tests::http::get(addr, "/orders/7");
    assert_eq!(reply.text(), "order 7");
    drop(runtime);

    let (spans, logs) = telemetry.take();
    let ours = common::span(&spans, "GET /orders/{id}");
    assert_eq!(ours.kind, SpanKind::Server);
    assert!(ours.parent_span_id.is_none());
    let trace_layer = common::span(&spans, "request");
    common::assert_child(trace_layer, ours);
    assert_eq!(trace_layer.site.target(), "tower_http::trace::make_span");
    assert_eq!(
        common::text(trace_layer.attributes.get("uri")).as_deref(),
        Some("/orders/7")
    );
    assert_eq!(
        common::text(trace_layer.attributes.get("method")).as_deref(),
        Some("GET")
    );
    let load = common::span(&spans, "load_order");
    common::assert_child(load, trace_layer);
    common::assert_in(common::log(&logs, "loaded"), load);
    for message in ["started processing request", "finished processing request"] {
        let log = common::log(&logs, message);
        common::assert_in(log, trace_layer);
        assert!(
            log.target.starts_with("tower_http::trace"),
            "{}",
            log.target
        );
    }
    let finished = common::log(&logs, "finished processing request");
    assert_eq!(
        common::text(finished.fields.get("status")).as_deref(),
        Some("200")
    );
}
