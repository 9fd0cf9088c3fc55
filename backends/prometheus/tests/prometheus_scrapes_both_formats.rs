//! A real Prometheus server (Debian's `prometheus` package) scrapes both
//! formats: the golden snapshot and a live SDK meter, each as OpenMetrics
//! and as classic text. Every target must be up with no scrape error, the
//! values must be queryable, and the exemplar recorded in a span must come
//! back from Prometheus' exemplar storage with its trace id.
//!
//! Prometheus listens on 127.0.0.1, on `OMNISCOPE_TEST_PROMETHEUS_PORT` or a
//! free port; the targets are served from a port this test binds.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_prometheus::{Encoder, Format};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(90);
const TRACE: u128 = 0x5b8e_fff7_9834_5d1f_a3c2_19b3_c2d4_e0a1;

/// Serves fixed bodies on 127.0.0.1, one thread, until the process ends.
fn serve(pages: HashMap<&'static str, (&'static str, String)>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let pages = Arc::new(pages);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = answer(stream, &pages);
        }
    });
    port
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

/// `GET http://127.0.0.1:{port}{path}` as JSON (HTTP/1.0, so the body is
/// neither chunked nor kept alive).
fn get_json(port: u16, path: &str) -> Option<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    serde_json::from_str(body).ok()
}

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Polls `f` every 200 ms until it returns `Some`, or panics at the deadline
/// with `what` and Prometheus' log.
fn wait_for<T>(prometheus: &Prometheus, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {what}; prometheus log:\n{}",
            prometheus.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A private Prometheus, killed (by its own handle) when dropped.
struct Prometheus {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Prometheus {
    fn start(target_port: u16, jobs: &[&str]) -> Prometheus {
        let dir = std::env::temp_dir().join(format!(
            "omniscope-prometheus-test-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut config =
            String::from("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        for job in jobs {
            config.push_str(&format!(
                "  - job_name: {job}\n    metrics_path: /{job}\n    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
            ));
        }
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let port = match std::env::var("OMNISCOPE_TEST_PROMETHEUS_PORT") {
            Ok(p) => p
                .parse()
                .expect("OMNISCOPE_TEST_PROMETHEUS_PORT is not a port number"),
            Err(_) => TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port(),
        };
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--enable-feature=exemplar-storage")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start `prometheus` ({e}): it comes with Debian's `prometheus` package; \
                     run scripts/test-all, which installs it (or `apt-get install -y --no-install-recommends prometheus`)"
                )
            });
        Prometheus { child, dir, port }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    fn api(&self, path: &str) -> Option<Value> {
        let v = get_json(self.port, path)?;
        (v["status"] == "success").then(|| v["data"].clone())
    }

    /// The value of the one series `query` selects, once it exists.
    fn value(&self, query: &str) -> Option<String> {
        let data = self.api(&format!("/api/v1/query?query={}", encode(query)))?;
        let result = data["result"].as_array()?;
        (result.len() == 1).then(|| result[0]["value"][1].as_str().map(str::to_owned))?
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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
    let target_port = serve(pages);
    let prometheus = Prometheus::start(target_port, &jobs);

    // Every target scraped once: up, with no error.
    let targets = wait_for(&prometheus, "every target to be scraped", || {
        let data = prometheus.api("/api/v1/targets")?;
        let targets = data["activeTargets"].as_array()?.clone();
        let done = targets.len() == jobs.len() && targets.iter().all(|t| t["health"] != "unknown");
        done.then_some(targets)
    });
    for t in &targets {
        assert_eq!(
            (t["health"].as_str(), t["lastError"].as_str()),
            (Some("up"), Some("")),
            "target {} was not scraped cleanly: {t}",
            t["labels"]["job"]
        );
    }

    // The values, with the names the encoder gave them.
    let checks = [
        ("http_requests_total{job=\"golden_om\",method=\"PUT\"}", "5"),
        (
            "http_requests_total{job=\"golden_text\",method=\"PUT\"}",
            "5",
        ),
        ("queue_depth{job=\"golden_om\",q=\"tiny\"}", "1.5e-07"),
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
        let got = wait_for(&prometheus, query, || prometheus.value(query));
        assert_eq!(got, want, "{query}");
    }
    if cfg!(target_os = "linux") {
        let query = "process_cpu_seconds_total{job=\"live_om\"}";
        wait_for(&prometheus, query, || prometheus.value(query));
    }

    // The exemplar, as Prometheus stored it from the OpenMetrics scrape.
    let query = encode("http_server_request_duration_seconds_bucket{job=\"live_om\"}");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let path = format!(
        "/api/v1/query_exemplars?query={query}&start={}&end={}",
        now - 3600,
        now + 3600
    );
    let trace_ids = wait_for(&prometheus, "the exemplar", || {
        let data = prometheus.api(&path)?;
        let ids: Vec<String> = data
            .as_array()?
            .iter()
            .flat_map(|s| s["exemplars"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["labels"]["trace_id"].as_str().map(str::to_owned))
            .collect();
        (!ids.is_empty()).then_some(ids)
    });
    let want = format!("{TRACE:032x}");
    assert!(trace_ids.iter().all(|id| *id == want), "{trace_ids:?}");
}
