//! Regression test for issue #11 (item 7): the `Host` header was never
//! checked, so a page on any site could read a loopback server through a
//! domain rebound to 127.0.0.1. Now only `localhost`, IP addresses (which
//! cannot be rebound) and the names the application allowed are answered;
//! other names get 421.

mod common;

use common::{builder, get_as, start};

#[test]
fn a_rebinding_host_name_is_refused() {
    let server = start(builder().with_allowed_host("dash.example."));
    let addr = server.local_addr();
    let port = addr.port();

    let (status, body) = get_as(addr, "/", "evil.example").unwrap();
    assert_eq!(status, 421, "{body}");
    assert!(body.contains("evil.example"), "{body}");
    let (status, _) = get_as(addr, "/", &format!("evil.example:{port}")).unwrap();
    assert_eq!(status, 421);
    assert_eq!(server.stats().misdirected_requests, 2);

    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("localhost:{port}"),
        "LocalHost".to_owned(),
        format!("[::1]:{port}"),
        "127.1.2.3".to_owned(),
        format!("Dash.Example:{port}"),
    ] {
        let answer = get_as(addr, "/", &host).unwrap();
        assert_eq!(answer, (200, "hello".to_owned()), "Host: {host}");
    }
}

#[test]
fn any_host_passes_when_the_check_is_off() {
    let server = start(builder().with_any_host(true));
    let answer = get_as(server.local_addr(), "/", "scraped-by-name.example").unwrap();
    assert_eq!(answer, (200, "hello".to_owned()));
}
