//! The main job over OTLP: `orders` runs with `OTEL_{TRACES,METRICS,LOGS}_EXPORTER=otlp`
//! and its endpoint and protocol from `OTEL_EXPORTER_OTLP_*`, once over gRPC
//! and once over HTTP/protobuf, into a receiver on the official OTLP
//! definitions. The test places orders itself and checks what arrived: the
//! span names and parent links of one order, the resource's `service.name`,
//! `orders.created` equal to the orders the service created, the
//! `order.amount` histogram's count and sum, OpenTelemetry names and units
//! (`http.server.request.duration` in `s`, `function.duration`; issue #12),
//! and the "order created" log record carrying its request's trace id.
//! The server and client spans of `omniscope-http` (issue #13) carry the
//! HTTP conventions' attributes, the call to the payment gateway crosses a
//! real HTTP hop (its server span is the client span's child), and every
//! 5xx answer's span has `error.type` (the gateway leaves half the
//! charges unanswered here, so some orders fail with a 503).
//!
//! Runs the `orders` binary (see `omniscope_tests::orders`), which needs
//! `omniscope-kit`'s `otlp` feature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use omniscope_tests::http::send;
use omniscope_tests::orders::Orders;
use omniscope_tests::otlp_receiver::{
    attribute, string_attribute, text, OtlpReceiver, ReceivedSpan, WAIT,
};
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};

const ORDERS: usize = 12;

/// Runs `orders` exporting every signal over OTLP with `protocol` to `endpoint`.
fn start(protocol: &str, endpoint: &str) -> Orders {
    let args = [
        "--dashboard",
        "127.0.0.1:0",
        "--load",
        "0",
        "--seed",
        "7",
        "--run-for",
        "300",
        "--gateway-timeouts",
        "0.5",
    ];
    let env = [
        ("RUST_LOG", "info"),
        ("OTEL_TRACES_EXPORTER", "otlp"),
        ("OTEL_METRICS_EXPORTER", "otlp"),
        ("OTEL_LOGS_EXPORTER", "otlp"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
    ];
    Orders::start(&args, &env)
}

/// Places an order from the web channel; its trace id and total if the
/// service created it (201).
fn place(orders: &Orders, i: usize) -> Option<(String, u64)> {
    let body = format!(
        r#"{{"customer": "tester-{i}", "channel": "web", "items": [{{"sku": "mug", "qty": {}}}], "card": "4242424242424242"}}"#,
        1 + i % 3
    );
    let reply = send(orders.api(), "POST", "/orders", &[], Some(&body));
    if reply.status != 201 {
        return None;
    }
    let trace_id = reply
        .header("x-trace-id")
        .expect("the trace id header")
        .to_owned();
    Some((trace_id, reply.json()["total_cents"].as_u64().unwrap()))
}

fn orders_reach_the_receiver(protocol: &str) {
    let receiver = OtlpReceiver::start();
    let endpoint = match protocol {
        "grpc" => receiver.grpc_endpoint(),
        _ => receiver.http_endpoint(),
    };
    let orders = start(protocol, &endpoint);
    let created: Vec<(String, u64)> = (0..ORDERS).filter_map(|i| place(&orders, i)).collect();
    assert!(!created.is_empty(), "no order was created out of {ORDERS}");
    let (trace_id, _) = created[0].clone();
    let trace_bytes = hex(&trace_id);

    // The counter and histogram, as the last periodic export has them.
    let counted = |r: &OtlpReceiver| {
        r.last_metric("orders.created")
            .and_then(|m| match m.metric.data {
                Some(metric::Data::Sum(sum)) => sum
                    .data_points
                    .iter()
                    .find(|p| string_attribute(&p.attributes, "channel") == Some("web"))
                    .and_then(|p| match p.value {
                        Some(number_data_point::Value::AsInt(v)) => Some(v),
                        _ => None,
                    }),
                _ => None,
            })
    };
    receiver.wait_for("orders.created equal to the orders created", WAIT, |r| {
        counted(r) == Some(created.len() as i64)
    });
    let histogram = receiver
        .last_metric("order.amount")
        .expect("the order.amount histogram");
    assert_eq!(histogram.metric.unit, "{EUR}");
    // OpenTelemetry names and units, not Prometheus' (issue #12).
    for (name, unit) in [
        ("http.server.request.duration", "s"),
        ("function.duration", "s"),
        ("function.calls", "{call}"),
    ] {
        let metric = receiver
            .last_metric(name)
            .unwrap_or_else(|| panic!("no {name} received"));
        assert_eq!(metric.metric.unit, unit, "{name}");
    }
    assert_eq!(
        string_attribute(&histogram.resource, "service.name"),
        Some("orders")
    );
    let Some(metric::Data::Histogram(h)) = histogram.metric.data else {
        panic!("{histogram:?}")
    };
    let point = &h.data_points[0];
    let total: u64 = created.iter().map(|(_, cents)| cents).sum();
    assert_eq!(point.count, created.len() as u64);
    let sum = point.sum.unwrap();
    assert!(
        (sum - total as f64 / 100.0).abs() < 1e-6,
        "sum {sum}, placed {total} cents"
    );

    // The spans of the first order's trace.
    receiver.wait_for("the first order's spans", WAIT, |r| {
        let spans = of_trace(r, &trace_bytes);
        ["create_order", "validate"]
            .iter()
            .all(|n| spans.iter().any(|s| s.span.name == *n))
    });
    let spans = of_trace(&receiver, &trace_bytes);
    let find = |name: &str| {
        spans
            .iter()
            .find(|s| s.span.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "no span {name} in {:?}",
                    spans.iter().map(|s| &s.span.name).collect::<Vec<_>>()
                )
            })
    };
    let (root, create, validate) = (find("POST /orders"), find("create_order"), find("validate"));
    assert!(root.span.parent_span_id.is_empty());
    assert_eq!(root.span.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(create.span.parent_span_id, root.span.span_id);
    assert_eq!(validate.span.parent_span_id, create.span.span_id);
    for s in &spans {
        assert_eq!(
            string_attribute(&s.resource, "service.name"),
            Some("orders")
        );
    }

    http_conventions(&receiver, &trace_bytes);

    // Its "order created" log record, correlated by trace id.
    receiver.wait_for("the first order's log record", WAIT, |r| {
        r.logs().iter().any(|l| {
            l.record.trace_id == trace_bytes && text(&l.record.body) == Some("order created")
        })
    });
}

/// What the HTTP semantic conventions require (or recommend, where the
/// layer can know it) on server and client spans.
const SERVER_ATTRIBUTES: [&str; 9] = [
    "http.request.method",
    "url.path",
    "url.scheme",
    "http.route",
    "http.response.status_code",
    "server.address",
    "server.port",
    "client.address",
    "network.protocol.version",
];
const CLIENT_ATTRIBUTES: [&str; 6] = [
    "http.request.method",
    "url.full",
    "server.address",
    "server.port",
    "http.response.status_code",
    "network.protocol.version",
];

fn status_code(span: &ReceivedSpan) -> Option<i64> {
    match attribute(&span.span.attributes, "http.response.status_code") {
        Some(any_value::Value::IntValue(code)) => Some(*code),
        _ => None,
    }
}

/// The order's server span and its call to the payment gateway: one real
/// HTTP hop, each side with its attributes; then every 5xx received.
fn http_conventions(receiver: &OtlpReceiver, trace: &[u8]) {
    receiver.wait_for("the payment gateway's client and server spans", WAIT, |r| {
        of_trace(r, trace)
            .iter()
            .filter(|s| s.span.name == "POST /v1/charges")
            .count()
            == 2
    });
    let spans = of_trace(receiver, trace);
    let find = |name: &str, kind: i32| {
        spans
            .iter()
            .find(|s| s.span.name == name && s.span.kind == kind)
            .unwrap_or_else(|| panic!("no span {name} of kind {kind}"))
    };
    let (root, client, gateway) = (
        find("POST /orders", 2),
        find("POST /v1/charges", 3),
        find("POST /v1/charges", 2),
    );
    assert_eq!(
        gateway.span.parent_span_id, client.span.span_id,
        "one HTTP hop"
    );
    for (span, required) in [
        (root, &SERVER_ATTRIBUTES[..]),
        (gateway, &SERVER_ATTRIBUTES[..]),
        (client, &CLIENT_ATTRIBUTES[..]),
    ] {
        for key in required {
            assert!(
                attribute(&span.span.attributes, key).is_some(),
                "{key} missing on {} (kind {}): {:?}",
                span.span.name,
                span.span.kind,
                span.span.attributes
            );
        }
    }
    assert_eq!(
        string_attribute(&root.span.attributes, "http.route"),
        Some("/orders")
    );
    assert_eq!(
        string_attribute(&client.span.attributes, "url.template"),
        Some("/v1/charges")
    );
    assert_eq!(
        string_attribute(&client.span.attributes, "peer.service"),
        Some("payments")
    );

    // Half the charges time out: 503 from orders and `timeout` on the
    // client span (the gateway's request is cancelled when its caller hangs
    // up, so its span has no status code); each with error.type.
    receiver.wait_for("a 503", WAIT, |r| {
        r.spans().iter().filter_map(status_code).any(|c| c == 503)
    });
    let received = receiver.spans();
    for span in &received {
        let Some(code) = status_code(span).filter(|c| *c >= 500) else {
            continue;
        };
        assert_eq!(
            string_attribute(&span.span.attributes, "error.type"),
            Some(code.to_string().as_str()),
            "{} answered {code}",
            span.span.name
        );
        let status = span.span.status.as_ref().map(|s| s.code);
        assert_eq!(status, Some(2), "STATUS_CODE_ERROR on {}", span.span.name);
    }
    assert!(received.iter().any(|s| {
        s.span.kind == 3 && string_attribute(&s.span.attributes, "error.type") == Some("timeout")
    }));
}

fn of_trace(receiver: &OtlpReceiver, trace: &[u8]) -> Vec<ReceivedSpan> {
    receiver
        .spans()
        .into_iter()
        .filter(|s| s.span.trace_id == trace)
        .collect()
}

fn hex(id: &str) -> Vec<u8> {
    (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn orders_exports_over_otlp_grpc() {
    orders_reach_the_receiver("grpc");
}

#[test]
fn orders_exports_over_otlp_http() {
    orders_reach_the_receiver("http/protobuf");
}
