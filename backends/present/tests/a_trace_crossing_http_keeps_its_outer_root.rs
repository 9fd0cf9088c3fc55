//! A trace that leaves the process over HTTP and comes back (a client span
//! inside a root span calls a loopback server in the same process, whose
//! server span has a remote parent) is listed and captured by its outer
//! root, even when the inner server span reaches the dashboard first
//! (issue #12).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{get, get_json, get_with, Reply};
use omniscope::{propagation, span, SpanKind};
use omniscope_present::Present;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

/// A server for one request: it extracts the trace context from the
/// request's headers, records its server span under it, and hands that
/// span to the dashboard (flush) before it answers, so the inner span is
/// stored while the outer root is still running.
fn serve_one(listener: TcpListener, sdk: Sdk) {
    let (stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut headers = HashMap::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
        line.clear();
    }
    {
        let _cx = propagation::extract(&headers).attach();
        let _server = span!(kind: SpanKind::Server, "inventory.serve");
        thread::sleep(Duration::from_millis(5));
    }
    sdk.flush(Instant::now() + Duration::from_secs(30))
        .expect("flush within 30 s");
    let mut stream = reader.into_inner();
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .unwrap();
}

/// Starts `GET path` on another thread.
fn start_capture(addr: SocketAddr, path: &str) -> mpsc::Receiver<Reply> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_owned();
    thread::spawn(move || {
        let _ = tx.send(get(addr, &path));
    });
    rx
}

#[test]
fn the_outer_root_is_listed_and_captured_with_the_whole_trace() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let sdk = Sdk::builder()
        .with_resource(Resource::new("shop"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(present.spans())),
        )
        .build()
        .unwrap();
    let dashboard = present.serve(sdk.clone()).unwrap();
    let _guard = sdk.clone().install().unwrap();
    let addr = dashboard.local_addr();

    let capture = start_capture(addr, "/api/traces/capture?name=%5Echeckout%24&timeout=20s");
    let deadline = Instant::now() + Duration::from_secs(30);
    while get_json(addr, "/api/status")["captures_waiting"].as_u64() < Some(1) {
        assert!(Instant::now() < deadline, "capture not registered in 30 s");
        thread::sleep(Duration::from_millis(20));
    }

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let inventory = listener.local_addr().unwrap();
    let server = thread::spawn({
        let sdk = sdk.clone();
        move || serve_one(listener, sdk)
    });
    let trace_id = {
        let root = span!("checkout");
        let trace_id = root.context().unwrap().trace_id().to_string();
        let _client = span!(kind: SpanKind::Client, "inventory.call");
        let mut carrier = HashMap::new();
        propagation::inject_current(&mut carrier);
        let headers: Vec<(&str, &str)> = carrier
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = get_with(inventory, "/stock", &headers);
        assert_eq!(reply.status, 200);
        trace_id
    };
    server.join().unwrap();
    sdk.flush(Instant::now() + Duration::from_secs(30))
        .expect("flush within 30 s");

    let detail = get_json(addr, &format!("/api/traces/{trace_id}"));
    let spans = detail["spans"].as_array().unwrap();
    let by_name = |name: &str| {
        spans
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no span {name} in {detail}"))
    };
    let inner = by_name("inventory.serve");
    assert_eq!(inner["parent_is_remote"], true, "{inner}");
    assert_eq!(
        inner["parent_span_id"],
        by_name("inventory.call")["span_id"]
    );

    let list = get_json(addr, "/api/traces");
    for order in ["recent", "slowest"] {
        let summary = list[order]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["trace_id"] == trace_id.as_str())
            .unwrap_or_else(|| panic!("trace {trace_id} not in {order}: {list}"));
        assert_eq!(summary["root"], "checkout", "{order}: {summary}");
        assert_eq!(summary["complete"], true, "{order}: {summary}");
        assert!(
            summary["duration_ms"].as_f64() >= inner["duration_ms"].as_f64(),
            "{order}: the root's duration, not the inner span's: {summary}"
        );
    }

    let reply = capture.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let captured = reply.json();
    assert_eq!(captured["trace_id"], trace_id.as_str());
    assert_eq!(captured["root"], "checkout");
    let mut names: Vec<&str> = captured["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["checkout", "inventory.call", "inventory.serve"]);
}
