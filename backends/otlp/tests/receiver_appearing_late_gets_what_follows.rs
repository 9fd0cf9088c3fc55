//! Outage: no receiver when the application starts. Exports fail (and are
//! retried) without the application noticing; once the receiver listens,
//! what is recorded after it appeared arrives, and every span produced is
//! exported or dropped, exactly, in the self-metrics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, install, received, record, stats, wait_until, Setup, EXPORTERS};
use omniscope_tests::otlp_receiver::OtlpReceiver;

const N: usize = 200;

#[test]
fn receiver_appearing_late_gets_what_follows() {
    let mut receiver = OtlpReceiver::reserve();
    let guard = install(
        &receiver,
        &Setup {
            request_timeout: Duration::from_secs(2),
            export_timeout: Duration::from_secs(3),
            queue_capacity: 4096,
        },
    );
    let sdk = guard.sdk();

    record(N, "before");
    wait_until(
        "both exporters failed to connect",
        Duration::from_secs(30),
        || {
            EXPORTERS
                .iter()
                .all(|(name, _)| stats(sdk, name).errors > 0)
        },
    );
    for (name, _) in EXPORTERS {
        let s = stats(sdk, name);
        assert_eq!(s.exported, 0, "{name}: nothing can be exported yet: {s:?}");
        let error = s.last_error.unwrap_or_default();
        assert!(
            error.contains("cannot send to")
                || error.contains("UNAVAILABLE")
                || error.contains("Unavailable"),
            "{name}: {error}"
        );
    }

    receiver.serve();
    record(N, "after");
    sdk.flush(Instant::now() + Duration::from_secs(20)).unwrap();
    for (name, via) in EXPORTERS {
        receiver.wait_for(
            &format!("{N} `after` spans over {via:?}"),
            Duration::from_secs(20),
            |r| received(r, via, "after") == N,
        );
        assert!(stats(sdk, name).exported >= N as u64);
    }

    sdk.shutdown(Instant::now() + Duration::from_secs(20))
        .unwrap();
    for (name, via) in EXPORTERS {
        let (exported, _) = assert_accounted(sdk, name, 2 * N as u64);
        let got = received(&receiver, via, "before") + received(&receiver, via, "after");
        assert!(
            got as u64 >= exported,
            "{name}: the receiver got {got}, {exported} exported"
        );
    }
}
