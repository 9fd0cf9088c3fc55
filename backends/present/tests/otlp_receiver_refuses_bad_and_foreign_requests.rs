//! Issue #18, item 8: the OTLP receiver keeps the dashboard's safety. A
//! malformed body (not protobuf, not JSON, an id of the wrong length)
//! gets a 400 that says what is wrong, keeps nothing, and the receiver
//! and the dashboard go on working; it listens beyond loopback only when
//! exposed with a token, which requests must then carry; a request from a
//! web page is refused; other methods, paths and media types are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{get_json, send};
use omniscope_present::Present;
use omniscope_sdk::Sdk;

/// POSTs `body` with `content_type` (and `extra` headers); the status and body.
fn post(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    extra: &str,
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {content_type}\r\n\
         {extra}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

const SPAN_JSON: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
  "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
  "name":"bill","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000"}]}]}]}"#;

#[test]
fn malformed_foreign_and_unexposed_requests_are_refused() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_otlp_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let receiver = present.serve_otlp().unwrap();
    let otlp = receiver.local_addr();
    let proto = "application/x-protobuf";

    // Malformed: each a 400 naming the problem, nothing kept.
    let bad_id = SPAN_JSON.replace("eee19b7ec3c1b174", "eee19b7ec3c1b1");
    for (content_type, body, says) in [
        (
            proto,
            &b"\xff\xff\xff\xff not protobuf"[..],
            "not a protobuf message of OTLP",
        ),
        (
            "application/json",
            &b"{\"resourceSpans\": 7}"[..],
            "not OTLP/JSON",
        ),
        (
            "application/json",
            bad_id.as_bytes(),
            "spanId has 7 bytes, not 8",
        ),
    ] {
        let (status, answer) = post(otlp, "/v1/traces", content_type, "", body);
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains(says), "{answer}");
    }
    let (status, answer) = post(otlp, "/v1/logs", proto, "", b"\x0a\x05\x0a\x03\x0a\x01");
    assert_eq!(status, 400, "{answer}");
    assert_eq!(present.stats().spans_received, 0);
    assert_eq!(present.stats().logs_received, 0);

    // Refused: compression, other media types, methods and paths, and a
    // request from a web page.
    let gzip = "Content-Encoding: gzip\r\n";
    assert_eq!(post(otlp, "/v1/traces", proto, gzip, b"x").0, 415);
    assert_eq!(post(otlp, "/v1/traces", "text/plain", "", b"x").0, 415);
    assert_eq!(post(otlp, "/v1/metrics", proto, "", b"").0, 404);
    assert_eq!(send(otlp, "GET", "/v1/traces", &[], None).status, 405);
    let page = "Origin: http://evil.example\r\n";
    let (status, _) = post(
        otlp,
        "/v1/traces",
        "application/json",
        page,
        SPAN_JSON.as_bytes(),
    );
    assert_eq!(status, 403);
    assert_eq!(present.stats().spans_received, 0);

    // The receiver and the dashboard go on: a good request is kept.
    let (status, answer) = post(
        otlp,
        "/v1/traces",
        "application/json",
        "",
        SPAN_JSON.as_bytes(),
    );
    assert_eq!((status, answer.as_str()), (200, "{}"));
    let trace = get_json(
        server.local_addr(),
        "/api/traces/5b8efff798038103d269b633813fc60c",
    );
    assert_eq!(trace["spans"][0]["attributes"]["service.name"], "billing");
    assert_eq!(trace["spans"][0]["kind"], "server");
    let (status, answer) = post(otlp, "/v1/traces", proto, "", b"");
    assert_eq!(
        (status, answer.as_str()),
        (200, ""),
        "an empty request is a valid one"
    );
    // Every refusal counted.
    let stats = present.stats();
    assert_eq!((stats.otlp_accepted, stats.otlp_refused), (2, 9));
    let status = get_json(server.local_addr(), "/api/status");
    assert_eq!(status["stores"]["otlp_refused"], 9);
}

#[test]
fn beyond_loopback_only_when_exposed_with_a_token() {
    let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
    let err = Present::builder().with_otlp_addr(any).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("with_otlp_addr: 0.0.0.0:0 is not a loopback address"),
        "{err}"
    );
    let err = Present::builder()
        .with_otlp_addr(any)
        .with_public(true)
        .with_unauthenticated_public_access(true)
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("OTLP receiver would listen on 0.0.0.0:0 without a bearer token"),
        "{err}"
    );

    let token = "0123456789abcdef0123456789abcdef";
    let present = Present::builder()
        .with_otlp_addr(any)
        .with_public(true)
        .with_bearer_token(token)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let receiver = present.serve_otlp().unwrap();
    let otlp: SocketAddr = format!("127.0.0.1:{}", receiver.local_addr().port())
        .parse()
        .unwrap();
    let (status, _) = post(
        otlp,
        "/v1/traces",
        "application/json",
        "",
        SPAN_JSON.as_bytes(),
    );
    assert_eq!(status, 401, "no token");
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let (status, _) = post(
        otlp,
        "/v1/traces",
        "application/json",
        &bearer,
        SPAN_JSON.as_bytes(),
    );
    assert_eq!(status, 200);
    assert_eq!(present.stats().spans_received, 1);
}
