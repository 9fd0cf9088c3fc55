//! The tail rule exports whole traces in which a span errored and drops
//! clean ones, once the trace's local root ends; head sampling applies first.

mod common;

use std::time::{Duration, Instant};

use omniscope::{span, Status};
use omniscope_sdk::trace::SdkTracer;

#[test]
fn keeps_errored_traces_and_drops_clean_ones() {
    let (tracer, spans) = common::recording_tracer(
        SdkTracer::builder()
            .with_tail_keep_errors(true)
            .with_tail_limits(16, 4),
    );
    omniscope::set_tracer(tracer.clone()).ok().unwrap();
    let deadline = || Instant::now() + Duration::from_secs(10);

    // A clean trace.
    {
        let _root = span!("clean_root");
        let _child = span!("clean_child");
    }
    // A trace whose grandchild fails.
    let errored_trace = {
        let root = span!("bad_root");
        {
            let _child = span!("bad_child");
            let grandchild = span!("bad_grandchild");
            grandchild.set_status(Status::error("card declined"));
        }
        root.context().unwrap().trace_id()
    };
    // A trace still open: nothing of it may be exported yet.
    let open_root = span!("open_root").exit();
    {
        let _cx = open_root.as_context().cloned().unwrap().attach();
        let child = span!("open_child");
        child.set_status(Status::error("boom"));
    }
    tracer.flush(deadline()).unwrap();

    let mut names: Vec<_> = spans
        .items()
        .into_iter()
        .map(|s| s.name.into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad_child", "bad_grandchild", "bad_root"]);
    assert!(spans
        .items()
        .iter()
        .all(|s| s.context.trace_id() == errored_trace));
    let stats = tracer.stats();
    assert_eq!(
        (stats.tail_kept, stats.tail_dropped, stats.tail_waiting),
        (3, 2, 1)
    );

    // The open trace is decided when its root ends.
    drop(open_root);
    tracer.flush(deadline()).unwrap();
    assert_eq!(spans.len(), 5);

    // More spans than the per-trace bound: the extra ones are dropped and
    // counted; the error of an overflowing span still keeps the trace.
    {
        let _root = span!("big_root");
        for _ in 0..4 {
            let _s = span!("big_child");
        }
        let last = span!("big_last");
        last.set_status(Status::error("late"));
    }
    tracer.flush(deadline()).unwrap();
    let stats = tracer.stats();
    assert_eq!(
        stats.tail_overflow, 2,
        "big_last and big_root beyond 4 spans"
    );
    assert_eq!(spans.len(), 9);

    tracer.shutdown(deadline()).unwrap();
}
