//! Issue #15: a panic reaches Bugsink as a fatal, unhandled event with its
//! message, its thread (crashed) and a stack trace (backtraces on) whose
//! innermost frame is the panic's line, in-app; Sentry's normalizer takes
//! it as it is. Installing the panic hook twice reports the panic once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{assert_normalized_as_sent, exception_types, install, SentryServer};
use omniscope_sentry::Sentry;

#[test]
fn panic_reaches_bugsink_as_fatal() {
    // The panic hook captures a backtrace only when asked to.
    std::env::set_var("RUST_BACKTRACE", "1");
    let server = SentryServer::start();
    let sentry = Sentry::builder().with_dsn(server.dsn()).build().unwrap();
    let guard = install(&sentry);
    omniscope::install_panic_hook();
    // Asked twice (a library and main), each panic is still reported once.
    omniscope::install_panic_hook();

    let worker = std::thread::Builder::new()
        .name("worker-7".into())
        .spawn(|| {
            let _span = omniscope::span!("charge");
            panic!("card processor exploded");
        })
        .unwrap();
    assert!(worker.join().is_err());
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(20))
        .unwrap();

    let events = server.wait_for_events(1);
    assert_eq!(events.len(), 1, "one event per panic: {events:#?}");
    let event = &events[0];
    assert_eq!(event["level"], "fatal");
    assert_eq!(exception_types(event), ["panic"]);
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["value"], "panicked: card processor exploded");
    assert_eq!(exception["mechanism"]["type"], "panic");
    assert_eq!(exception["mechanism"]["handled"], false);
    let location = exception["mechanism"]["data"]["location"].as_str().unwrap();
    assert!(
        location.contains("panic_reaches_bugsink_as_fatal.rs:"),
        "{location}"
    );
    assert_eq!(event["threads"]["values"][0]["name"], "worker-7");
    assert_eq!(event["threads"]["values"][0]["crashed"], true);
    assert!(event["contexts"]["trace"]["trace_id"].is_string());

    let frames = exception["stacktrace"]["frames"].as_array().unwrap();
    assert!(
        frames.len() > 1,
        "a backtrace, not the location alone: {frames:#?}"
    );
    let innermost = frames.last().unwrap();
    assert!(
        innermost["abs_path"]
            .as_str()
            .unwrap_or_default()
            .ends_with("panic_reaches_bugsink_as_fatal.rs"),
        "the panic's line is the innermost frame: {innermost:#}"
    );
    assert_eq!(innermost["in_app"], true, "{innermost:#}");
    assert!(
        frames.iter().any(|f| f["in_app"] == false),
        "std frames are not in-app"
    );

    assert_normalized_as_sent(&events);
}
