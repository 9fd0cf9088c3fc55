//! Regression test for issue #12 (item 6): the `/metrics` of the main job,
//! served both by the Prometheus backend and by the dashboard, passes
//! `promtool check metrics` (lint included) after real traffic: created,
//! refused and declined orders. Before, the `order_total` histogram failed
//! it ("non-counter metrics should not have \"_total\" suffix"); it is now
//! `order.amount`, which Prometheus shows as `order_amount`, beside
//! `http_server_request_duration_seconds` (from `http.server.request.duration`
//! in `s`) and the library's own `function_*` and `omniscope_*` metrics.
//!
//! Runs the `orders` binary (`OMNISCOPE_ORDERS_BIN`, else
//! `<target>/debug/examples/orders`; `scripts/test-all` builds it first) and
//! `promtool` (Debian's `prometheus`; `PROMTOOL` overrides the path).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener};

use omniscope_tests::http::{get_with, send};
use omniscope_tests::orders::Orders;
use omniscope_tests::prometheus::promtool_check_metrics;
use serde_json::json;

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Orders of every outcome: created, refused (an unknown SKU) and declined.
fn place_orders(api: SocketAddr) {
    for (i, (sku, card)) in [
        ("mug", "4242424242424242"),
        ("unicorn", "4242424242424242"),
        ("mug", "4000 0000 0000 0002"),
        ("mug", "4242424242424242"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({
            "customer": format!("customer-{i}"),
            "items": [{"sku": sku, "qty": 1}],
            "card": card,
            "channel": "web",
        });
        let reply = send(api, "POST", "/orders", &[], Some(&body.to_string()));
        assert!(reply.status < 500, "{}: {}", reply.status, reply.body);
    }
}

#[test]
fn both_metrics_endpoints_pass_promtool() {
    let prometheus = free_port();
    let orders = Orders::start(
        &["--load", "0", "--seed", "3", "--dashboard", "127.0.0.1:0"],
        &[
            ("OTEL_METRICS_EXPORTER", "prometheus,present"),
            (
                "OTEL_EXPORTER_PROMETHEUS_PORT",
                &prometheus.port().to_string(),
            ),
            ("RUST_LOG", "warn"),
        ],
    );
    place_orders(orders.api());
    let dashboard: SocketAddr = orders
        .dashboard()
        .expect("the dashboard is on")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    for (endpoint, addr) in [("prometheus", prometheus), ("dashboard", dashboard)] {
        let reply = get_with(addr, "/metrics", &[]);
        assert_eq!(reply.status, 200, "{endpoint}: {}", reply.body);
        let text = reply.body;
        for family in [
            "# TYPE order_amount histogram\n",
            "# TYPE http_server_request_duration_seconds histogram\n",
            "# TYPE function_duration_seconds histogram\n",
            "# TYPE function_calls_total counter\n",
            "# TYPE orders_created_total counter\n",
        ] {
            assert!(
                text.contains(family),
                "{endpoint}: no {family:?} in:\n{text}"
            );
        }
        assert!(!text.contains("order_total"), "{endpoint}:\n{text}");
        if let Err(e) = promtool_check_metrics(&text) {
            panic!("{endpoint}: {e}\n--- /metrics ---\n{text}");
        }
    }
}
