//! The main job, scraped by a real Prometheus (Debian's `prometheus`,
//! private, on loopback): two `orders` processes run with
//! `OTEL_METRICS_EXPORTER=prometheus,present` on their own
//! `OTEL_EXPORTER_PROMETHEUS_PORT`, one negotiating OpenMetrics (as
//! Prometheus asks) and one serving the classic text format
//! (`OMNISCOPE_PROMETHEUS_OPENMETRICS=false`). The test places orders
//! itself and counts the answers; Prometheus' HTTP API must then hold
//! exactly those counts (created by channel, failed by reason), a request
//! histogram whose `_count` is the number of requests, `up == 1` with no
//! scrape error, and, from the OpenMetrics target only, exemplars whose
//! trace ids are those of the orders placed, each on the bucket its sample
//! fell into and stored once (issue #12).
//!
//! Runs the `orders` binary (`OMNISCOPE_ORDERS_BIN`, else
//! `<target>/debug/examples/orders`; `scripts/test-all` builds it first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::net::{SocketAddr, TcpListener};

use omniscope_tests::http::{get_with, send};
use omniscope_tests::orders::Orders;
use omniscope_tests::prometheus::{Job, Prometheus};
use serde_json::json;

/// Orders placed on each process.
const ORDERS: usize = 40;
/// What Prometheus 2.42 sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
    application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// One `orders` process and its Prometheus endpoint.
struct Target {
    job: &'static str,
    orders: Orders,
    metrics: SocketAddr,
}

impl Target {
    fn start(job: &'static str, openmetrics: bool) -> Target {
        let metrics = free_port();
        let port = metrics.port().to_string();
        let openmetrics = openmetrics.to_string();
        let orders = Orders::start(
            &["--load", "0", "--seed", "11", "--dashboard", "127.0.0.1:0"],
            &[
                ("OTEL_METRICS_EXPORTER", "prometheus,present"),
                ("OTEL_EXPORTER_PROMETHEUS_PORT", &port),
                ("OMNISCOPE_PROMETHEUS_OPENMETRICS", &openmetrics),
                ("RUST_LOG", "warn"),
            ],
        );
        Target {
            job,
            orders,
            metrics,
        }
    }

    /// The `Content-Type` its endpoint answers Prometheus with.
    fn content_type(&self) -> String {
        let reply = get_with(self.metrics, "/metrics", &[("Accept", PROMETHEUS_ACCEPT)]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.header("content-type").unwrap().to_owned()
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// What the test counted from the answers.
#[derive(Debug, Default)]
struct Tally {
    created: BTreeMap<&'static str, u64>,
    failed: BTreeMap<String, u64>,
    trace_ids: HashSet<String>,
}

/// Places [`ORDERS`] orders over the channels, some of them invalid, and
/// counts the answers: 201 by channel, the others by their `error` reason.
fn place_orders(api: SocketAddr) -> Tally {
    let channels = ["web", "mobile", "api"];
    let mut tally = Tally::default();
    for i in 0..ORDERS {
        let channel = channels[i % channels.len()];
        let sku = if i % 10 == 9 { "unicorn" } else { "mug" };
        let body = json!({
            "customer": format!("customer-{i}"),
            "items": [{"sku": sku, "qty": 1 + i % 3}],
            "card": "4242424242424242",
            "channel": channel,
        });
        let reply = send(api, "POST", "/orders", &[], Some(&body.to_string()));
        if reply.status == 201 {
            *tally.created.entry(channel).or_default() += 1;
            tally
                .trace_ids
                .insert(reply.header("x-trace-id").unwrap().to_owned());
        } else {
            let reason = reply.json()["error"].as_str().unwrap().to_owned();
            *tally.failed.entry(reason).or_default() += 1;
        }
    }
    assert!(
        tally.failed.get("invalid") == Some(&4),
        "the unknown SKUs are refused: {tally:?}"
    );
    tally
}

/// Prometheus holds exactly the counts of `tally` for `job`.
fn check_counts(prometheus: &Prometheus, job: &str, tally: &Tally) {
    for (channel, n) in &tally.created {
        let query = format!("orders_created_total{{job=\"{job}\",channel=\"{channel}\"}}");
        prometheus.wait_for_value(&query, &n.to_string());
    }
    for (reason, n) in &tally.failed {
        let query = format!("orders_failed_total{{job=\"{job}\",reason=\"{reason}\"}}");
        prometheus.wait_for_value(&query, &n.to_string());
    }
    let created: u64 = tally.created.values().sum();
    prometheus.wait_for_value(
        &format!("order_amount_count{{job=\"{job}\"}}"),
        &created.to_string(),
    );
    let requests = format!(
        "sum(http_server_request_duration_seconds_count{{job=\"{job}\",\
         http_route=\"/orders\",http_request_method=\"POST\"}})"
    );
    prometheus.wait_for_value(&requests, &ORDERS.to_string());
    prometheus.wait_for_value(&format!("up{{job=\"{job}\"}}"), "1");
}

#[test]
fn orders_scraped_by_prometheus() {
    let om = Target::start("orders_om", true);
    let text = Target::start("orders_text", false);
    assert!(
        om.content_type()
            .starts_with("application/openmetrics-text; version=1.0.0"),
        "{}",
        om.content_type()
    );
    assert!(
        text.content_type().starts_with("text/plain; version=0.0.4"),
        "{}",
        text.content_type()
    );
    let targets = [&om, &text];
    let jobs = targets.map(|t| Job::new(t.job, t.metrics, "/metrics"));
    let prometheus = Prometheus::start(&jobs);

    let tallies = targets.map(|t| place_orders(t.orders.api()));
    for (target, tally) in targets.iter().zip(&tallies) {
        check_counts(&prometheus, target.job, tally);
    }

    // Every scrape clean.
    prometheus.assert_every_target_scraped_cleanly(jobs.len());
    for counter in [
        "prometheus_target_scrapes_sample_duplicate_timestamp_total",
        "prometheus_target_scrapes_sample_out_of_order_total",
        "prometheus_target_scrapes_sample_out_of_bounds_total",
        "prometheus_target_scrapes_exceeded_sample_limit_total",
        "prometheus_target_scrapes_exemplar_out_of_order_total",
    ] {
        assert_eq!(prometheus.own_metric(counter), 0.0, "{counter}");
    }

    // Exemplars from the OpenMetrics target: each one an order's trace.
    let ids = prometheus.exemplar_trace_ids("order_amount_bucket{job=\"orders_om\"}");
    for id in &ids {
        assert!(
            tallies[0].trace_ids.contains(id),
            "exemplar trace id {id} is not one of the orders placed: {:?}",
            tallies[0].trace_ids
        );
    }
    // Each exemplar on the bucket its sample fell into, `(previous le, le]`,
    // and on no other (issue #12: one was copied onto every bucket above,
    // most of them below their bucket's lower bound). The request histogram
    // has the buckets the HTTP conventions advise (issue #13).
    const BOUNDS: [f64; 15] = [
        0.005,
        0.01,
        0.025,
        0.05,
        0.075,
        0.1,
        0.25,
        0.5,
        0.75,
        1.0,
        2.5,
        5.0,
        7.5,
        10.0,
        f64::INFINITY,
    ];
    let exemplars =
        prometheus.exemplars("http_server_request_duration_seconds_bucket{job=\"orders_om\"}");
    for e in &exemplars {
        let le = e.le().unwrap();
        let i = BOUNDS.iter().position(|&b| b == le).unwrap();
        let lower = if i == 0 {
            f64::NEG_INFINITY
        } else {
            BOUNDS[i - 1]
        };
        assert!(
            lower < e.value && e.value <= le,
            "exemplar {} on bucket le={le}: {e:?}",
            e.value
        );
    }
    // One observation per request: an order's trace has two requests, the
    // order's own and its call to the payment gateway (`http_route` tells
    // them apart).
    let mut traces: Vec<(&str, Option<&String>)> = exemplars
        .iter()
        .map(|e| (e.trace_id.as_str(), e.series.get("http_route")))
        .collect();
    let stored = traces.len();
    traces.sort_unstable();
    traces.dedup();
    assert_eq!(
        stored,
        traces.len(),
        "an observation stored twice: {exemplars:?}"
    );
    // None from the classic format, whose samples Prometheus already has.
    let path = "/api/v1/query_exemplars?query=order_amount_bucket%7Bjob%3D%22orders_text%22%7D\
                &start=0&end=9999999999";
    let none = prometheus.api(path).unwrap();
    assert_eq!(none, json!([]), "the classic format carries no exemplars");
}
