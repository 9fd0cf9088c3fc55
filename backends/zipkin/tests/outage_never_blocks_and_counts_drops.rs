//! Issue #17: outage as for OTLP. Three collectors at once: absent (the
//! port refuses), stalled (accepts and never answers) and failing (every
//! answer 503). The application records as before, shutdown returns by
//! its deadline, and every span is counted: none exported, all dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{install, pipeline, stats, wait_until, Receiver};
use omniscope_zipkin::Zipkin;

const N: u64 = 500;

#[test]
fn outage_never_blocks_and_counts_drops() {
    let absent = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let stalled = TcpListener::bind("127.0.0.1:0").unwrap();
    let failing = Receiver::start(Some(503));
    let endpoints = [
        format!("http://{absent}/api/v2/spans"),
        format!("http://{}/api/v2/spans", stalled.local_addr().unwrap()),
        failing.endpoint(),
    ];
    let zipkins: Vec<Zipkin> = endpoints
        .iter()
        .map(|e| {
            Zipkin::builder()
                .with_endpoint(e)
                .with_timeout(Duration::from_millis(500))
                .build()
                .unwrap()
        })
        .collect();
    let guard = install(&zipkins, pipeline(Duration::from_millis(1500)));
    let sdk = guard.sdk();

    // Liveness only: recording must not wait on any collector.
    let recorder = std::thread::spawn(|| {
        for i in 0..N {
            let _span = omniscope::span!("during outage", i = i);
        }
    });
    let started = Instant::now();
    while !recorder.is_finished() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "recording blocked"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    recorder.join().unwrap();

    wait_until("each exporter failing", Duration::from_secs(30), || {
        stats(sdk).iter().all(|s| s.errors > 0)
    });
    assert!(failing.requests().iter().any(|r| r["refused"] == 503));
    let _ = sdk.shutdown(Instant::now() + Duration::from_secs(5));
    let all = stats(sdk);
    assert_eq!(all.len(), 3);
    for (s, endpoint) in all.iter().zip(&endpoints) {
        let d = &s.dropped;
        let dropped = d.queue_full + d.export_failed + d.rejected + d.shutdown;
        assert_eq!((s.exported, dropped), (0, N), "{endpoint}: {s:?}");
        assert_eq!((s.queued, s.in_flight), (0, 0), "{endpoint}: {s:?}");
    }
    drop(stalled);
}
