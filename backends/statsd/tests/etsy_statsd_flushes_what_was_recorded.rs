//! Issue #16: DogStatsD lines (labels and unified service tags as `#k:v`,
//! histograms as timers) read by the reference Etsy statsd daemon (started
//! by `scripts/statsd-daemons`), over three rounds, each flushed in its
//! own interval: the counter sums, last gauges and timer counts and sums
//! equal what was recorded, and the daemon saw no bad line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step is a failed test

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use omniscope::OwnedValue;
use omniscope_sdk::Resource;
use omniscope_statsd::{Flavor, HistogramAs, Statsd};
use serde_json::Value;

/// Etsy folds tags into `name;k=v;...`: the key of `name` with these tags
/// (any order).
fn matches(key: &str, name: &str, tags: &[&str]) -> bool {
    let mut parts = key.split(';');
    parts.next() == Some(name) && parts.collect::<BTreeSet<_>>() == tags.iter().copied().collect()
}

#[derive(Debug, Default, PartialEq)]
struct Seen {
    jobs_a: f64,
    jobs_b: f64,
    temperature: Option<f64>,
    inflight: Option<f64>,
    timer_count: f64,
    timer_sum: f64,
    bad_lines: f64,
}

fn read(path: &std::path::Path, tags: &[&str], a: &[&str], b: &[&str]) -> Seen {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut seen = Seen::default();
    for line in text.lines() {
        let Ok(flush) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        for (key, v) in flush["counters"].as_object().into_iter().flatten() {
            let v = v.as_f64().unwrap_or(f64::NAN);
            if matches(key, "jobs_total", a) {
                seen.jobs_a += v;
            } else if matches(key, "jobs_total", b) {
                seen.jobs_b += v;
            } else if key == "statsd.bad_lines_seen" {
                seen.bad_lines += v;
            }
        }
        for (key, v) in flush["gauges"].as_object().into_iter().flatten() {
            if matches(key, "temperature", tags) {
                seen.temperature = v.as_f64();
            } else if matches(key, "inflight", tags) {
                seen.inflight = v.as_f64();
            }
        }
        for (key, t) in flush["timer_data"].as_object().into_iter().flatten() {
            if matches(key, "latency", tags) {
                seen.timer_count += t["count"].as_f64().unwrap_or(0.0);
                seen.timer_sum += t["sum"].as_f64().unwrap_or(0.0);
            }
        }
    }
    seen
}

#[test]
fn etsy_statsd_flushes_what_was_recorded() {
    let daemon = common::etsy();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::DogStatsd)
        .with_histograms(HistogramAs::Timer)
        .with_udp("127.0.0.1", daemon.port)
        .build()
        .unwrap();
    let resource = Resource::empty()
        .with(Resource::SERVICE_NAME, OwnedValue::Str("orders".into()))
        .with(
            Resource::DEPLOYMENT_ENVIRONMENT,
            OwnedValue::Str("test".into()),
        );
    let sdk = common::Sdk::new(&statsd, resource);
    // Etsy reads `-5|g` as "subtract 5" even with tags: no negative gauges.
    let rounds = common::rounds(false);
    for round in &rounds {
        common::record(&sdk.meter, round);
        sdk.flush();
        std::thread::sleep(Duration::from_millis(600));
    }
    let tags = ["service=orders", "env=test"];
    let a = ["service=orders", "env=test", "queue=a"];
    let b = ["service=orders", "env=test", "queue=b"];
    let want = Seen {
        jobs_a: rounds.iter().map(|r| r.jobs_a as f64).sum(),
        jobs_b: rounds.iter().map(|r| r.jobs_b as f64).sum(),
        temperature: Some(19.0),
        inflight: Some(rounds.iter().map(|r| r.inflight as f64).sum()),
        timer_count: rounds.iter().map(|r| r.latencies_ms.len() as f64).sum(),
        timer_sum: rounds.iter().flat_map(|r| r.latencies_ms).sum(),
        bad_lines: 0.0,
    };
    let out = daemon.dir.join("out.jsonl");
    common::eventually(|| {
        let seen = read(&out, &tags, &a, &b);
        if seen == want {
            Ok(())
        } else {
            Err(format!("etsy statsd has {seen:?}, recorded {want:?}"))
        }
    });
    assert_eq!(sdk.stats.dropped(), 0);
}
