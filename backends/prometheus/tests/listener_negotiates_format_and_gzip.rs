//! The built-in listener, over real HTTP: the classic text format by
//! default, OpenMetrics (with the exemplar's trace id) when the scraper
//! asks as Prometheus does, gzip when accepted; `HEAD`, `405` for other
//! methods and `404` for other paths; the SDK's self-metrics and the
//! process metrics in every scrape; a clean shutdown with a keep-alive
//! connection open; a clear error when the port is taken.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::fetch;
use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_prometheus::{Format, Prometheus};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::metrics::{MetricsSnapshot, Temporality};
use omniscope_sdk::{Resource, Sdk};

/// What Prometheus 2.42 sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
    application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TRACE: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;

/// An SDK with a push exporter (so that it has pipeline self-metrics), a
/// counter, and a histogram recorded inside a span.
fn sdk() -> Sdk {
    let (exporter, _) = InMemoryExporter::<MetricsSnapshot>::new();
    let sdk = Sdk::builder()
        .with_resource(Resource::new("checkout"))
        .with_metric_exporter(
            Box::new(exporter),
            Duration::from_secs(3600),
            Temporality::Cumulative,
        )
        .build()
        .unwrap();
    let meter = sdk.meter();
    let labels = [Label::new("channel", "web")];
    let meta = MetricMeta::new(Unit::NONE, "Orders placed.");
    meter
        .counter(&Key::new("orders_placed", &labels), &meta)
        .increment(5);
    let meta = MetricMeta::new(Unit::SECONDS, "Checkout duration.");
    let histogram = meter.histogram(&Key::from_name("checkout.duration"), &meta);
    let cx = SpanContext::new(
        TraceId::from_u128(TRACE),
        SpanId::from_u64(7),
        TraceFlags::SAMPLED,
    );
    let _guard = Context::new().with_remote_span(cx).attach();
    histogram.record(0.2);
    sdk
}

#[test]
fn listener_negotiates_format_and_gzip() {
    let sdk = sdk();
    let prometheus = Prometheus::builder()
        .with_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap();
    let server = prometheus.serve(&sdk).unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(server.url(), format!("http://{addr}/metrics"));

    // No Accept: the classic format, plain.
    let plain = fetch(addr, "GET", "/metrics", &[]);
    assert_eq!(plain.status, 200);
    assert_eq!(
        plain.header("content-type"),
        Some(Format::Text004.content_type())
    );
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept, Accept-Encoding"));
    let text = plain.text();
    let parsed = common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        parsed.values["orders_placed_total{channel=\"web\"}"], 5.0,
        "{text}"
    );
    assert_eq!(parsed.values["checkout_duration_seconds_count"], 1.0);
    // The SDK's self-metrics and the process metrics, like any other.
    assert!(
        text.contains("\nomniscope_preinit_dropped_total "),
        "{text}"
    );
    assert!(
        text.contains("\nomniscope_exporter_queue_capacity{"),
        "{text}"
    );
    if cfg!(target_os = "linux") {
        assert!(text.contains("\nprocess_cpu_seconds_total "), "{text}");
    }

    // What Prometheus asks for: OpenMetrics, gzipped, with the exemplar.
    let om = fetch(
        addr,
        "GET",
        "/metrics",
        &[("Accept", PROMETHEUS_ACCEPT), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(om.status, 200);
    assert_eq!(
        om.header("content-type"),
        Some(Format::OpenMetrics.content_type())
    );
    assert_eq!(om.header("content-encoding"), Some("gzip"));
    let text = om.text();
    assert!(om.bytes.len() < text.len(), "gzip made it smaller");
    let parsed =
        common::check(&text, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(parsed.exemplars > 0, "{text}");
    assert!(
        text.contains(&format!("trace_id=\"{TRACE:032x}\"")),
        "{text}"
    );

    // HEAD: the headers alone.
    let head = fetch(addr, "HEAD", "/metrics", &[]);
    assert_eq!(
        (head.status, head.body.len()),
        (200, 0),
        "{:?}",
        head.headers
    );

    // Other methods, other paths.
    let post = fetch(addr, "POST", "/metrics", &[]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let elsewhere = fetch(addr, "GET", "/", &[]);
    assert_eq!(elsewhere.status, 404);
    assert_eq!(elsewhere.text(), "not found: the metrics are at /metrics\n");
    let query = fetch(addr, "GET", "/metrics?debug=1", &[]);
    assert_eq!(
        query.status, 200,
        "the query string is not part of the path"
    );

    // A second server on the same port: a clear error.
    let taken = Prometheus::builder()
        .with_addr(addr)
        .build()
        .unwrap()
        .serve(&sdk)
        .unwrap_err();
    assert!(
        taken
            .to_string()
            .starts_with(&format!("cannot listen on {addr} for Prometheus scrapes")),
        "{taken}"
    );

    // Shutdown closes an idle keep-alive connection and stops listening.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(idle, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    server
        .shutdown(Instant::now() + Duration::from_secs(30))
        .unwrap();
    let mut rest = Vec::new();
    idle.read_to_end(&mut rest).unwrap(); // ends: the server closed it
    assert!(TcpStream::connect(addr).is_err(), "still listening");
    // Idempotent.
    server
        .shutdown(Instant::now() + Duration::from_secs(1))
        .unwrap();
}
