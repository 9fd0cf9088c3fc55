//! Memory does not grow with uptime: a million spans (and many logs and
//! errors) pushed through the dashboard's exporters leave every store at its
//! configured size, however the traces are shaped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::spans::spans;
use omniscope::{Level, Value};
use omniscope_present::Present;
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{testing, Resource};

const SPANS: u64 = 1_000_000;
const MAX_TRACES: usize = 50;
const MAX_SLOWEST: usize = 10;
const MAX_SPANS_PER_TRACE: usize = 64;
const MAX_LOGS: usize = 300;
const MAX_ERRORS: usize = 40;

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
            batch.push((trace, child + 1, 1, "child", 1, 1));
        }
        batch.push((trace, 1, 0, "root", 0, duration));
        pushed += size;
        if batch.len() >= 1000 {
            let built = spans(&std::mem::take(&mut batch));
            sink.export(&Batch::from_vec(built), &resource).unwrap();
        }
    }
    sink.export(&Batch::from_vec(spans(&batch)), &resource)
        .unwrap();

    let log = testing::log(Level::Info, "a record")
        .with_field("n", Value::I64(1))
        .build();
    let disk_full = std::io::Error::other("disk full");
    let error = testing::error(&disk_full).build();
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
