//! [`TraceStore`]: finished spans grouped by trace, keeping the most recent
//! traces and the slowest ones, each with a bounded number of spans.
//!
//! A trace is kept while it is among the last `max_traces` traces to arrive
//! (by its first span), among the `max_slowest` slowest (by the duration
//! of its local root, once that root has ended) or among the last
//! `max_failed` traces that completed with an error span. Everything else
//! is forgotten, so the store holds at most `max_traces + max_slowest +
//! max_failed` traces of at most `max_spans_per_trace` spans each, however
//! long the process runs. The slowest and failed traces are "pinned": the
//! log and error stores keep what belongs to them as long as they stay.
//!
//! A full trace keeps its root, its erroneous spans and its slowest spans:
//! a later span takes the place of the shortest error-free one if it is
//! slower or failed, else it is dropped (and counted). The first spans to
//! arrive are the innermost and shortest, so keeping the first ones would
//! keep the least telling.
//!
//! The local root is the span without a parent, else the earliest-starting
//! span whose parent is remote. A trace that leaves the process and comes
//! back (A calls B over HTTP, both here) has both kinds: B's server span
//! ends first, and stands as the root only until A's span arrives and takes
//! its place (the store cannot tell, when B ends, that A is still running).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use omniscope::{Status, TraceId};
use omniscope_sdk::trace::SpanData;

/// How much the store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TraceLimits {
    pub(crate) max_traces: usize,
    pub(crate) max_slowest: usize,
    pub(crate) max_failed: usize,
    pub(crate) max_spans_per_trace: usize,
}

/// How much a span is worth keeping in a full trace: failed before
/// successful, then the longer.
type Worth = (bool, Duration);

fn worth(span: &SpanData) -> Worth {
    (is_error(span), span_duration(span))
}

/// Whether `span` ended with an error status.
pub(crate) fn is_error(span: &SpanData) -> bool {
    matches!(span.status, Status::Error(_))
}

/// One trace's spans, in arrival order.
#[derive(Debug)]
pub(crate) struct StoredTrace {
    pub(crate) trace_id: TraceId,
    pub(crate) spans: Vec<SpanData>,
    /// Spans refused because the trace was full.
    pub(crate) dropped_spans: u64,
    /// The index in `spans` of the best local root that ended (see
    /// [`root_rank`]).
    root: Option<usize>,
    /// Once the trace is full: the spans that may make room (not the
    /// root), least worth first.
    evictable: Option<BinaryHeap<Reverse<(Worth, usize)>>>,
    in_recent: bool,
    in_slowest: bool,
    in_failed: bool,
}

impl StoredTrace {
    fn new(trace_id: TraceId) -> StoredTrace {
        StoredTrace {
            trace_id,
            spans: Vec::new(),
            dropped_spans: 0,
            root: None,
            evictable: None,
            in_recent: false,
            in_slowest: false,
            in_failed: false,
        }
    }

    /// Whether a span of the trace failed.
    pub(crate) fn has_error(&self) -> bool {
        self.spans.iter().any(is_error)
    }

    /// The local root, once it ended (the best one so far: an outer root
    /// may still arrive and take its place).
    pub(crate) fn root(&self) -> Option<&SpanData> {
        self.root.and_then(|i| self.spans.get(i))
    }

    /// The earliest start of any span kept.
    pub(crate) fn start(&self) -> Option<SystemTime> {
        self.spans.iter().map(|s| s.start_time).min()
    }

    /// The root's duration once it ended, else the extent of the spans kept.
    pub(crate) fn duration(&self) -> Duration {
        if let Some(root) = self.root() {
            return span_duration(root);
        }
        let end = self.spans.iter().map(|s| s.end_time).max();
        match (self.start(), end) {
            (Some(start), Some(end)) => end.duration_since(start).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    /// Whether the local root has ended (so the trace is complete here).
    pub(crate) fn is_complete(&self) -> bool {
        self.root.is_some()
    }

    /// Adds `span` within `max` spans. When the trace is full, a better
    /// local root always finds room, and another span takes the place of
    /// the least worth keeping (see [`worth`]) if it is worth more; either
    /// way one span is counted as dropped. Returns whether `span`
    /// (completed the trace and) became its root.
    fn add(&mut self, span: &SpanData, max: usize) -> bool {
        let becomes_root = root_rank(span).is_some_and(|rank| {
            self.root()
                .and_then(root_rank)
                .is_none_or(|current| rank < current)
        });
        if self.spans.len() < max {
            self.spans.push(span.clone());
            let at = self.spans.len() - 1;
            if becomes_root {
                self.root = Some(at);
            } else if let Some(heap) = &mut self.evictable {
                heap.push(Reverse((worth(span), at)));
            }
            return becomes_root;
        }
        self.dropped_spans += 1;
        let root = self.root;
        let heap = self.evictable.get_or_insert_with(|| {
            // Built once, when the trace first overflows.
            self.spans
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != root)
                .map(|(i, s)| Reverse((worth(s), i)))
                .collect()
        });
        let new_worth = worth(span);
        let Some(&Reverse((least, at))) = heap.peek() else {
            return false;
        };
        if !becomes_root && new_worth <= least {
            return false;
        }
        heap.pop();
        self.spans[at] = span.clone();
        if becomes_root {
            self.root = Some(at);
        } else {
            heap.push(Reverse((new_worth, at)));
        }
        becomes_root
    }
}

/// How well `span` serves as its trace's local root, lower is better;
/// `None` when its parent is in this process. A span without a parent (the
/// trace started here) comes before one whose parent is remote (the trace
/// came in); among equals the earliest to start, the outer of the two when
/// a trace leaves the process and comes back.
fn root_rank(span: &SpanData) -> Option<(bool, SystemTime)> {
    let has_parent = span.parent_span_id.is_some();
    (!has_parent || span.parent_is_remote).then_some((has_parent, span.start_time))
}

/// How long `span` ran.
pub(crate) fn span_duration(span: &SpanData) -> Duration {
    span.end_time
        .duration_since(span.start_time)
        .unwrap_or_default()
}

/// What the store holds and has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TraceStoreStats {
    pub(crate) traces: usize,
    pub(crate) recent: usize,
    pub(crate) slowest: usize,
    pub(crate) failed: usize,
    pub(crate) spans: usize,
    pub(crate) largest_trace: usize,
    pub(crate) spans_received: u64,
    pub(crate) spans_dropped: u64,
    pub(crate) traces_evicted: u64,
}

/// Traces by id, with the two orders that decide what is kept.
#[derive(Debug)]
pub(crate) struct TraceStore {
    limits: TraceLimits,
    traces: HashMap<TraceId, StoredTrace>,
    /// Oldest first, by first span.
    recent: VecDeque<TraceId>,
    /// Unordered; at most `max_slowest`.
    slowest: Vec<(Duration, TraceId)>,
    /// Oldest first, by completion; at most `max_failed`.
    failed: VecDeque<TraceId>,
    spans: usize,
    spans_received: u64,
    spans_dropped: u64,
    traces_evicted: u64,
}

impl TraceStore {
    pub(crate) fn new(limits: TraceLimits) -> TraceStore {
        TraceStore {
            limits,
            traces: HashMap::new(),
            recent: VecDeque::new(),
            slowest: Vec::new(),
            failed: VecDeque::new(),
            spans: 0,
            spans_received: 0,
            spans_dropped: 0,
            traces_evicted: 0,
        }
    }

    /// Stores `span`. Returns its trace id when it completed its trace, or
    /// became its root in place of one that had completed it.
    pub(crate) fn insert(&mut self, span: &SpanData) -> Option<TraceId> {
        self.spans_received += 1;
        if self.limits.max_traces == 0 || self.limits.max_spans_per_trace == 0 {
            self.spans_dropped += 1;
            return None;
        }
        let id = span.context.trace_id();
        if !self.traces.contains_key(&id) {
            self.admit(id);
        }
        let trace = self.traces.get_mut(&id)?;
        let before = (trace.spans.len(), trace.dropped_spans);
        let completed = trace.add(span, self.limits.max_spans_per_trace);
        self.spans = self.spans + trace.spans.len() - before.0;
        self.spans_dropped += trace.dropped_spans - before.1;
        if completed {
            let duration = trace.duration();
            let failed = trace.has_error();
            self.rank(id, duration);
            if failed {
                self.mark_failed(id);
            }
            return Some(id);
        }
        // A failed span that arrives after the root (batches are not in
        // time order) makes the trace a failed one all the same.
        if trace.is_complete() && is_error(span) {
            self.mark_failed(id);
        }
        None
    }

    /// A new trace joins the recent ones, pushing the oldest out.
    fn admit(&mut self, id: TraceId) {
        let mut trace = StoredTrace::new(id);
        trace.in_recent = true;
        self.traces.insert(id, trace);
        self.recent.push_back(id);
        while self.recent.len() > self.limits.max_traces {
            if let Some(old) = self.recent.pop_front() {
                if let Some(t) = self.traces.get_mut(&old) {
                    t.in_recent = false;
                }
                self.forget_if_unused(old);
            }
        }
    }

    /// A completed trace competes for a place among the slowest; one that
    /// has a place already (its root changed) keeps it with its new duration.
    fn rank(&mut self, id: TraceId, duration: Duration) {
        if self.limits.max_slowest == 0 {
            return;
        }
        if self.traces.get(&id).is_some_and(|t| t.in_slowest) {
            if let Some(entry) = self.slowest.iter_mut().find(|(_, t)| *t == id) {
                entry.0 = duration;
            }
            return;
        }
        if self.slowest.len() < self.limits.max_slowest {
            self.slowest.push((duration, id));
        } else {
            let Some((i, &(fastest, old))) =
                self.slowest.iter().enumerate().min_by_key(|(_, (d, _))| *d)
            else {
                return;
            };
            if duration <= fastest {
                return;
            }
            self.slowest[i] = (duration, id);
            if let Some(t) = self.traces.get_mut(&old) {
                t.in_slowest = false;
            }
            self.forget_if_unused(old);
        }
        if let Some(t) = self.traces.get_mut(&id) {
            t.in_slowest = true;
        }
    }

    /// A completed trace with an error span joins the failed ones, pushing
    /// the oldest out.
    fn mark_failed(&mut self, id: TraceId) {
        if self.limits.max_failed == 0 {
            return;
        }
        match self.traces.get_mut(&id) {
            Some(t) if !t.in_failed => t.in_failed = true,
            _ => return,
        }
        self.failed.push_back(id);
        while self.failed.len() > self.limits.max_failed {
            if let Some(old) = self.failed.pop_front() {
                if let Some(t) = self.traces.get_mut(&old) {
                    t.in_failed = false;
                }
                self.forget_if_unused(old);
            }
        }
    }

    fn forget_if_unused(&mut self, id: TraceId) {
        let unused = self
            .traces
            .get(&id)
            .is_some_and(|t| !t.in_recent && !t.in_slowest && !t.in_failed);
        if unused {
            if let Some(t) = self.traces.remove(&id) {
                self.spans -= t.spans.len();
                self.traces_evicted += 1;
            }
        }
    }

    /// The trace `id`, if kept.
    pub(crate) fn get(&self, id: &TraceId) -> Option<&StoredTrace> {
        self.traces.get(id)
    }

    /// The recent traces, newest first.
    pub(crate) fn recent(&self) -> impl Iterator<Item = &StoredTrace> + '_ {
        self.recent
            .iter()
            .rev()
            .filter_map(|id| self.traces.get(id))
    }

    /// Whether the trace `id` is kept as one of the slowest or failed: its
    /// logs and errors are then kept as long as it is.
    pub(crate) fn is_pinned(&self, id: &TraceId) -> bool {
        self.traces
            .get(id)
            .is_some_and(|t| t.in_slowest || t.in_failed)
    }

    /// Every trace kept, in no particular order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &StoredTrace> + '_ {
        self.traces.values()
    }

    /// The failed traces, newest first.
    pub(crate) fn failed(&self) -> impl Iterator<Item = &StoredTrace> + '_ {
        self.failed
            .iter()
            .rev()
            .filter_map(|id| self.traces.get(id))
    }

    /// The slowest traces, slowest first.
    pub(crate) fn slowest(&self) -> Vec<&StoredTrace> {
        let mut ranked = self.slowest.clone();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranked
            .iter()
            .filter_map(|(_, id)| self.traces.get(id))
            .collect()
    }

    /// The limits it keeps to.
    pub(crate) fn limits(&self) -> TraceLimits {
        self.limits
    }

    pub(crate) fn stats(&self) -> TraceStoreStats {
        TraceStoreStats {
            traces: self.traces.len(),
            recent: self.recent.len(),
            slowest: self.slowest.len(),
            failed: self.failed.len(),
            spans: self.spans,
            largest_trace: self
                .traces
                .values()
                .map(|t| t.spans.len())
                .max()
                .unwrap_or(0),
            spans_received: self.spans_received,
            spans_dropped: self.spans_dropped,
            traces_evicted: self.traces_evicted,
        }
    }
}

#[cfg(test)]
#[path = "traces_tests.rs"]
mod tests;
