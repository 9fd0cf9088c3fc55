//! Issue #15: outage. Sentry absent (the port refuses) or stalled
//! (accepts, never answers): the application handles its errors without
//! waiting, every event is counted as dropped in the pipeline's
//! `omniscope.exporter.dropped` self-metric, and shutdown returns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{dropped_metric, errors_only, handle_errors, stats, wait_until, Answer, FakeSentry};
use omniscope_sentry::Sentry;

const N: usize = 200;

#[test]
fn outage_never_blocks_and_counts_drops() {
    let absent = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let stalled = FakeSentry::start(Answer::Never);
    for dsn in [format!("http://public@{absent}/1"), stalled.dsn()] {
        let sentry = Sentry::builder()
            .with_dsn(&dsn)
            .with_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let sdk = errors_only(&sentry);
        let errors = sdk.errors().unwrap();
        handle_errors(errors, N, Duration::from_secs(10));

        wait_until("every event accounted for", Duration::from_secs(60), || {
            let s = stats(&sdk);
            s.exported + s.dropped.total() == N as u64
        });
        let s = stats(&sdk);
        assert_eq!(s.exported, 0, "{dsn}: {s:?}");
        assert!(s.errors > 0, "{dsn}: {s:?}");
        let dropped: f64 = dropped_metric(&s).iter().map(|(_, v)| v).sum();
        assert_eq!(dropped, N as f64, "{dsn}: {:?}", dropped_metric(&s));
        assert_eq!(
            sentry.stats().failed + sentry.stats().sent,
            N as u64 - s.dropped.queue_full
        );
        assert!(s.last_error.unwrap().contains("cannot send to http://"));
        sdk.shutdown(Instant::now() + Duration::from_secs(5))
            .unwrap();
    }
    assert!(stalled.requests() > 0);
}
