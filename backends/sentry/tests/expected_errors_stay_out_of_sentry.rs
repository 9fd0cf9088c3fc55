//! Issue #15: what is kept out of Sentry stays out. An expected error (a
//! type implementing `omniscope::UserError`, handed to `handle_error!`)
//! reaches no reporter; `before_send` sees every other event last and may
//! change or drop it; a sample rate of 0 sends nothing. Read back from
//! Bugsink: only the internal error arrives, as `before_send` left it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_normalized_as_sent, errors_only, install, wait_until, SentryServer};
use omniscope_sentry::Sentry;

#[derive(Debug)]
struct NotFound;
impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no such order")
    }
}
impl std::error::Error for NotFound {}
impl omniscope::UserError for NotFound {}

#[derive(Debug)]
struct DatabaseDown(&'static str);
impl std::fmt::Display for DatabaseDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database down ({})", self.0)
    }
}
impl std::error::Error for DatabaseDown {}

#[test]
fn expected_errors_stay_out_of_sentry() {
    let server = SentryServer::start();
    let sentry = Sentry::builder()
        .with_dsn(server.dsn())
        .with_before_send(|mut event| {
            let dropped = event
                .exception
                .values
                .iter()
                .any(|e| e.value.as_deref() == Some("database down (dropped)"));
            event.tags.insert("checked".into(), "yes".into());
            (!dropped).then_some(event)
        })
        .build()
        .unwrap();
    let guard = install(&sentry);

    omniscope::handle_error!(&NotFound);
    omniscope::handle_error!(&DatabaseDown("dropped"));
    omniscope::handle_error!(&DatabaseDown("kept"));
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(20))
        .unwrap();
    assert_eq!(guard.sdk().errors().unwrap().user_errors_total(), 1);

    // A sample rate of 0: nothing is posted (a second reporter, not installed).
    let unsampled = Sentry::builder()
        .with_dsn(server.dsn())
        .with_sample_rate(0.0)
        .build()
        .unwrap();
    let sdk = errors_only(&unsampled);
    common::handle_errors(sdk.errors().unwrap(), 5, Duration::from_secs(10));
    sdk.flush(Instant::now() + Duration::from_secs(20)).unwrap();
    wait_until(
        "the sampled-out events are counted",
        Duration::from_secs(10),
        || unsampled.stats().discarded == 5,
    );
    assert_eq!(unsampled.stats().sent, 0);

    let events = server.wait_for_events(1);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0]["exception"]["values"][0]["value"],
        "database down (kept)"
    );
    assert_eq!(events[0]["tags"]["checked"], "yes");
    let stats = sentry.stats();
    assert_eq!((stats.sent, stats.discarded), (1, 1));
    assert_normalized_as_sent(&events);
}
