//! Retryable answers (gRPC `UNAVAILABLE`, HTTP 503 with `Retry-After`) are
//! retried by the SDK pipeline until the receiver accepts, and a
//! partial-success answer counts its rejected spans as dropped
//! (`reason="rejected"`), over both transports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, install, received, record, self_metric, stats, Setup, EXPORTERS};
use omniscope_sdk::export::PipelineStats;
use omniscope_tests::otlp_receiver::{OtlpReceiver, Reply};

#[test]
fn retries_and_partial_success() {
    let receiver = OtlpReceiver::start();
    let guard = install(
        &receiver,
        &Setup {
            request_timeout: Duration::from_secs(5),
            export_timeout: Duration::from_secs(20),
            queue_capacity: 4096,
        },
    );
    let sdk = guard.sdk();

    // Two refusals in all (shared by both transports), then success.
    receiver.set_reply(Reply::Unavailable(2));
    record(10, "before");
    sdk.flush(Instant::now() + Duration::from_secs(30)).unwrap();
    let refused = receiver.requests().iter().filter(|r| !r.accepted).count();
    assert_eq!(refused, 2);
    let retries: u64 = EXPORTERS
        .iter()
        .map(|(name, _)| stats(sdk, name).retries)
        .sum();
    assert!(retries >= 2, "{retries}");
    for (name, via) in EXPORTERS {
        assert_eq!(received(&receiver, via, "before"), 10, "{name}");
        assert_eq!(stats(sdk, name).exported, 10, "{name}");
    }

    receiver.set_reply(Reply::Reject(3));
    record(10, "after");
    sdk.flush(Instant::now() + Duration::from_secs(30)).unwrap();
    sdk.shutdown(Instant::now() + Duration::from_secs(30))
        .unwrap();
    for (name, _) in EXPORTERS {
        let rejected = self_metric(sdk, PipelineStats::DROPPED, name, Some("rejected"));
        // 3 rejected per batch (the spans may have come in one or more).
        assert!(
            rejected >= 3 && rejected.is_multiple_of(3),
            "{name}: {rejected}"
        );
        let (exported, dropped) = assert_accounted(sdk, name, 20);
        assert_eq!((exported + rejected, dropped), (20, rejected), "{name}");
    }
}
