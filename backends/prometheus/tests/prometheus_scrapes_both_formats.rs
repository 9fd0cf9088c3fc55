//! A real Prometheus server (Debian's `prometheus` package) scrapes both
//! formats: the golden snapshot and a live SDK meter, each as OpenMetrics
//! and as classic text. Every target must be up with no scrape error, the
//! values must be queryable, and the exemplar recorded in a span must come
//! back from Prometheus' exemplar storage with its trace id, on its own
//! bucket only (issue #12).
//!
//! Prometheus (`omniscope_tests::prometheus`) listens on 127.0.0.1, on
//! `OMNISCOPE_TEST_PROMETHEUS_PORT` or a free port; the targets are served
//! from a port this test binds.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_prometheus::{Encoder, Format};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;
use omniscope_tests::prometheus::{Job, Prometheus};

const TRACE: u128 = 0x5b8e_fff7_9834_5d1f_a3c2_19b3_c2d4_e0a1;

/// Serves fixed bodies on 127.0.0.1, one thread, until the process ends.
fn serve(pages: HashMap<&'static str, (&'static str, String)>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let pages = Arc::new(pages);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer(stream, &pages);
        }
    });
    addr
}

fn answer(
    mut stream: TcpStream,
    pages: &HashMap<&'static str, (&'static str, String)>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split(' ').nth(1).unwrap_or("/");
    let response = match pages.get(path) {
        Some((content_type, body)) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
    };
    stream.write_all(response.as_bytes())
}

/// A live meter: a counter, an up-down counter, the process metrics, and a
/// histogram recorded inside a span.
fn live_meter() -> SdkMeter {
    let meter = SdkMeter::new();
    omniscope_sdk::process::register(&meter);
    let labels = [Label::new("route", "/orders/{id}")];
    let meta = MetricMeta::new(Unit::custom("{order}"), "Orders created.");
    meter
        .counter(&Key::new("orders.created", &labels), &meta)
        .increment(7);
    let meta = MetricMeta::new(Unit::SECONDS, "Duration of HTTP server requests.");
    let histogram = meter.histogram(&Key::new("http.server.request.duration", &labels), &meta);
    histogram.record(0.02);
    let cx = SpanContext::new(
        TraceId::from_u128(TRACE),
        SpanId::from_u64(0x1234),
        TraceFlags::SAMPLED,
    );
    let _guard = Context::new().with_remote_span(cx).attach();
    histogram.record(0.3);
    meter
}

#[test]
fn prometheus_scrapes_both_formats() {
    let encoder = Encoder::builder().with_quantiles(true).build();
    let meter = live_meter();
    let live = meter.snapshot();
    let resource = Resource::new("orders");
    let (golden, golden_resource) = (common::snapshot(), common::resource());
    let om = Format::OpenMetrics.content_type();
    let text = Format::Text004.content_type();
    let pages = HashMap::from([
        (
            "/golden_om",
            (
                om,
                encoder.render(&golden, &golden_resource, Format::OpenMetrics),
            ),
        ),
        (
            "/golden_text",
            (
                text,
                encoder.render(&golden, &golden_resource, Format::Text004),
            ),
        ),
        (
            "/live_om",
            (om, encoder.render(&live, &resource, Format::OpenMetrics)),
        ),
        (
            "/live_text",
            (text, encoder.render(&live, &resource, Format::Text004)),
        ),
    ]);
    let jobs = ["golden_om", "golden_text", "live_om", "live_text"];
    let target = serve(pages);
    let jobs = jobs.map(|job| Job::new(job, target, &format!("/{job}")));
    let prometheus = Prometheus::start(&jobs);

    // Every target scraped once: up, with no error.
    prometheus.assert_every_target_scraped_cleanly(jobs.len());

    // The values, with the names the encoder gave them.
    let checks = [
        ("http_requests_total{job=\"golden_om\",method=\"PUT\"}", "5"),
        (
            "http_requests_total{job=\"golden_text\",method=\"PUT\"}",
            "5",
        ),
        ("queue_depth{job=\"golden_om\",q=\"tiny\"}", "1.5e-07"),
        // Prometheus 2.42 stores `_created` as a series of its own.
        (
            "http_requests_created{job=\"golden_om\",method=\"PUT\"}",
            "1699999000",
        ),
        ("target_info{job=\"golden_om\",weird_key=\"x;y\"}", "1"),
        ("target_info{job=\"golden_text\",weird_key=\"x;y\"}", "1"),
        ("orders_created_total{job=\"live_om\"}", "7"),
        ("orders_created_total{job=\"live_text\"}", "7"),
        (
            "http_server_request_duration_seconds_bucket{job=\"live_om\",le=\"0.5\"}",
            "2",
        ),
        (
            "http_server_request_duration_seconds_bucket{job=\"live_text\",le=\"0.5\"}",
            "2",
        ),
        (
            "http_server_request_duration_seconds_quantiles_count{job=\"live_om\"}",
            "2",
        ),
    ];
    for (query, want) in checks {
        prometheus.wait_for_value(query, want);
    }
    if cfg!(target_os = "linux") {
        let query = "process_cpu_seconds_total{job=\"live_om\"}";
        prometheus.wait_for(query, || prometheus.value(query));
    }

    // The exemplar, as Prometheus stored it from the OpenMetrics scrape:
    // on the bucket of the sample recorded in the span (0.3 → le 0.5)
    // only, not repeated on the buckets above (issue #12).
    let exemplars =
        prometheus.exemplars("http_server_request_duration_seconds_bucket{job=\"live_om\"}");
    let want = format!("{TRACE:032x}");
    assert!(
        exemplars.iter().all(|e| e.trace_id == want),
        "{exemplars:?}"
    );
    let buckets: Vec<(Option<f64>, f64)> = exemplars.iter().map(|e| (e.le(), e.value)).collect();
    assert_eq!(buckets, [(Some(0.5), 0.3)], "{exemplars:?}");
}
