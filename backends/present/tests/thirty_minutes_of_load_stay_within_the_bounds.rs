//! Issue #18, load: 1,000 distinct metrics and 30 minutes of simulated
//! traffic in fast-forward (36,000 requests of 5 spans over 30 minutes of
//! timestamps, a tenth failing, with their logs and errors; the metrics
//! sampled hundreds of times) leave every store at its configured bound;
//! then the page's redraw time for each view is measured in headless
//! Chromium and printed (not asserted: the machine is shared).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::spans::{spans, Spec};
use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::{Level, Meter as _, SpanId, Status, TraceId};
use omniscope_present::{Present, MAX_HISTORY_SERIES};
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{testing, Resource, Sdk};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::json;

const REQUESTS: u64 = 36_000;
const THIRTY_MINUTES_MS: u64 = 30 * 60 * 1000;

#[test]
fn a_long_load_leaves_every_store_at_its_bound() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_sample_interval(Duration::from_millis(5))
        .build()
        .unwrap();
    let sdk = Sdk::builder().build().unwrap();
    let server = present.serve(sdk.clone()).unwrap();
    let meter = sdk.meter();
    let seconds = MetricMeta::new(Unit::SECONDS, "request latency");
    let counters: Vec<_> = (0..700)
        .map(|i| {
            let labels = vec![Label::new("route", format!("/r{}", i % 7))];
            meter.counter(
                &Key::with_labels(format!("load.requests_{i}"), labels),
                &MetricMeta::EMPTY,
            )
        })
        .collect();
    let histograms: Vec<_> = (0..300)
        .map(|i| meter.histogram(&Key::from_name(format!("load.latency_{i}")), &seconds))
        .collect();

    let resource = Resource::new("load");
    let io = std::io::Error::other("upstream timed out");
    let started = Instant::now();
    for chunk in 0..(REQUESTS / 200) {
        let mut specs: Vec<Spec<'_>> = Vec::new();
        let mut logs = Vec::new();
        let mut errors = Vec::new();
        for r in chunk * 200..(chunk + 1) * 200 {
            let t = u128::from(r) + 1;
            let at = r * THIRTY_MINUTES_MS / REQUESTS;
            let ms = 5 + (r * 7919) % 400;
            specs.push((t, 1, 0, "GET /orders", at, ms));
            for c in 0..4 {
                specs.push((t, 2 + c, 1, "step", at + c, ms / 5));
            }
            let trace = TraceId::from_u128(t);
            let time = SystemTime::UNIX_EPOCH + Duration::from_millis(at);
            for m in ["handling", "handled"] {
                logs.push(
                    testing::log(Level::Info, m)
                        .with_ids(trace, SpanId::from_u64(1))
                        .with_time(time)
                        .build(),
                );
            }
            if r % 10 == 0 {
                errors.push(
                    testing::error(&io)
                        .with_ids(trace, SpanId::from_u64(1))
                        .with_time(time)
                        .build(),
                );
            }
        }
        let mut batch = spans(&specs);
        for (i, span) in batch.iter_mut().enumerate() {
            if i % 50 == 1 {
                span.status = Status::Error("upstream timed out".into());
            }
        }
        present
            .spans()
            .export(&Batch::from_vec(batch), &resource)
            .unwrap();
        present
            .logs()
            .export(&Batch::from_vec(logs), &resource)
            .unwrap();
        present
            .errors()
            .export(&Batch::from_vec(errors), &resource)
            .unwrap();
        for (i, c) in counters.iter().enumerate() {
            c.increment(1 + (i as u64 % 3));
        }
        for (i, h) in histograms.iter().enumerate() {
            h.record(0.001 * (1 + (chunk + i as u64) % 200) as f64);
        }
        // Let the 5 ms sampler take its samples along the way.
        std::thread::sleep(Duration::from_millis(8));
    }
    println!("36,000 requests stored in {:?}", started.elapsed());

    let stats = present.stats();
    println!("{stats:?}");
    assert_eq!(stats.spans_received, REQUESTS * 5);
    assert!(stats.traces <= 200 + 20 + 20, "{stats:?}");
    assert!(stats.recent_traces <= 200 && stats.slowest_traces <= 20);
    assert_eq!(stats.failed_traces, 20, "{stats:?}");
    assert!(stats.spans <= stats.traces * 256, "{stats:?}");
    assert!(stats.logs <= 2000 && stats.pinned_logs <= 2000, "{stats:?}");
    assert!(
        stats.errors <= 200 && stats.pinned_errors <= 200,
        "{stats:?}"
    );
    assert!(
        stats.pinned_logs > 0,
        "the slowest traces' logs are kept: {stats:?}"
    );
    assert!(stats.metric_series >= 1000 && stats.metric_series <= MAX_HISTORY_SERIES);
    assert!(
        stats.metric_samples <= stats.metric_series * (60 + 30),
        "{stats:?}"
    );

    let artifacts = artifacts_dir();
    let browser = Browser::start();
    let url = server.url();
    for (view, hash) in [
        ("functions", "functions"),
        ("traces", "traces"),
        ("metrics", "metrics"),
        ("logs", "logs"),
        ("metrics", "metrics?chart=load.latency_7"),
        ("errors", "errors"),
        ("status", "status"),
    ] {
        browser.open(&format!("{url}#/{hash}"));
        browser.wait_view(view);
        let ms = browser.script("return window.omniscopeRedraw.ms;", json!([]));
        println!(
            "redraw of #/{hash} after 30 minutes of load: {:.1} ms",
            ms.as_f64().unwrap()
        );
        let name = hash.replace(['?', '='], "-");
        browser.screenshot(&artifacts.join(format!("load-{name}.png")));
    }
    let stats = present.stats();
    assert!(stats.metric_samples <= stats.metric_series * (60 + 30));
}
