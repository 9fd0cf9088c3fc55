//! `omniscope_tracing::install()` makes a subscriber of its own the global
//! default, for applications without `tracing-subscriber`: spans and events
//! reach omniscope, events above omniscope's level are disabled before any
//! work (also when the level changes later), and `Span::current()` works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use omniscope::LevelFilter;

#[test]
fn the_standalone_subscriber_sends_to_omniscope_and_follows_its_level() {
    let telemetry = common::install("debug");
    omniscope::set_max_level(LevelFilter::Info);
    omniscope_tracing::install().unwrap();
    assert!(omniscope_tracing::install().is_err(), "installed twice");

    let span = tracing::info_span!("job", n = 1_u64);
    span.in_scope(|| {
        assert_eq!(tracing::Span::current().id(), span.id());
        tracing::info!("kept");
        assert!(!tracing::enabled!(tracing::Level::DEBUG));
        tracing::debug!("dropped: omniscope is at info");
    });
    omniscope::set_max_level(LevelFilter::Debug);
    span.in_scope(|| tracing::debug!("kept once the level is debug"));
    drop(span);

    let (spans, logs) = telemetry.take();
    let job = common::span(&spans, "job");
    let messages: Vec<&str> = logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, ["kept", "kept once the level is debug"]);
    for log in &logs {
        common::assert_in(log, job);
    }
}
