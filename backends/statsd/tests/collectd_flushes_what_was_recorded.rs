//! Issue #16: plain statsd lines, parsed by collectd's strict statsd
//! plugin (started by `scripts/statsd-daemons`), over three flush
//! intervals: the totals collectd stores equal what was recorded, and it
//! rejects no line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step is a failed test

mod common;

use std::path::Path;
use std::time::Duration;

use omniscope_sdk::Resource;
use omniscope_statsd::{Flavor, Statsd};

/// The values of the CSV file `<type>-<name>-<date>` collectd writes.
fn csv(dir: &Path, file: &str) -> Vec<f64> {
    let dir = dir.join("csv/test/statsd");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut values = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(date) = name.strip_prefix(&format!("{file}-")) else {
            continue;
        };
        if !date.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        values.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split(',').nth(1)?.parse::<f64>().ok())
                .filter(|v| v.is_finite()),
        );
    }
    values
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn collectd_flushes_what_was_recorded() {
    let daemon = common::collectd();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::Statsd)
        .with_udp("127.0.0.1", daemon.port)
        .build()
        .unwrap();
    let sdk = common::Sdk::new(&statsd, Resource::new("orders"));
    let rounds = common::rounds(true);
    for round in &rounds {
        common::record(&sdk.meter, round);
        sdk.flush();
        // Past collectd's 1 s interval: each round in its own.
        std::thread::sleep(Duration::from_millis(1100));
    }
    let jobs_a: u64 = rounds.iter().map(|r| r.jobs_a).sum();
    let jobs_b: u64 = rounds.iter().map(|r| r.jobs_b).sum();
    let count: usize = rounds.iter().map(|r| r.latencies_ms.len()).sum();
    let sum_s: f64 = rounds.iter().flat_map(|r| r.latencies_ms).sum::<f64>() / 1000.0;
    let dir = daemon.dir.clone();
    common::eventually(|| {
        let got = (
            csv(&dir, "derive-jobs_total.queue.a").last().copied(),
            csv(&dir, "derive-jobs_total.queue.b").last().copied(),
            csv(&dir, "gauge-latency-count").iter().sum::<f64>(),
            csv(&dir, "latency-latency-sum").iter().sum::<f64>(),
            csv(&dir, "gauge-temperature").last().copied(),
            csv(&dir, "gauge-inflight").last().copied(),
        );
        let want = (
            Some(jobs_a as f64),
            Some(jobs_b as f64),
            count as f64,
            sum_s,
            Some(19.0),
            Some(-1.0),
        );
        let ok = got.0 == want.0
            && got.1 == want.1
            && close(got.2, want.2)
            && close(got.3, want.3)
            && got.4 == want.4
            && got.5 == want.5;
        if ok {
            Ok(())
        } else {
            Err(format!("collectd has {got:?}, recorded {want:?}"))
        }
    });
    // The negative gauge of round 2 went through as a value, not a delta.
    assert!(
        csv(&dir, "gauge-temperature").contains(&-4.25),
        "{:?}",
        csv(&dir, "gauge-temperature")
    );
    assert!(csv(&dir, "gauge-inflight").contains(&-2.0));
    let upper = csv(&dir, "latency-latency-upper");
    assert!(upper.contains(&0.5), "the first interval's max: {upper:?}");
    let log = std::fs::read_to_string(dir.join("collectd.log")).unwrap();
    assert!(
        !log.contains("Unable to parse"),
        "collectd rejected a line:\n{log}"
    );
    assert_eq!(sdk.stats.dropped(), 0);
    assert!(sdk.stats.lines_sent() > 0);
}
