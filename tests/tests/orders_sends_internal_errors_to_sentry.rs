//! Issue #15: `orders` sends its internal errors to Sentry when `SENTRY_DSN`
//! is set, with no change in its code (the kit's `sentry` feature, in
//! `full`, turns it on). Against a real Bugsink: orders are placed until
//! some fail internally (503, simulated inventory or gateway faults); each
//! such request's event arrives with the request's trace id (the one the
//! 503 answer names), its error chain, and the request's own log records
//! as breadcrumbs ("order failed" among them). A declined card, a user
//! error, never reaches Sentry. Relay's normalizer takes every event as
//! it is.
//!
//! Runs the `orders` binary (see `omniscope_tests::orders`) and Bugsink
//! (`scripts/sentry-server install`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope_tests::http::send;
use omniscope_tests::orders::Orders;
use omniscope_tests::sentry_server::{assert_normalized_as_sent, SentryServer};

/// The most orders placed while waiting for internal failures.
const MAX_ORDERS: usize = 600;
/// Internal failures wanted.
const FAILURES: usize = 2;
/// The card the simulated gateway always declines.
const DECLINED_CARD: &str = "4000 0000 0000 0002";

fn place(orders: &Orders, i: usize, card: &str) -> (u16, serde_json::Value) {
    let body = format!(
        r#"{{"customer": "sentry-{i}", "items": [{{"sku": "mug", "qty": 1}}], "card": "{card}"}}"#
    );
    let reply = send(orders.api(), "POST", "/orders", &[], Some(&body));
    let json = serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, json)
}

#[test]
fn orders_sends_internal_errors_to_sentry() {
    let server = SentryServer::start();
    let args = [
        "--dashboard",
        "127.0.0.1:0",
        "--load",
        "0",
        "--run-for",
        "300",
    ];
    let env = [
        ("SENTRY_DSN", server.dsn()),
        ("OTEL_METRICS_EXPORTER", "none"),
    ];
    let orders = Orders::start(&args, &env);

    let (declined, _) = place(&orders, 0, DECLINED_CARD);
    assert_eq!(declined, 402, "a declined card is a user error");

    let mut failed_traces = Vec::new();
    for i in 1..=MAX_ORDERS {
        let (status, body) = place(&orders, i, "4242424242424242");
        if status == 503 {
            let trace = body["trace_id"]
                .as_str()
                .unwrap_or_else(|| panic!("503 without trace id: {body}"));
            failed_traces.push(trace.to_owned());
            if failed_traces.len() == FAILURES {
                break;
            }
        }
    }
    assert_eq!(
        failed_traces.len(),
        FAILURES,
        "fewer internal failures than wanted in {MAX_ORDERS} orders"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let events = server.events();
        let arrived = failed_traces.iter().all(|t| {
            events
                .iter()
                .any(|e| e["contexts"]["trace"]["trace_id"] == t.as_str())
        });
        if arrived {
            break events;
        }
        assert!(
            Instant::now() < deadline,
            "the events of {failed_traces:?} did not arrive: {events:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };

    for trace in &failed_traces {
        let event = events
            .iter()
            .find(|e| e["contexts"]["trace"]["trace_id"] == trace.as_str())
            .unwrap();
        let exceptions = event["exception"]["values"].as_array().unwrap();
        assert!(exceptions.len() >= 2, "the error's chain: {event:#}");
        assert_eq!(exceptions.last().unwrap()["mechanism"]["handled"], true);
        assert!(event["server_name"].is_string(), "{event:#}");
        assert!(event["release"].is_string(), "{event:#}");
        let crumbs: Vec<&str> = event["breadcrumbs"]["values"]
            .as_array()
            .map(|v| v.iter().filter_map(|c| c["message"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            crumbs.contains(&"order failed"),
            "the request's own records as breadcrumbs: {crumbs:?}"
        );
    }
    assert!(
        !events.iter().any(|e| e.to_string().contains("declined")),
        "a user error reached Sentry: {events:#?}"
    );
    assert_normalized_as_sent(&events);
    drop(orders);
}
