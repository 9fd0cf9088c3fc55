//! Regression test for issue #11 (item 10): `/api/traces/capture` holds one
//! of a few waiting places for up to its timeout, and checked no `Origin`,
//! so any web page could hold them all. Now, without the token, a capture
//! needs a same-origin request (or one from no browser at all).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::request;
use omniscope_present::Present;
use omniscope_sdk::Sdk;

const CAPTURE: &str = "/api/traces/capture?timeout=50ms";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn status(addr: std::net::SocketAddr, headers: &[(&str, &str)]) -> (u16, String) {
    let reply = request(addr, "GET", CAPTURE, headers);
    (reply.status, reply.body)
}

#[test]
fn a_cross_origin_capture_is_refused_a_same_origin_one_waits() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();
    let own = format!("http://{addr}");
    let other_port = format!("http://127.0.0.1:{}", addr.port() + 1);

    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Origin", other_port.as_str())],
        vec![("Origin", "null")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Origin", own.as_str()), ("Sec-Fetch-Site", "same-site")],
    ] {
        let (status, body) = status(addr, &headers);
        assert_eq!(status, 403, "{headers:?}: {body}");
        assert!(body.contains("cross-origin"), "{body}");
    }
    // The page's own fetch, and clients that are no browser: the capture
    // waits, and times out (408) with nothing recorded.
    for headers in [
        vec![("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")],
        vec![("Sec-Fetch-Site", "none")],
        vec![],
    ] {
        let (status, body) = status(addr, &headers);
        assert_eq!(status, 408, "{headers:?}: {body}");
    }
}

#[test]
fn the_token_allows_a_capture_from_anywhere() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_bearer_token(TOKEN)
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();
    let authorization = format!("Bearer {TOKEN}");
    let (status, body) = status(
        addr,
        &[
            ("Origin", "http://tools.example"),
            ("Sec-Fetch-Site", "cross-site"),
            ("Authorization", &authorization),
        ],
    );
    assert_eq!(status, 408, "{body}");
}
