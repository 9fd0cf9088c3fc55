//! Regression test for issue #11 (item 7): the dashboard never checked the
//! `Host` header, so any web page could read it through a domain rebound
//! to 127.0.0.1. Now it answers `localhost`, IP addresses and the names
//! given to `with_allowed_host`, and `421` to anything else.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_with;
use omniscope_present::Present;
use omniscope_sdk::Sdk;

#[test]
fn a_rebinding_host_is_refused_and_an_allowed_one_served() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_allowed_host("dashboard.internal.example")
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();
    let port = addr.port();

    for path in ["/", "/api/status", "/metrics"] {
        let host = format!("evil.example:{port}");
        let reply = get_with(addr, path, &[("Host", &host)]);
        assert_eq!(reply.status, 421, "{path}: {}", reply.body);
        assert!(reply.body.contains("DNS rebinding"), "{}", reply.body);
    }
    for host in [
        format!("localhost:{port}"),
        format!("dashboard.internal.example:{port}"),
    ] {
        let reply = get_with(addr, "/api/status", &[("Host", &host)]);
        assert_eq!(reply.status, 200, "Host: {host}: {}", reply.body);
    }
}

#[test]
fn a_malformed_allowed_host_is_a_build_error() {
    let err = Present::builder()
        .with_allowed_host("http://dashboard.example:9000")
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("\"http://dashboard.example:9000\" is not a host name"),
        "{message}"
    );
    assert!(message.contains("with_allowed_host"), "{message}");
}
