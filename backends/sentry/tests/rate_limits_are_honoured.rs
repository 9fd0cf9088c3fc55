//! Issue #15: a server answering 429 with `X-Sentry-Rate-Limits` for
//! errors gets no further post while the limit runs (sentry's own rate
//! limiter); the events it kept out are counted as `rejected` drops in
//! the `omniscope.exporter.dropped` self-metric, and the caller never waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{dropped_metric, errors_only, handle_errors, stats, wait_until, Answer, FakeSentry};
use omniscope_sentry::Sentry;

const N: usize = 50;

#[test]
fn rate_limits_are_honoured() {
    let server = FakeSentry::start(Answer::RateLimited(600));
    let sentry = Sentry::builder().with_dsn(server.dsn()).build().unwrap();
    let sdk = errors_only(&sentry);
    handle_errors(sdk.errors().unwrap(), N, Duration::from_secs(10));
    sdk.flush(Instant::now() + Duration::from_secs(30)).unwrap();
    wait_until("every event accounted for", Duration::from_secs(30), || {
        let s = stats(&sdk);
        s.exported + s.dropped.total() == N as u64
    });

    assert_eq!(server.requests(), 1, "one post, then the limit holds");
    let s = stats(&sdk);
    assert_eq!((s.exported, s.dropped.rejected), (0, N as u64), "{s:?}");
    assert_eq!(dropped_metric(&s), [("rejected".to_owned(), N as f64)]);
    assert_eq!(sentry.stats().rate_limited, N as u64);

    // Later errors are dropped at once too, without a request.
    handle_errors(sdk.errors().unwrap(), 10, Duration::from_secs(10));
    sdk.flush(Instant::now() + Duration::from_secs(30)).unwrap();
    assert_eq!(server.requests(), 1);
    assert_eq!(stats(&sdk).dropped.rejected, N as u64 + 10);
}
