//! Trace capture: requests waiting for the next trace that has a span whose
//! name matches a pattern. The span exporter offers every trace whose local
//! root ends, and offers it again when an outer root takes that root's place
//! (a trace that left the process and came back, see `store::traces`); the
//! first waiter that matches gets the trace's view.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use regex::Regex;
use tokio::sync::oneshot;

use crate::state::lock;
use crate::store::StoredTrace;
use crate::view::TraceDetail;

/// The most captures that may wait at once.
pub(crate) const MAX_WAITING: usize = 32;

#[derive(Debug)]
struct Waiter {
    id: u64,
    pattern: Option<Regex>,
    reply: oneshot::Sender<TraceDetail>,
}

/// The waiting captures.
#[derive(Debug, Default)]
pub(crate) struct Captures {
    waiters: Mutex<Waiters>,
    /// `waiters.list.len()`, read without the lock on every export.
    waiting: AtomicUsize,
}

#[derive(Debug, Default)]
struct Waiters {
    next_id: u64,
    list: Vec<Waiter>,
}

/// Too many captures are waiting already.
#[derive(Debug)]
pub(crate) struct TooManyCaptures;

/// A registered capture: receives the trace, and gives its place back when
/// dropped (answered, timed out, or its client gone).
#[derive(Debug)]
pub(crate) struct Waiting<'a> {
    captures: &'a Captures,
    id: u64,
    reply: oneshot::Receiver<TraceDetail>,
}

impl Captures {
    /// Waits for the next complete trace with a span matching `pattern`
    /// (any trace when `None`).
    pub(crate) fn register(&self, pattern: Option<Regex>) -> Result<Waiting<'_>, TooManyCaptures> {
        let mut waiters = lock(&self.waiters);
        if waiters.list.len() >= MAX_WAITING {
            return Err(TooManyCaptures);
        }
        let (reply, receiver) = oneshot::channel();
        let id = waiters.next_id;
        waiters.next_id += 1;
        waiters.list.push(Waiter { id, pattern, reply });
        self.waiting.store(waiters.list.len(), Ordering::Relaxed);
        Ok(Waiting {
            captures: self,
            id,
            reply: receiver,
        })
    }

    /// Whether any capture is waiting (cheap: no lock).
    pub(crate) fn any_waiting(&self) -> bool {
        self.waiting() > 0
    }

    /// How many captures are waiting.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Hands `trace` to every waiter whose pattern matches one of its spans.
    pub(crate) fn offer(&self, trace: &StoredTrace) {
        let mut waiters = lock(&self.waiters);
        let mut detail = None;
        let mut i = 0;
        while i < waiters.list.len() {
            if matches(waiters.list[i].pattern.as_ref(), trace) {
                let w = waiters.list.swap_remove(i);
                let detail = detail.get_or_insert_with(|| TraceDetail::of(trace));
                // The requester may have just given up: nothing to do then.
                let _ = w.reply.send(detail.clone());
            } else {
                i += 1;
            }
        }
        self.waiting.store(waiters.list.len(), Ordering::Relaxed);
    }
}

impl Waiting<'_> {
    /// The trace, once one matches; an error if the captures are gone.
    pub(crate) async fn trace(&mut self) -> Result<TraceDetail, oneshot::error::RecvError> {
        (&mut self.reply).await
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut waiters = lock(&self.captures.waiters);
        waiters.list.retain(|w| w.id != self.id);
        self.captures
            .waiting
            .store(waiters.list.len(), Ordering::Relaxed);
    }
}

fn matches(pattern: Option<&Regex>, trace: &StoredTrace) -> bool {
    pattern.is_none_or(|p| trace.spans.iter().any(|s| p.is_match(&s.name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{TraceLimits, TraceStore};
    use crate::testutil::span;

    fn trace_with(names: &[&str]) -> TraceStore {
        let mut store = TraceStore::new(TraceLimits {
            max_traces: 10,
            max_slowest: 1,
            max_failed: 1,
            max_spans_per_trace: 10,
        });
        for (i, name) in names.iter().enumerate().skip(1) {
            store.insert(&span(1, 2 + i as u64, 1, name, 1, 1));
        }
        store.insert(&span(1, 1, 0, names[0], 0, 5));
        store
    }

    #[test]
    fn matches_the_root_or_any_child() {
        let store = trace_with(&["GET /orders", "db.query", "charge_card"]);
        let trace = store.recent().next().unwrap();
        let captures = Captures::default();
        let mut by_root = captures
            .register(Some(Regex::new("^GET ").unwrap()))
            .unwrap();
        let mut by_child = captures
            .register(Some(Regex::new("charge").unwrap()))
            .unwrap();
        let mut other = captures
            .register(Some(Regex::new("^nothing$").unwrap()))
            .unwrap();
        captures.offer(trace);
        assert_eq!(by_root.reply.try_recv().unwrap().spans.len(), 3);
        assert_eq!(
            by_child.reply.try_recv().unwrap().summary.root.as_deref(),
            Some("GET /orders")
        );
        assert!(other.reply.try_recv().is_err());
        assert_eq!(captures.waiting(), 1);
        drop(other);
        assert!(
            !captures.any_waiting(),
            "a dropped capture gives its place back"
        );
    }

    #[test]
    fn refuses_more_than_the_limit() {
        let captures = Captures::default();
        let held: Vec<_> = (0..MAX_WAITING)
            .map(|_| captures.register(None).unwrap())
            .collect();
        assert!(captures.register(None).is_err());
        drop(held);
        assert!(captures.register(None).is_ok());
    }
}
