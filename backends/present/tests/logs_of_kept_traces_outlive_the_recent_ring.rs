//! Issue #18, item 2: the logs and errors of a trace kept as one of the
//! slowest stay as long as the trace does, after the recent rings have
//! moved past them (bounded by `with_max_pinned_logs` and
//! `with_max_pinned_errors`); and a view of a trace whose records were
//! evicted can tell (`evicted`, `oldest_ms`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, SystemTime};

use common::get_json;
use common::spans::span;
use omniscope::{Level, SpanId, TraceId};
use omniscope_present::Present;
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{testing, Resource, Sdk};

#[test]
fn logs_and_errors_of_the_slowest_trace_outlive_the_recent_rings() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_max_traces(5)
        .with_max_slowest_traces(1)
        .with_max_logs(10)
        .with_max_errors(3)
        .with_max_pinned_logs(4)
        .with_max_pinned_errors(2)
        .build()
        .unwrap();
    let resource = Resource::new("test");
    let at = |ms: u64| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
    let io = std::io::Error::other("slow disk");
    // Trace 1: the slowest (1 s), with 3 logs and an error.
    let slow = TraceId::from_u128(1);
    present
        .spans()
        .export(
            &Batch::from_vec(vec![span(1, 1, 0, "slow", 0, 1000)]),
            &resource,
        )
        .unwrap();
    let logs: Vec<_> = (0..3)
        .map(|i| {
            testing::log(Level::Info, &format!("slow step {i}"))
                .with_ids(slow, SpanId::from_u64(1))
                .with_time(at(10 + i))
                .build()
        })
        .collect();
    present
        .logs()
        .export(&Batch::from_vec(logs), &resource)
        .unwrap();
    let error = testing::error(&io)
        .with_ids(slow, SpanId::from_u64(1))
        .with_time(at(20))
        .build();
    present
        .errors()
        .export(&Batch::from_vec(vec![error]), &resource)
        .unwrap();
    // Then 100 fast traces, each with a log and an error: the rings turn
    // over many times, and trace 7's records are evicted for good.
    for t in 2..102u64 {
        let spans = vec![span(u128::from(t), 1, 0, "fast", t * 100, 1)];
        present
            .spans()
            .export(&Batch::from_vec(spans), &resource)
            .unwrap();
        let id = TraceId::from_u128(u128::from(t));
        let log = testing::log(Level::Info, "fast")
            .with_ids(id, SpanId::from_u64(1))
            .with_time(at(t * 100))
            .build();
        present
            .logs()
            .export(&Batch::from_vec(vec![log]), &resource)
            .unwrap();
        let error = testing::error(&io)
            .with_ids(id, SpanId::from_u64(1))
            .with_time(at(t * 100))
            .build();
        present
            .errors()
            .export(&Batch::from_vec(vec![error]), &resource)
            .unwrap();
    }
    let stats = present.stats();
    assert_eq!((stats.logs, stats.errors), (10, 3));
    assert_eq!((stats.pinned_logs, stats.pinned_errors), (3, 1));

    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();
    let of_slow = get_json(addr, &format!("/api/logs?trace={slow}"));
    let messages: Vec<&str> = of_slow["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["slow step 2", "slow step 1", "slow step 0"]);
    let errors = get_json(addr, &format!("/api/errors?trace={slow}"));
    assert_eq!(errors["errors"].as_array().unwrap().len(), 1);
    // Every error since the start, counted by type and site (the two
    // `testing::error` calls above), the latest seen first.
    let groups = &errors["groups"];
    assert_eq!(
        (&groups[0]["count"], &groups[1]["count"]),
        (&100.into(), &1.into()),
        "{groups}"
    );
    assert_eq!(groups[1]["traces"][0], slow.to_string());

    // A fast trace that was not kept: its log is gone, and the answer
    // says the ring moved past its time.
    let gone = get_json(addr, &format!("/api/logs?trace={}", TraceId::from_u128(7)));
    assert_eq!(gone["logs"].as_array().unwrap().len(), 0);
    assert_eq!(gone["evicted"], 103 - 10);
    assert!(gone["oldest_ms"].as_f64().unwrap() > 700.0);
    assert_eq!(gone["pinned"]["kept"], 3);
}
