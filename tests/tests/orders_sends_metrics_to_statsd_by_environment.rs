//! Issue #16: `orders` sends its metrics to statsd by environment alone.
//! It runs with `OTEL_METRICS_EXPORTER=statsd` and `STATSD_HOST`/`STATSD_PORT`
//! naming a UDP socket this test binds on 127.0.0.1 (no code change, no
//! flag); the test places orders and checks that every datagram is made of
//! well-formed plain statsd lines (Graphite-safe names, labels folded as
//! `.key.value` pairs, `|c`, `|g` or `|ms`) and that the HTTP request
//! duration arrives as a timer and `orders.created` as counters that add
//! up to the orders the service created.
//!
//! Runs the `orders` binary (see `omniscope_tests::orders`), which needs
//! `omniscope-kit`'s `statsd` feature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use omniscope_tests::http::send;
use omniscope_tests::orders::Orders;

/// How long the test waits for the metrics to arrive.
const WAIT: Duration = Duration::from_secs(30);
const ORDERS: usize = 8;

/// One statsd line: `name:value|type[|@rate]`.
#[derive(Debug)]
struct Line {
    name: String,
    value: f64,
    kind: String,
}

/// Parses `line` strictly as plain statsd (no tags); `None` if it is not.
fn parse(line: &str) -> Option<Line> {
    let (name, rest) = line.split_once(':')?;
    let mut fields = rest.split('|');
    let value = fields.next()?;
    let kind = fields.next()?;
    let rate_ok = fields.all(|f| {
        f.strip_prefix('@')
            .is_some_and(|r| r.parse::<f64>().is_ok_and(|r| r > 0.0 && r <= 1.0))
    });
    let name_ok = !name.is_empty()
        && name.split('.').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
    let value: f64 = value.parse().ok().filter(|v: &f64| v.is_finite())?;
    let kind_ok = matches!(kind, "c" | "g" | "ms");
    (name_ok && kind_ok && rate_ok).then(|| Line {
        name: name.to_owned(),
        value,
        kind: kind.to_owned(),
    })
}

/// Places an order from the web channel; whether the service created it.
fn place(orders: &Orders, i: usize) -> bool {
    let body = format!(
        r#"{{"customer": "statsd-{i}", "channel": "web", "items": [{{"sku": "mug", "qty": 1}}], "card": "4242424242424242"}}"#
    );
    send(orders.api(), "POST", "/orders", &[], Some(&body)).status == 201
}

#[test]
fn orders_sends_metrics_to_statsd_by_environment() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let port = socket.local_addr().unwrap().port().to_string();
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
    let env = [
        ("OTEL_TRACES_EXPORTER", "none"),
        ("OTEL_LOGS_EXPORTER", "none"),
        ("OTEL_METRICS_EXPORTER", "statsd"),
        ("STATSD_HOST", "127.0.0.1"),
        ("STATSD_PORT", port.as_str()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
    ];
    let orders = Orders::start(&args, &env);
    let created = (0..ORDERS).filter(|&i| place(&orders, i)).count();
    assert!(created > 0, "no order was created out of {ORDERS}");

    // Counters are deltas: their sum over the flushes is the total.
    let created_name = "orders.created.channel.web";
    let duration_prefix = "http.server.request.duration.";
    let mut lines = Vec::new();
    let mut created_sum = 0.0;
    let mut post_orders_timers = 0;
    let deadline = Instant::now() + WAIT;
    let mut buf = vec![0_u8; 65536];
    while created_sum < created as f64 || post_orders_timers < created {
        assert!(
            Instant::now() < deadline,
            "after {WAIT:?}: orders.created summed to {created_sum} of {created}, \
             {post_orders_timers} POST /orders timers; lines received: {lines:#?}"
        );
        let Ok(n) = socket.recv(&mut buf) else {
            continue;
        };
        let payload = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(n <= 1432, "a datagram of {n} bytes: {payload:?}");
        for text in payload.split('\n') {
            let line = parse(text)
                .unwrap_or_else(|| panic!("not a plain statsd line: {text:?} in {payload:?}"));
            if line.name == created_name {
                assert_eq!(line.kind, "c", "{text}");
                assert!(line.value >= 1.0 && line.value.fract() == 0.0, "{text}");
                created_sum += line.value;
            }
            if line.name.starts_with(duration_prefix) {
                // Seconds sent as a timer, in ms; labels folded in name order.
                assert_eq!(line.kind, "ms", "{text}");
                assert!(line.value >= 0.0, "{text}");
                let labels = &line.name[duration_prefix.len()..];
                if labels.starts_with("http_request_method.POST.http_response_status_code.201.") {
                    assert_eq!(
                        labels,
                        "http_request_method.POST.http_response_status_code.201.http_route._orders.\
                         network_protocol_version.1_1.url_scheme.http",
                        "{text}"
                    );
                    post_orders_timers += 1;
                }
            }
            lines.push(text.to_owned());
        }
    }
    assert_eq!(created_sum, created as f64, "{lines:#?}");
    drop(orders);
}
