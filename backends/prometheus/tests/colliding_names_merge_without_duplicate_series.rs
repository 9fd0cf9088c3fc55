//! Metrics whose Prometheus names collide merge into one family, a series
//! that repeats another's labels is written once (the first), and a family
//! of another type that would share a name is left out — in both formats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use omniscope_prometheus::{render, Format};

#[test]
fn collisions_merge_or_drop_never_duplicate() {
    for format in [Format::Text004, Format::OpenMetrics] {
        let text = render(&common::snapshot(), &common::resource(), format);
        let parsed = common::check(&text, format).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let family = |name: &str| parsed.families.iter().filter(|(f, _)| f == name).count();
        let counter = if format == Format::OpenMetrics {
            "http_requests"
        } else {
            "http_requests_total"
        };
        // `http.requests` and `http_requests_total`: one family, three series,
        // the repeated GET series from the first.
        assert_eq!(family(counter), 1, "{text}");
        let requests: Vec<_> = parsed
            .series
            .iter()
            .filter(|(name, _)| name == "http_requests_total")
            .collect();
        assert_eq!(requests.len(), 3, "{text}");
        assert!(text.contains("\"} 1234567\n"), "{text}");
        assert!(!text.contains(" 99\n"), "{text}");
        // A gauge named like the counter's samples, and one named like a
        // histogram's `_count`: left out.
        assert!(!text.contains("conflict_total 2"), "{text}");
        assert!(!text.contains("x_count 1\n"), "{text}");
        assert!(text.contains("x_count 2\n"), "{text}");
        // Label names that collide: one label, values joined.
        assert!(
            text.contains("queue_depth{a_b=\"y;x\",q=\"nan\"} NaN\n"),
            "{text}"
        );
        assert!(text.contains("weird_key=\"x;y\""), "{text}");
    }
}
