//! Issue #17: swapping Jaeger for Zipkin in the main job is one
//! environment variable. `orders` runs twice with the same environment
//! but `OTEL_TRACES_EXPORTER`: with `jaeger` its spans reach an OTLP
//! receiver (Jaeger ingests OTLP), with `zipkin` they reach the receiver of
//! `scripts/zipkin-receiver`, which validates every body against the
//! official `zipkin2-api.yaml`; there the span tree of an order, its kinds
//! and the payment call's remote endpoint are checked.
//!
//! Runs the `orders` binary (`OMNISCOPE_ORDERS_BIN`, else
//! `<target>/debug/examples/orders`; `scripts/test-all` builds it first),
//! built with `omniscope-kit`'s `jaeger` and `zipkin` features.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use omniscope_tests::http::send;
use omniscope_tests::orders::Orders;
use omniscope_tests::otlp_receiver::{OtlpReceiver, WAIT};
use omniscope_tests::zipkin_receiver::{wait_until, ZipkinReceiver};
use serde_json::Value;

/// Runs `orders` with every variable of both backends set, and only
/// `OTEL_TRACES_EXPORTER` choosing between them.
fn start(traces: &str, otlp: &OtlpReceiver, zipkin: &ZipkinReceiver) -> Orders {
    let otlp_endpoint = otlp.http_endpoint();
    let zipkin_endpoint = zipkin.endpoint();
    let env = [
        ("OTEL_TRACES_EXPORTER", traces),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_LOGS_EXPORTER", "none"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", otlp_endpoint.as_str()),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", zipkin_endpoint.as_str()),
    ];
    let args = [
        "--dashboard",
        "127.0.0.1:0",
        "--load",
        "0",
        "--seed",
        "7",
        "--run-for",
        "300",
    ];
    Orders::start(&args, &env)
}

/// Places orders until one is created (201); its trace id.
fn place_one(orders: &Orders) -> String {
    for i in 0..12 {
        let body = format!(
            r#"{{"customer": "swap-{i}", "channel": "web", "items": [{{"sku": "mug", "qty": 1}}], "card": "4242424242424242"}}"#
        );
        let reply = send(orders.api(), "POST", "/orders", &[], Some(&body));
        if reply.status == 201 {
            return reply.header("x-trace-id").unwrap().to_owned();
        }
    }
    panic!("no order was created out of 12");
}

#[test]
fn orders_swaps_jaeger_for_zipkin_by_one_variable() {
    let otlp = OtlpReceiver::start();
    let zipkin = ZipkinReceiver::start(None);

    // Jaeger: spans over OTLP, none to Zipkin.
    let jaeger_trace = {
        let orders = start("jaeger", &otlp, &zipkin);
        let trace = place_one(&orders);
        let bytes = hex(&trace);
        otlp.wait_for("the order's create_order span over OTLP", WAIT, |r| {
            r.spans()
                .iter()
                .any(|s| s.span.trace_id == bytes && s.span.name == "create_order")
        });
        trace
    };
    assert!(zipkin.requests().is_empty(), "{:?}", zipkin.requests());
    let otlp_spans = otlp.spans().len();

    // Zipkin: the same environment but one variable.
    let orders = start("zipkin", &otlp, &zipkin);
    let trace = place_one(&orders);
    assert_ne!(trace, jaeger_trace);
    let of_trace = || -> Vec<Value> {
        zipkin
            .spans()
            .into_iter()
            .filter(|s| s["traceId"] == trace.as_str())
            .collect()
    };
    wait_until("the order's spans at the Zipkin receiver", WAIT, || {
        let spans = of_trace();
        [
            "POST /orders",
            "create_order",
            "validate",
            "POST /v1/charges",
        ]
        .iter()
        .all(|n| spans.iter().any(|s| s["name"] == *n))
    });
    drop(orders);

    for request in zipkin.requests() {
        assert_eq!(request["valid"], true, "{request}");
    }
    let spans = of_trace();
    let find = |name: &str| -> &Value {
        spans
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no span {name} in {spans:?}"))
    };
    let (root, create, validate) = (find("POST /orders"), find("create_order"), find("validate"));
    // The payment gateway's call: a client span, and the gateway's server span.
    let charge = spans
        .iter()
        .find(|s| s["name"] == "POST /v1/charges" && s["kind"] == "CLIENT")
        .unwrap_or_else(|| panic!("no client span POST /v1/charges in {spans:?}"));
    assert_eq!(root["kind"], "SERVER");
    assert!(root.get("parentId").is_none(), "{root}");
    assert_eq!(create["parentId"], root["id"]);
    assert!(create.get("kind").is_none(), "internal: {create}");
    assert_eq!(validate["parentId"], create["id"]);
    assert_eq!(charge["kind"], "CLIENT");
    assert_eq!(charge["remoteEndpoint"]["serviceName"], "payments");
    for s in &spans {
        assert_eq!(s["localEndpoint"]["serviceName"], "orders", "{s}");
    }
    assert_eq!(
        otlp.spans().len(),
        otlp_spans,
        "zipkin's spans went to OTLP too"
    );
}

fn hex(id: &str) -> Vec<u8> {
    (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
        .collect()
}
