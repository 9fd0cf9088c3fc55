//! Regression test for issue #12 (item 5): the dashboard's `/metrics`
//! answers as the Prometheus backend's endpoint does, through its one
//! encoder path: the format from `Accept`, gzip when `Accept-Encoding`
//! allows it, and `Vary: Accept, Accept-Encoding` so that a cache never
//! hands one scraper's answer to another. Before, it never compressed and
//! sent no `Vary`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::Read;

use common::get_with;
use common::workload::{installed, place_orders};

/// `GET /metrics` with `headers`: the status, the headers (names in lower
/// case) and the body as bytes.
fn scrape(headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let reply = get_with(installed().addr(), "/metrics", headers);
    let headers = reply
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    (reply.status, headers, reply.bytes)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn gzip_and_vary_as_the_prometheus_backend() {
    installed();
    place_orders(5);
    installed().flush();
    let openmetrics = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

    let (status, headers, body) = scrape(&[("Accept", openmetrics), ("Accept-Encoding", "gzip")]);
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-encoding"),
        Some("gzip"),
        "{headers:?}"
    );
    assert_eq!(header(&headers, "vary"), Some("Accept, Accept-Encoding"));
    assert!(header(&headers, "content-type")
        .unwrap()
        .starts_with("application/openmetrics-text; version=1.0.0"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.contains("# TYPE function_calls counter\n"), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");

    let (status, headers, body) = scrape(&[]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), None, "{headers:?}");
    assert_eq!(header(&headers, "vary"), Some("Accept, Accept-Encoding"));
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("# TYPE function_calls_total counter\n"),
        "{text}"
    );
}
