use super::*;
use crate::testutil::span;
use omniscope::{SpanContext, SpanId, TraceFlags, TraceState};

fn store(max_traces: usize, max_slowest: usize, max_spans_per_trace: usize) -> TraceStore {
    TraceStore::new(TraceLimits {
        max_traces,
        max_slowest,
        max_failed: 0,
        max_spans_per_trace,
    })
}

/// Trace `t`: `children` child spans, then a root lasting `root_ms`.
fn push_trace(s: &mut TraceStore, t: u128, children: u64, root_ms: u64) -> Option<TraceId> {
    for c in 0..children {
        assert_eq!(s.insert(&span(t, 100 + c, 1, "child", 1, 1)), None);
    }
    s.insert(&span(t, 1, 0, "root", 0, root_ms))
}

#[test]
fn groups_spans_by_trace_and_completes_on_the_root() {
    let mut s = store(10, 2, 100);
    let done = push_trace(&mut s, 7, 3, 5);
    assert_eq!(done, Some(TraceId::from_bytes(7u128.to_be_bytes())));
    let t = s.get(&TraceId::from_bytes(7u128.to_be_bytes())).unwrap();
    assert_eq!(t.spans.len(), 4);
    assert!(t.is_complete());
    assert_eq!(t.root().map(|r| r.name.as_ref()), Some("root"));
    assert_eq!(t.duration(), Duration::from_millis(5));
}

#[test]
fn forgets_the_oldest_traces_but_keeps_the_slowest() {
    let mut s = store(3, 2, 100);
    // Trace 1 is the slowest by far, trace 2 the second slowest.
    push_trace(&mut s, 1, 1, 1000);
    push_trace(&mut s, 2, 1, 500);
    for t in 3..20 {
        push_trace(&mut s, t, 1, 10);
    }
    let recent: Vec<u128> = s.recent().map(|t| t.trace_id.to_u128()).collect();
    assert_eq!(recent, [19, 18, 17]);
    let slowest: Vec<u128> = s.slowest().iter().map(|t| t.trace_id.to_u128()).collect();
    assert_eq!(slowest, [1, 2]);
    let stats = s.stats();
    assert_eq!((stats.traces, stats.recent, stats.slowest), (5, 3, 2));
    assert_eq!(stats.spans, 10);
    assert_eq!(stats.traces_evicted, 14);
}

#[test]
fn a_slower_trace_pushes_the_fastest_of_the_slowest_out() {
    let mut s = store(1, 2, 100);
    push_trace(&mut s, 1, 0, 100);
    push_trace(&mut s, 2, 0, 200);
    push_trace(&mut s, 3, 0, 300);
    push_trace(&mut s, 4, 0, 1);
    let slowest: Vec<u128> = s.slowest().iter().map(|t| t.trace_id.to_u128()).collect();
    assert_eq!(slowest, [3, 2]);
    assert!(s.get(&TraceId::from_bytes(1u128.to_be_bytes())).is_none());
    assert_eq!(s.stats().traces, 3, "2 slowest + 1 recent");
}

#[test]
fn a_full_trace_drops_spans_but_keeps_its_root() {
    let mut s = store(10, 2, 4);
    let done = push_trace(&mut s, 1, 10, 50);
    assert!(done.is_some());
    let t = s.get(&TraceId::from_bytes(1u128.to_be_bytes())).unwrap();
    assert_eq!(t.spans.len(), 4);
    assert_eq!(t.dropped_spans, 7);
    assert_eq!(t.root().map(|r| r.name.as_ref()), Some("root"));
    let stats = s.stats();
    assert_eq!(
        (stats.spans, stats.spans_dropped, stats.spans_received),
        (4, 7, 11)
    );
}

#[test]
fn a_trace_without_its_root_yet_is_incomplete() {
    let mut s = store(10, 2, 10);
    s.insert(&span(1, 2, 1, "child", 10, 5));
    s.insert(&span(1, 3, 1, "child", 12, 10));
    let t = s.get(&TraceId::from_bytes(1u128.to_be_bytes())).unwrap();
    assert!(!t.is_complete());
    assert_eq!(t.duration(), Duration::from_millis(12));
    assert_eq!(s.stats().slowest, 0);
}

#[test]
fn zero_limits_keep_nothing() {
    let mut s = store(0, 0, 10);
    assert_eq!(push_trace(&mut s, 1, 2, 5), None);
    assert_eq!(s.stats().traces, 0);
    assert_eq!(s.stats().spans_dropped, 3);
}

/// Like [`span`], but its parent `parent` is in another process.
fn remote_child(t: u128, id: u64, parent: u64, name: &str, start_ms: u64, ms: u64) -> SpanData {
    let trace_id = TraceId::from_u128(t);
    let start = SystemTime::UNIX_EPOCH + Duration::from_millis(start_ms);
    omniscope_sdk::testing::span(name)
        .with_ids(trace_id, SpanId::from_u64(id))
        .with_times(start, start + Duration::from_millis(ms))
        .with_parent(SpanContext::new_remote(
            trace_id,
            SpanId::from_u64(parent),
            TraceFlags::SAMPLED,
            TraceState::new(),
        ))
        .build()
}

/// Issue #12: a trace that leaves the process and comes back. The inner
/// server span (remote parent) ends first and completes the trace; the
/// outer root (no parent) then takes its place, once in the slowest.
#[test]
fn a_root_without_parent_takes_the_place_of_one_with_a_remote_parent() {
    let mut s = store(10, 2, 10);
    let id = TraceId::from_u128(1);
    assert_eq!(s.insert(&remote_child(1, 3, 2, "serve", 2, 5)), Some(id));
    assert_eq!(s.get(&id).unwrap().duration(), Duration::from_millis(5));
    assert_eq!(s.insert(&span(1, 2, 1, "call", 1, 7)), None);
    assert_eq!(s.insert(&span(1, 1, 0, "checkout", 0, 10)), Some(id));
    let t = s.get(&id).unwrap();
    assert_eq!(t.root().map(|r| r.name.as_ref()), Some("checkout"));
    assert_eq!(t.duration(), Duration::from_millis(10));
    assert_eq!(s.stats().slowest, 1);
    assert_eq!(s.slowest()[0].duration(), Duration::from_millis(10));
    // A later span with a remote parent does not displace it.
    assert_eq!(s.insert(&remote_child(1, 4, 2, "serve", 0, 9)), None);
    assert_eq!(s.get(&id).unwrap().root().unwrap().name, "checkout");
}

#[test]
fn of_two_spans_with_remote_parents_the_outer_one_is_the_root() {
    let mut s = store(10, 2, 10);
    let id = TraceId::from_u128(1);
    assert_eq!(s.insert(&remote_child(1, 5, 4, "inner", 3, 2)), Some(id));
    assert_eq!(s.insert(&remote_child(1, 3, 2, "outer", 1, 6)), Some(id));
    assert_eq!(s.insert(&remote_child(1, 6, 4, "later", 4, 1)), None);
    let t = s.get(&id).unwrap();
    assert_eq!(t.root().map(|r| r.name.as_ref()), Some("outer"));
}

#[test]
fn a_better_root_finds_room_in_a_full_trace() {
    let mut s = store(10, 2, 2);
    let id = TraceId::from_u128(1);
    s.insert(&span(1, 4, 3, "child", 2, 1));
    s.insert(&remote_child(1, 3, 2, "serve", 2, 5));
    assert_eq!(s.insert(&span(1, 1, 0, "checkout", 0, 10)), Some(id));
    let t = s.get(&id).unwrap();
    assert_eq!(t.spans.len(), 2);
    assert_eq!(t.root().map(|r| r.name.as_ref()), Some("checkout"));
}

fn failed(mut span: SpanData) -> SpanData {
    span.status = omniscope::Status::Error("declined".into());
    span
}

/// Issue #18: past the span limit, the slowest and the failed spans stay.
#[test]
fn a_full_trace_keeps_its_slowest_and_failed_spans() {
    let mut s = store(10, 2, 4);
    s.insert(&failed(span(1, 50, 1, "failed", 1, 1)));
    for c in 0..10 {
        s.insert(&span(1, 100 + c, 1, "child", 1, 1 + c));
    }
    s.insert(&span(1, 1, 0, "root", 0, 50));
    let t = s.get(&TraceId::from_u128(1)).unwrap();
    let mut kept: Vec<(String, Duration)> = t
        .spans
        .iter()
        .map(|s| (s.name.to_string(), span_duration(s)))
        .collect();
    kept.sort();
    let ms = Duration::from_millis;
    assert_eq!(
        kept,
        [
            ("child".into(), ms(9)),
            ("child".into(), ms(10)),
            ("failed".into(), ms(1)),
            ("root".into(), ms(50)),
        ]
    );
    assert_eq!(t.dropped_spans, 8);
    assert_eq!(s.stats().spans, 4);
}

/// Issue #18: a failed trace is kept past the recent ones, and pinned.
#[test]
fn failed_traces_are_kept_and_pinned() {
    let mut s = TraceStore::new(TraceLimits {
        max_traces: 2,
        max_slowest: 0,
        max_failed: 1,
        max_spans_per_trace: 10,
    });
    s.insert(&failed(span(1, 2, 1, "child", 1, 1)));
    s.insert(&span(1, 1, 0, "root", 0, 5));
    for t in 2..6 {
        push_trace(&mut s, t, 1, 5);
    }
    let id = TraceId::from_u128(1);
    assert!(s.get(&id).is_some() && s.is_pinned(&id));
    assert!(!s.is_pinned(&TraceId::from_u128(5)));
    assert_eq!(s.failed().count(), 1);
    assert_eq!(s.stats().traces, 3);
}
