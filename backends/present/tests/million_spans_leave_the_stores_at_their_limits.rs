//! Memory does not grow with uptime: a million spans (and many logs and
//! errors) pushed through the dashboard's exporters leave every store at its
//! configured size, however the traces are shaped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, Instant};

use common::spans::span;
use omniscope_present::Present;
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::{Batch, Exporter, InMemoryExporter};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::Resource;

const SPANS: u64 = 1_000_000;
const MAX_TRACES: usize = 50;
const MAX_SLOWEST: usize = 10;
const MAX_SPANS_PER_TRACE: usize = 64;
const MAX_LOGS: usize = 300;
const MAX_ERRORS: usize = 40;

/// One real log record and one real error event, to copy.
fn templates() -> (LogData, omniscope_sdk::errors::ErrorEvent) {
    let deadline = || Instant::now() + Duration::from_secs(10);
    let (logs, records) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter("info")
        .with_exporter(Box::new(logs))
        .build()
        .unwrap();
    omniscope::info!(logger: &logger, "a record"; n = 1);
    logger.shutdown(deadline()).unwrap();
    let (reporter, events) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    omniscope::ErrorHandler::handle(
        &errors,
        &std::io::Error::other("disk full"),
        &omniscope::ErrorContext::new(&[]),
    );
    errors.shutdown(deadline()).unwrap();
    (records.items().remove(0), events.items().remove(0))
}

#[test]
fn a_million_spans_leave_the_stores_bounded() {
    let present = Present::builder()
        .with_max_traces(MAX_TRACES)
        .with_max_slowest_traces(MAX_SLOWEST)
        .with_max_spans_per_trace(MAX_SPANS_PER_TRACE)
        .with_max_logs(MAX_LOGS)
        .with_max_errors(MAX_ERRORS)
        .build()
        .unwrap();
    let mut sink = present.spans();
    let resource = Resource::new("load");
    // Traces of 1 to 200 spans (children first, then the root, as they
    // end), with durations that make later traces slower now and then, so
    // the slowest set keeps changing too.
    let mut pushed = 0u64;
    let mut trace = 0u128;
    let mut batch = Vec::with_capacity(1024);
    while pushed < SPANS {
        trace += 1;
        let size = (trace % 200) as u64 + 1;
        let size = size.min(SPANS - pushed);
        let duration = (trace as u64 * 7919) % 10_000;
        for child in 1..size {
            batch.push(span(trace, child + 1, 1, "child", 1, 1));
        }
        batch.push(span(trace, 1, 0, "root", 0, duration));
        pushed += size;
        if batch.len() >= 1000 {
            sink.export(&Batch::from_vec(std::mem::take(&mut batch)), &resource)
                .unwrap();
        }
    }
    sink.export(&Batch::from_vec(batch), &resource).unwrap();

    let (log, error) = templates();
    let mut logs = present.logs();
    let mut errors = present.errors();
    for _ in 0..100 {
        logs.export(&Batch::from_vec(vec![log.clone(); 100]), &resource)
            .unwrap();
        errors
            .export(&Batch::from_vec(vec![error.clone(); 10]), &resource)
            .unwrap();
    }

    let stats = present.stats();
    assert_eq!(stats.spans_received, SPANS);
    assert_eq!(stats.recent_traces, MAX_TRACES);
    assert_eq!(stats.slowest_traces, MAX_SLOWEST);
    assert!(stats.traces <= MAX_TRACES + MAX_SLOWEST, "{stats:?}");
    assert_eq!(stats.largest_trace, MAX_SPANS_PER_TRACE);
    assert!(
        stats.spans <= (MAX_TRACES + MAX_SLOWEST) * MAX_SPANS_PER_TRACE,
        "{stats:?}"
    );
    assert_eq!(stats.traces_evicted, trace as u64 - stats.traces as u64);
    assert!(
        stats.spans_dropped > 0,
        "traces above the per-trace limit were cut"
    );
    assert_eq!((stats.logs, stats.logs_received), (MAX_LOGS, 10_000));
    assert_eq!((stats.errors, stats.errors_received), (MAX_ERRORS, 1_000));
}
