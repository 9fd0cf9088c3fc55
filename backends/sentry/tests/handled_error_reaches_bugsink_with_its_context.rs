//! Issue #15: a handled error with a chain of three and fields, inside a
//! span, reaches a real Sentry-protocol server (Bugsink) and is read back
//! from its API: every exception of the chain in Sentry's order with its
//! type and message (the handled error's own Rust type and module, not the
//! variant its `Debug` output shows), the handling site's stack trace (backtraces on),
//! tags from the fields (redacted), the trace link,
//! level, release, environment and server name; and Sentry's own
//! normalizer takes the stored event as it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt;
use std::time::{Duration, Instant};

use common::{assert_normalized_as_sent, exception_types, install, SentryServer};
use omniscope_sentry::Sentry;

#[derive(Debug)]
enum CheckoutError {
    Storage(StorageError),
}
#[derive(Debug)]
struct StorageError(std::io::Error);

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("checkout failed")
    }
}
impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let CheckoutError::Storage(e) = self;
        Some(e)
    }
}
impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot store the order")
    }
}
impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn handled_error_reaches_bugsink_with_its_context() {
    std::env::set_var("RUST_LIB_BACKTRACE", "1");
    let server = SentryServer::start();
    let sentry = Sentry::builder().with_dsn(server.dsn()).build().unwrap();
    let guard = install(&sentry);

    let span = omniscope::span!("checkout");
    let ids = span.context().unwrap();
    let error = CheckoutError::Storage(StorageError(std::io::Error::other("disk full")));
    let handled_at = line!() + 1;
    omniscope::handle_error!(&error; order.id = 42, card_number = "4111111111111111");
    drop(span);
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(20))
        .unwrap();

    let events = server.wait_for_events(1);
    let event = &events[0];
    assert_eq!(
        exception_types(event),
        ["io::Error", "StorageError", "CheckoutError"]
    );
    let values = event["exception"]["values"].as_array().unwrap();
    let messages: Vec<&str> = values
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["disk full", "cannot store the order", "checkout failed"]
    );
    let outer = &values[2];
    assert_eq!(
        outer["module"],
        "handled_error_reaches_bugsink_with_its_context"
    );
    assert_eq!(outer["mechanism"]["type"], "generic");
    assert_eq!(outer["mechanism"]["handled"], true);
    // The handling site's stack, innermost frame last: the handle_error! line.
    let frames = outer["stacktrace"]["frames"].as_array().unwrap();
    assert!(frames.len() > 1, "a backtrace: {frames:#?}");
    let last = frames.last().unwrap();
    assert!(
        last["abs_path"]
            .as_str()
            .unwrap()
            .ends_with("handled_error_reaches_bugsink_with_its_context.rs"),
        "{last}"
    );
    assert_eq!(
        last["lineno"].as_u64(),
        Some(u64::from(handled_at)),
        "{last}"
    );
    assert_eq!(last["in_app"], true);
    assert!(frames.iter().all(|f| !f["function"]
        .as_str()
        .unwrap_or_default()
        .contains("omniscope_sdk")));

    // sentry's serializer leaves out the default level, error.
    assert_eq!(event["level"].as_str().unwrap_or("error"), "error");
    assert_eq!(event["platform"], "native");
    assert_eq!(event["release"], "1.4.2");
    assert_eq!(event["environment"], "test");
    assert_eq!(event["server_name"], "test-host");
    assert_eq!(event["tags"]["order.id"], "42");
    assert_eq!(event["tags"]["card_number"], "[REDACTED]");
    assert_eq!(
        event["contexts"]["trace"]["trace_id"],
        ids.trace_id().to_string()
    );
    assert_eq!(
        event["contexts"]["trace"]["span_id"],
        ids.span_id().to_string()
    );
    let fingerprint = event["fingerprint"].as_array().unwrap();
    assert_eq!(
        fingerprint[0],
        "handled_error_reaches_bugsink_with_its_context::CheckoutError"
    );

    let issues = server.issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["calculated_type"], "CheckoutError");
    assert_eq!(issues[0]["calculated_value"], "checkout failed");

    assert_normalized_as_sent(&events);
    assert_eq!(sentry.stats().sent, 1);
}
