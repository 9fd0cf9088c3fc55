//! Issue #15: breadcrumbs belong to the request. Two requests (two traces)
//! log in turns on two threads, then each handles an error: each event,
//! read back from Bugsink, carries its own request's records in order and
//! none of the other's (sentry-rust #507); a debug record is left out.
//! Sentry's normalizer takes both events as they are.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{assert_normalized_as_sent, install, SentryServer};
use omniscope_sentry::Sentry;

#[derive(Debug)]
struct RequestFailed(&'static str);

impl std::fmt::Display for RequestFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request {} failed", self.0)
    }
}
impl std::error::Error for RequestFailed {}

const RECORDS: usize = 5;

fn request(name: &'static str, turns: Arc<Barrier>) -> String {
    let span = omniscope::span!("request", name = name);
    let trace = span.context().unwrap().trace_id().to_string();
    for i in 0..RECORDS {
        turns.wait();
        omniscope::info!("{name}-{i}"; request = name, step = i as u64);
        omniscope::debug!("{name}-debug-{i}");
        turns.wait();
    }
    omniscope::handle_error(&RequestFailed(name));
    drop(span);
    trace
}

#[test]
fn breadcrumbs_stay_with_their_request() {
    let server = SentryServer::start();
    let sentry = Sentry::builder().with_dsn(server.dsn()).build().unwrap();
    let guard = install(&sentry);

    let turns = Arc::new(Barrier::new(2));
    let a = std::thread::spawn({
        let turns = turns.clone();
        move || request("a", turns)
    });
    let b = std::thread::spawn(move || request("b", turns));
    let (trace_a, trace_b) = (a.join().unwrap(), b.join().unwrap());
    assert_ne!(trace_a, trace_b);
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(20))
        .unwrap();

    let events = server.wait_for_events(2);
    for (name, trace) in [("a", &trace_a), ("b", &trace_b)] {
        let event = events
            .iter()
            .find(|e| e["contexts"]["trace"]["trace_id"] == trace.as_str())
            .unwrap_or_else(|| panic!("no event of request {name}: {events:#?}"));
        assert_eq!(
            event["exception"]["values"][0]["value"],
            format!("request {name} failed")
        );
        let crumbs: Vec<&str> = event["breadcrumbs"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["message"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = (0..RECORDS).map(|i| format!("{name}-{i}")).collect();
        assert_eq!(crumbs, expected, "request {name}'s breadcrumbs");
        let first = &event["breadcrumbs"]["values"][0];
        // sentry's serializer leaves out a breadcrumb's default level, info.
        assert_eq!(first["level"].as_str().unwrap_or("info"), "info");
        assert_eq!(first["data"]["request"], name);
        assert_eq!(first["data"]["step"], 0);
    }
    assert_normalized_as_sent(&events);
}
