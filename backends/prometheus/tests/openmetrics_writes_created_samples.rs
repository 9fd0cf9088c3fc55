//! Regression test for issue #12 (item 5): OpenMetrics text carries a
//! `_created` sample for each counter, histogram and summary series (the
//! time the series started counting, from the SDK), and the classic format,
//! which has no such sample, carries none; `with_created(false)` leaves
//! them out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_prometheus::{Encoder, Format};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;

/// Whether some sample's name ends with `_created`.
fn has_created(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.split(['{', ' ']).next().unwrap().ends_with("_created"))
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

#[test]
fn counters_histograms_and_summaries_say_when_they_started() {
    let meter = SdkMeter::new();
    let before = seconds(SystemTime::now());
    let labels = [Label::new("route", "/orders")];
    let requests = MetricMeta::new(Unit::custom("{request}"), "Requests.");
    meter
        .counter(&Key::new("http.requests", &labels), &requests)
        .increment(3);
    let duration = MetricMeta::new(Unit::SECONDS, "Request duration.");
    meter
        .histogram(&Key::new("http.duration", &labels), &duration)
        .record(0.1);
    meter
        .gauge(&Key::from_name("queue.depth"), &MetricMeta::EMPTY)
        .set(2.0);
    let after = seconds(SystemTime::now());
    let snapshot = meter.snapshot();
    let resource = Resource::new("svc");

    let encoder = Encoder::builder().with_quantiles(true).build();
    let om = encoder.render(&snapshot, &resource, Format::OpenMetrics);
    let parsed = common::check(&om, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{om}"));
    for series in [
        "http_requests_created{route=\"/orders\"}",
        "http_duration_seconds_created{route=\"/orders\"}",
        "http_duration_seconds_quantiles_created{route=\"/orders\"}",
    ] {
        let created = parsed
            .values
            .get(series)
            .unwrap_or_else(|| panic!("no {series} in:\n{om}"));
        assert!(
            before - 0.001 <= *created && *created <= after + 0.001,
            "{series} = {created}, not between {before} and {after}"
        );
    }
    assert!(
        !om.contains("queue_depth_created"),
        "gauges have none:\n{om}"
    );

    let text = encoder.render(&snapshot, &resource, Format::Text004);
    common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(!has_created(&text), "{text}");

    let without = Encoder::builder().with_created(false).build();
    let om = without.render(&snapshot, &resource, Format::OpenMetrics);
    assert!(!has_created(&om), "{om}");
}
