//! Regression test for issue #11: a receiver answering `503` with
//! `Retry-After: 18446744073709551615` (more seconds than any clock can
//! count), then with an HTTP date in the year 9999, costs the batches it
//! refused — dropped and counted as `export_failed` at once, with a
//! `last_error` that says so — and nothing more: once it accepts again,
//! what follows arrives over both transports, and every span produced is
//! exported or dropped, exactly. Before the fix the OTLP/HTTP export
//! thread panicked on `Instant::now() + wait`, and every later span was
//! dropped as `shutdown`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, install, received, record, stats, wait_until, Setup, EXPORTERS};
use omniscope_tests::otlp_receiver::{OtlpReceiver, Reply};

const N: usize = 50;

#[test]
fn receiver_retry_after_beyond_any_clock_costs_only_the_batch() {
    let receiver = OtlpReceiver::start();
    let guard = install(
        &receiver,
        &Setup {
            request_timeout: Duration::from_millis(500),
            export_timeout: Duration::from_secs(1),
            queue_capacity: 4096,
        },
    );
    let sdk = guard.sdk();

    let refusals = [
        ("18446744073709551615", "before"),
        ("Fri, 31 Dec 9999 23:59:59 GMT", "outage"),
    ];
    for (retry_after, name) in refusals {
        receiver.set_reply(Reply::RetryAfter(retry_after));
        let errors_before: Vec<u64> = EXPORTERS
            .iter()
            .map(|(n, _)| stats(sdk, n).errors)
            .collect();
        record(N, name);
        wait_until(
            &format!("every batch refused with Retry-After: {retry_after} settled"),
            Duration::from_secs(20),
            || {
                EXPORTERS
                    .iter()
                    .zip(&errors_before)
                    .all(|((n, _), before)| {
                        let s = stats(sdk, n);
                        s.errors > *before && s.queued == 0 && s.in_flight == 0
                    })
            },
        );
        let http = stats(sdk, "otlp-http");
        let error = http.last_error.clone().unwrap_or_default();
        assert!(
            error.contains("items dropped") && !error.contains("will retry"),
            "{retry_after}: {http:?}"
        );
        assert_eq!(http.retries, 0, "{retry_after}: no retry fits: {http:?}");
    }

    receiver.set_reply(Reply::Accept);
    record(N, "after");
    sdk.flush(Instant::now() + Duration::from_secs(20)).unwrap();
    for (name, via) in EXPORTERS {
        assert_eq!(received(&receiver, via, "after"), N, "{name}");
        assert_eq!(stats(sdk, name).dropped.shutdown, 0, "{name}");
    }

    sdk.shutdown(Instant::now() + Duration::from_secs(20))
        .unwrap();
    for (name, _) in EXPORTERS {
        let (exported, dropped) = assert_accounted(sdk, name, 3 * N as u64);
        assert!(exported >= N as u64, "{name}: {exported} {dropped}");
    }
    let http = stats(sdk, "otlp-http");
    assert_eq!(
        (http.exported, http.dropped.export_failed),
        (N as u64, 2 * N as u64)
    );
}
