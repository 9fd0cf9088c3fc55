//! The tail rule "keep every trace in which a span errored".
//!
//! With the rule on, collected spans wait here, grouped by trace, until the
//! trace's *local root* is collected (the span with no parent, or with a
//! remote parent: the one that ends the trace in this process). The trace
//! is then exported whole if any of its spans has an error status, and
//! dropped otherwise. Head sampling applies first: only sampled spans get
//! here.
//!
//! Bounds (both counted, see [`TracerStats`](super::TracerStats)):
//! - at most `max_traces` traces wait; a new trace beyond that evicts the
//!   oldest, which is decided at once on what it has so far (`tail_evicted`);
//! - at most `max_spans_per_trace` spans per trace wait; later ones are
//!   dropped (`tail_overflow`), but their error status still counts, so the
//!   spans kept are exported.
//!
//! Spans that arrive after their trace was decided (a child that outlives
//! its root, a second local root of the same trace) follow the decision,
//! which is remembered for the last `max_traces` decided traces; an error in
//! such a late span cannot bring back a trace already dropped.

use std::collections::{HashMap, VecDeque};

use omniscope::TraceId;

use super::data::SpanData;
use super::slot::Finished;

/// Counters of the tail rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TailCounters {
    pub(crate) kept: u64,
    pub(crate) dropped: u64,
    pub(crate) overflow: u64,
    pub(crate) evicted: u64,
}

#[derive(Debug, Default)]
struct Pending {
    spans: Vec<SpanData>,
    error: bool,
}

/// Spans waiting for their trace's local root.
#[derive(Debug)]
pub(crate) struct TailBuffer {
    max_traces: usize,
    max_spans_per_trace: usize,
    pending: HashMap<TraceId, Pending>,
    /// Pending traces, oldest first (may hold ids already decided).
    order: VecDeque<TraceId>,
    decided: HashMap<TraceId, bool>,
    decided_order: VecDeque<TraceId>,
    pub(crate) counters: TailCounters,
}

impl TailBuffer {
    pub(crate) fn new(max_traces: usize, max_spans_per_trace: usize) -> TailBuffer {
        TailBuffer {
            max_traces: max_traces.max(1),
            max_spans_per_trace: max_spans_per_trace.max(1),
            pending: HashMap::new(),
            order: VecDeque::new(),
            decided: HashMap::new(),
            decided_order: VecDeque::new(),
            counters: TailCounters::default(),
        }
    }

    /// Takes a collected span; spans of traces kept go to `emit`.
    pub(crate) fn offer(&mut self, span: Finished, emit: &mut impl FnMut(SpanData)) {
        let trace = span.data.context.trace_id();
        if let Some(&keep) = self.decided.get(&trace) {
            self.settle(keep, std::iter::once(span.data), emit);
            return;
        }
        if !self.pending.contains_key(&trace) {
            while self.pending.len() >= self.max_traces {
                if !self.evict_oldest(emit) {
                    break;
                }
            }
            self.order.push_back(trace);
        }
        let entry = self.pending.entry(trace).or_default();
        entry.error |= span.meta.error;
        if entry.spans.len() < self.max_spans_per_trace {
            entry.spans.push(span.data);
        } else {
            self.counters.overflow += 1;
        }
        if span.meta.local_root {
            self.decide(trace, emit);
        }
    }

    /// Decides every pending trace now (at shutdown).
    pub(crate) fn decide_all(&mut self, emit: &mut impl FnMut(SpanData)) {
        while let Some(trace) = self.order.pop_front() {
            self.decide(trace, emit);
        }
    }

    /// How many spans wait.
    pub(crate) fn waiting(&self) -> usize {
        self.pending.values().map(|p| p.spans.len()).sum()
    }

    fn evict_oldest(&mut self, emit: &mut impl FnMut(SpanData)) -> bool {
        while let Some(trace) = self.order.pop_front() {
            if self.pending.contains_key(&trace) {
                self.counters.evicted += 1;
                self.decide(trace, emit);
                return true;
            }
        }
        false
    }

    fn decide(&mut self, trace: TraceId, emit: &mut impl FnMut(SpanData)) {
        let Some(pending) = self.pending.remove(&trace) else {
            return;
        };
        self.settle(pending.error, pending.spans, emit);
        if self.decided.insert(trace, pending.error).is_none() {
            self.decided_order.push_back(trace);
            if self.decided_order.len() > self.max_traces {
                if let Some(old) = self.decided_order.pop_front() {
                    self.decided.remove(&old);
                }
            }
        }
        if self.order.len() > 2 * self.max_traces {
            let pending = &self.pending;
            self.order.retain(|t| pending.contains_key(t));
        }
    }

    fn settle(
        &mut self,
        keep: bool,
        spans: impl IntoIterator<Item = SpanData>,
        emit: &mut impl FnMut(SpanData),
    ) {
        for span in spans {
            if keep {
                self.counters.kept += 1;
                emit(span);
            } else {
                self.counters.dropped += 1;
            }
        }
    }
}
