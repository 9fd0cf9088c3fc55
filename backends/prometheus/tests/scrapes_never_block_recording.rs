//! A scrape never makes recording wait. Two threads record counters and
//! histograms without pause while 1,000 scrapes go through the built-in
//! listener; each scrape holds itself open (in a gauge callback, which runs
//! during the scrape's snapshot) until every recording thread has recorded
//! again, so a scrape that blocked recording would never finish (and fail
//! at a deadline). Every scrape must parse, counts must never go backwards,
//! and once recording stops the scraped totals must equal what was recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fetch;
use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter;
use omniscope_prometheus::{Format, Prometheus};
use omniscope_sdk::{Resource, Sdk};

const RECORDERS: usize = 2;
const SCRAPES: usize = 1000;
/// How long a scrape waits for the recorders before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);

/// What the recording threads and the scrapes share.
struct Shared {
    /// Records made by each recorder so far.
    recorded: [AtomicU64; RECORDERS],
    stop: AtomicBool,
    /// Set by a scrape that waited past the deadline.
    stalled: AtomicBool,
}

/// Records without pause until told to stop: a bound counter, a counter
/// looked up through the registry every 64 records, and a histogram.
fn record(sdk: &Sdk, shared: &Shared, i: usize) {
    let meter = sdk.meter();
    let thread = i.to_string();
    let labels = [Label::new("thread", thread.as_str())];
    let key = Key::new("work_total", &labels);
    let bound = meter.counter(&key, &MetricMeta::EMPTY);
    let histogram = meter.histogram(&Key::new("work_seconds", &labels), &MetricMeta::EMPTY);
    let mut n = 0u64;
    while !shared.stop.load(Ordering::Relaxed) {
        if n.is_multiple_of(64) {
            meter.counter(&key, &MetricMeta::EMPTY).increment(1);
            // Leave the scrapes some CPU on small machines.
            std::thread::yield_now();
        } else {
            bound.increment(1);
        }
        histogram.record((n % 100) as f64 / 1000.0);
        n += 1;
        shared.recorded[i].store(n, Ordering::Release);
    }
}

/// A gauge whose callback, run inside every scrape, waits until each
/// recorder has recorded since the scrape began (while recording goes on).
fn hold_scrapes_until_recorded(sdk: &Sdk, shared: &Arc<Shared>) {
    let shared = shared.clone();
    let callback = move || {
        if shared.stop.load(Ordering::Relaxed) {
            return 0.0; // recording is over: the final scrape
        }
        let start: Vec<u64> = shared
            .recorded
            .iter()
            .map(|r| r.load(Ordering::Acquire))
            .collect();
        let deadline = Instant::now() + DEADLINE;
        while shared
            .recorded
            .iter()
            .zip(&start)
            .any(|(r, s)| r.load(Ordering::Acquire) <= *s)
        {
            if Instant::now() > deadline {
                shared.stalled.store(true, Ordering::Relaxed);
                break;
            }
            std::thread::yield_now();
        }
        1.0
    };
    sdk.meter().observe_gauge(
        &Key::from_name("scrape_in_progress"),
        &MetricMeta::EMPTY,
        Box::new(callback),
    );
}

/// One scrape's `work_total` and `work_seconds_count` per thread.
fn totals(addr: SocketAddr) -> Vec<(f64, f64)> {
    let reply = fetch(addr, "GET", "/metrics", &[]);
    assert_eq!(reply.status, 200);
    let text = reply.text();
    let parsed = common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (0..RECORDERS)
        .map(|i| {
            let get = |name: &str| {
                parsed
                    .values
                    .get(&format!("{name}{{thread=\"{i}\"}}"))
                    .copied()
                    .unwrap_or_else(|| panic!("no {name} of thread {i}:\n{text}"))
            };
            (get("work_total"), get("work_seconds_count"))
        })
        .collect()
}

#[test]
fn scrapes_never_block_recording() {
    let sdk = Sdk::builder()
        .with_resource(Resource::new("busy"))
        .build()
        .unwrap();
    let shared = Arc::new(Shared {
        recorded: [AtomicU64::new(0), AtomicU64::new(0)],
        stop: AtomicBool::new(false),
        stalled: AtomicBool::new(false),
    });
    let server = Prometheus::builder()
        .with_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap()
        .serve(&sdk)
        .unwrap();
    let recorders: Vec<_> = (0..RECORDERS)
        .map(|i| {
            let (sdk, shared) = (sdk.clone(), shared.clone());
            std::thread::spawn(move || record(&sdk, &shared, i))
        })
        .collect();
    // The series exist before the first scrape.
    while shared
        .recorded
        .iter()
        .any(|r| r.load(Ordering::Acquire) == 0)
    {
        std::thread::yield_now();
    }
    hold_scrapes_until_recorded(&sdk, &shared);

    let mut previous = vec![(0.0, 0.0); RECORDERS];
    for scrape in 0..SCRAPES {
        let now = totals(server.local_addr());
        for (i, (was, is)) in previous.iter().zip(&now).enumerate() {
            assert!(
                is.0 >= was.0 && is.1 >= was.1,
                "scrape {scrape}: thread {i}'s totals went backwards: {was:?} then {is:?}"
            );
        }
        assert!(
            !shared.stalled.load(Ordering::Relaxed),
            "scrape {scrape}: the recorders made no progress during a scrape for {DEADLINE:?}"
        );
        previous = now;
    }

    shared.stop.store(true, Ordering::Relaxed);
    for r in recorders {
        r.join().unwrap();
    }
    let last = totals(server.local_addr());
    for (i, (work, count)) in last.into_iter().enumerate() {
        let recorded = shared.recorded[i].load(Ordering::Acquire) as f64;
        assert_eq!(work, recorded, "thread {i}'s work_total");
        assert_eq!(count, recorded, "thread {i}'s work_seconds_count");
    }
}
