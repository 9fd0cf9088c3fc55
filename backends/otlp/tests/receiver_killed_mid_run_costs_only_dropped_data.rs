//! Outage: the receiver dies mid-run. The application keeps recording at
//! full pace — recording never waits for the exporters, which fail and
//! retry meanwhile — memory stays bounded (the queue never holds more than
//! its capacity; the excess is dropped and counted), the data recorded
//! after the receiver comes back arrives, and every span produced is
//! exported or dropped, exactly, in the self-metrics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, install, received, record, stats, wait_until, Setup, EXPORTERS};
use omniscope_tests::otlp_receiver::OtlpReceiver;

const WARMUP: usize = 32;
const OUTAGE: usize = 20_000;
const RECOVERED: usize = 32;
const CAPACITY: usize = 256;

#[test]
fn receiver_killed_mid_run_costs_only_dropped_data() {
    let mut receiver = OtlpReceiver::start();
    let guard = install(
        &receiver,
        &Setup {
            request_timeout: Duration::from_millis(500),
            export_timeout: Duration::from_secs(1),
            queue_capacity: CAPACITY,
        },
    );
    let sdk = guard.sdk();

    record(WARMUP, "warmup");
    sdk.flush(Instant::now() + Duration::from_secs(20)).unwrap();
    for (_, via) in EXPORTERS {
        assert_eq!(received(&receiver, via, "warmup"), WARMUP);
    }

    receiver.kill();
    let exported_before: Vec<u64> = EXPORTERS
        .iter()
        .map(|(n, _)| stats(sdk, n).exported)
        .collect();
    let mut max_queued = 0;
    for chunk in 0..OUTAGE / 1000 {
        record(1000, "outage");
        for (name, _) in EXPORTERS {
            let s = stats(sdk, name);
            max_queued = max_queued.max(s.queued);
            assert!(
                s.queued <= CAPACITY as u64,
                "{name} after {chunk}k spans: {s:?}"
            );
        }
    }
    // The whole outage load was recorded while no export could succeed.
    for ((name, _), before) in EXPORTERS.iter().zip(&exported_before) {
        assert_eq!(stats(sdk, name).exported, *before, "{name}");
    }
    wait_until(
        "exports failing against the dead receiver",
        Duration::from_secs(30),
        || {
            EXPORTERS
                .iter()
                .all(|(name, _)| stats(sdk, name).errors > 0)
        },
    );
    sdk.flush(Instant::now() + Duration::from_millis(100)).ok();
    for (name, _) in EXPORTERS {
        let s = stats(sdk, name);
        assert!(
            s.dropped.queue_full > 0,
            "{name}: the excess is dropped, not buffered: {s:?}"
        );
    }
    assert!(max_queued <= CAPACITY as u64);

    receiver.serve();
    // What the outage left queued is delivered (or dropped) first.
    wait_until(
        "the queues drained after recovery",
        Duration::from_secs(30),
        || {
            EXPORTERS.iter().all(|(name, _)| {
                let s = stats(sdk, name);
                s.queued == 0 && s.in_flight == 0
            })
        },
    );
    record(RECOVERED, "recovered");
    sdk.flush(Instant::now() + Duration::from_secs(20)).ok();
    for (_, via) in EXPORTERS {
        receiver.wait_for(
            &format!("`recovered` spans over {via:?}"),
            Duration::from_secs(20),
            |r| received(r, via, "recovered") == RECOVERED,
        );
    }

    sdk.shutdown(Instant::now() + Duration::from_secs(20))
        .unwrap();
    for (name, _) in EXPORTERS {
        let (exported, dropped) = assert_accounted(sdk, name, (WARMUP + OUTAGE + RECOVERED) as u64);
        assert!(
            exported >= (WARMUP + RECOVERED) as u64 && dropped > 0,
            "{name}: {exported} {dropped}"
        );
    }
}
