//! DNS rebinding on a loopback listener: scrapes naming `localhost`, an IP
//! address or a name given to `with_allowed_host` are answered; any other
//! `Host` gets `421`; a name that is not a host name fails the build.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::net::SocketAddr;

use omniscope_prometheus::Prometheus;
use omniscope_sdk::Sdk;
use omniscope_tests::http::get_with;

#[test]
fn allowed_names_are_scraped_and_others_refused() {
    let sdk = Sdk::builder().build().unwrap();
    let prometheus = Prometheus::builder()
        .with_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .with_allowed_host("metrics.internal.example")
        .build()
        .unwrap();
    let server = prometheus.serve(&sdk).unwrap();
    let addr = server.local_addr();
    let port = addr.port();
    for host in [
        format!("metrics.internal.example:{port}"),
        format!("localhost:{port}"),
        addr.to_string(),
    ] {
        let reply = get_with(addr, "/metrics", &[("Host", &host)]);
        assert_eq!(reply.status, 200, "Host: {host}: {}", reply.body);
    }
    let reply = get_with(addr, "/metrics", &[("Host", "evil.example")]);
    assert_eq!(reply.status, 421, "{}", reply.body);
}

#[test]
fn a_name_that_is_not_a_host_name_fails_the_build() {
    let error = Prometheus::builder()
        .with_allowed_host("not a host/name")
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("with_allowed_host"), "{error}");
}
