//! `/api/traces/capture`: the next trace with a span whose name matches is
//! answered as soon as its root ends, whether the root or a child matched;
//! no match within the timeout gets a 408 that says so; a bad pattern a 400.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::spans::span;
use common::{get, Reply};
use omniscope_present::{Present, Server, SpanSink};
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{Resource, Sdk};

fn server() -> (Present, Server) {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let sdk = Sdk::builder().build().unwrap();
    let server = present.serve(sdk).unwrap();
    (present, server)
}

/// Trace `t`: a root named `root` with one child named `child`.
fn push_trace(sink: &mut SpanSink, t: u128, root: &str, child: &str) {
    let batch = Batch::from_vec(vec![span(t, 2, 1, child, 1, 2), span(t, 1, 0, root, 0, 5)]);
    sink.export(&batch, &Resource::new("test")).unwrap();
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

/// Waits (bounded) until `n` captures are registered, so that what is
/// pushed next is "the next trace" for them.
fn wait_for_waiters(addr: SocketAddr, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::get_json(addr, "/api/status")["captures_waiting"].as_u64() < Some(n) {
        assert!(
            Instant::now() < deadline,
            "captures not registered within 30 s"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn captures_match_the_root_or_a_child_span() {
    let (present, server) = server();
    let addr = server.local_addr();
    let mut sink = present.spans();
    let by_root = start_capture(
        addr,
        "/api/traces/capture?name=%5EGET%20%2Forders&timeout=60s",
    );
    let by_child = start_capture(addr, "/api/traces/capture?name=charge_card&timeout=60s");
    wait_for_waiters(addr, 2);

    push_trace(&mut sink, 1, "GET /health", "ping");
    push_trace(&mut sink, 2, "POST /checkout", "charge_card");
    push_trace(&mut sink, 3, "GET /orders", "db.query");

    let root = by_root.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(root.status, 200, "{}", root.body);
    let root = root.json();
    assert_eq!(root["trace_id"], format!("{:032x}", 3));
    assert_eq!(root["root"], "GET /orders");
    assert_eq!(root["spans"].as_array().unwrap().len(), 2);

    let child = by_child.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(child.status, 200, "{}", child.body);
    let child = child.json();
    assert_eq!(child["trace_id"], format!("{:032x}", 2));
    assert_eq!(child["spans"][1]["name"], "charge_card");
    assert_eq!(child["spans"][1]["depth"], 1);
}

#[test]
fn a_trace_is_captured_when_its_root_ends_not_before() {
    let (present, server) = server();
    let addr = server.local_addr();
    let mut sink = present.spans();
    let capture = start_capture(addr, "/api/traces/capture?name=charge&timeout=60s");
    wait_for_waiters(addr, 1);
    let resource = Resource::new("test");
    sink.export(
        &Batch::from_vec(vec![span(9, 2, 1, "charge", 1, 1)]),
        &resource,
    )
    .unwrap();
    assert!(
        capture.recv_timeout(Duration::from_millis(300)).is_err(),
        "answered before the root ended"
    );
    sink.export(
        &Batch::from_vec(vec![span(9, 1, 0, "checkout", 0, 5)]),
        &resource,
    )
    .unwrap();
    let reply = capture.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["spans"].as_array().unwrap().len(), 2);
}

#[test]
fn no_match_within_the_timeout_is_a_408_with_a_message() {
    let (_present, server) = server();
    let reply = get(
        server.local_addr(),
        "/api/traces/capture?name=never&timeout=200ms",
    );
    assert_eq!(reply.status, 408, "{}", reply.body);
    let message = reply.json()["error"].as_str().unwrap().to_owned();
    assert!(
        message.contains("no trace with a span matching \"never\" ended within 200ms"),
        "{message}"
    );
}

#[test]
fn a_bad_pattern_or_timeout_is_a_400_with_a_message() {
    let (_present, server) = server();
    let addr = server.local_addr();
    let reply = get(addr, "/api/traces/capture?name=(unclosed");
    assert_eq!(reply.status, 400);
    let message = reply.json()["error"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("bad `name` parameter \"(unclosed\": not a valid regular expression"),
        "{message}"
    );
    let reply = get(addr, "/api/traces/capture?name=x&timeout=soon");
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"]
        .as_str()
        .unwrap()
        .contains("`timeout`"));
}

#[test]
fn shutting_down_ends_waiting_captures() {
    let (_present, server) = server();
    let addr = server.local_addr();
    let capture = start_capture(addr, "/api/traces/capture?name=x&timeout=600s");
    wait_for_waiters(addr, 1);
    server
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let reply = capture.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(reply.status, 503);
    assert!(reply.json()["error"]
        .as_str()
        .unwrap()
        .contains("shutting down"));
}
