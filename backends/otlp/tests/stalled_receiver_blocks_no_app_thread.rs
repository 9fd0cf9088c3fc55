//! Outage: a receiver that accepts connections and never answers. While
//! an export hangs on it, the application records as before (no thread of
//! the application waits on the export); the exporter gives up at its
//! timeout, the pipeline counts the failure, shutdown returns, and every
//! span produced is dropped and counted, exactly, in the self-metrics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, install, record, stats, wait_until, Setup, EXPORTERS};
use omniscope_tests::otlp_receiver::OtlpReceiver;

const N: usize = 1000;

#[test]
fn stalled_receiver_blocks_no_app_thread() {
    let mut receiver = OtlpReceiver::reserve();
    receiver.stall();
    let guard = install(
        &receiver,
        &Setup {
            request_timeout: Duration::from_secs(2),
            export_timeout: Duration::from_millis(2500),
            queue_capacity: 8192,
        },
    );
    let sdk = guard.sdk();

    record(N, "before");
    wait_until(
        "both exports hanging on the stalled receiver",
        Duration::from_secs(30),
        || {
            receiver.stalled_connections() >= 2
                && EXPORTERS
                    .iter()
                    .all(|(name, _)| stats(sdk, name).in_flight > 0)
        },
    );
    // An export of each transport is blocked right now, and the
    // application records anyway, on this thread and another.
    record(N, "after");
    std::thread::spawn(|| record(N, "after")).join().unwrap();
    for (name, _) in EXPORTERS {
        let s = stats(sdk, name);
        assert!(
            s.in_flight > 0 && s.exported == 0,
            "{name}: still blocked: {s:?}"
        );
    }

    wait_until(
        "the exporters giving up at their timeout",
        Duration::from_secs(60),
        || {
            EXPORTERS
                .iter()
                .all(|(name, _)| stats(sdk, name).errors > 0)
        },
    );
    for (name, _) in EXPORTERS {
        let error = stats(sdk, name).last_error.unwrap_or_default();
        assert!(error.contains("timed out"), "{name}: {error}");
    }

    // Shutdown returns by its deadline although the receiver still hangs.
    let _ = sdk.shutdown(Instant::now() + Duration::from_secs(3));
    for (name, _) in EXPORTERS {
        let (exported, dropped) = assert_accounted(sdk, name, 3 * N as u64);
        assert_eq!((exported, dropped), (0, 3 * N as u64), "{name}");
    }
}
