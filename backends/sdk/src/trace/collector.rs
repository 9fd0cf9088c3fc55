//! The collector: turns ended spans into [`SpanData`], counts call-graph
//! edges, applies the tail rule, and hands chunks to the exporters.
//!
//! Ended spans stay in their slots (see the `slab` module) until drained:
//! - by their own thread, when it runs out of free slots: it converts its
//!   ended spans while they are still in its cache, and hands them over in
//!   one batch (this is the path of busy threads, and it keeps the work off
//!   other cores' caches);
//! - by a pass over every thread's slab: on the collector thread every batch
//!   timeout (so idle threads' spans are exported in time), and inside
//!   `flush`, `shutdown` and `call_graph`.
//!
//! Either way [`Collector::absorb`] counts call-graph edges, applies the tail
//! rule and pushes `Arc<[SpanData]>` chunks of at most one export batch to
//! the [`Fanout`](crate::export::Fanout).

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use omniscope::trace::SpanSite;

use super::data::SpanData;
use super::slot::{Finished, FinishedBatch};
use super::tail::TailBuffer;
use super::tracer::Inner;
use crate::build::BuildError;

/// One edge of the call graph between instrumented functions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CallEdge {
    /// The calling function (the parent span's function), or
    /// [`CallEdge::ROOT`] when the parent is not a local instrumented function.
    pub caller: &'static str,
    /// The called function.
    pub callee: &'static str,
    /// How many calls ended so far (recorded spans only: sampled out spans
    /// are not counted).
    pub calls: u64,
}

impl CallEdge {
    /// The caller of functions whose span has no local instrumented parent:
    /// a root span, a remote parent, or a plain `span!` parent.
    pub const ROOT: &'static str = "";
}

/// The collector's state, behind the tracer's collector lock.
#[derive(Debug)]
pub(crate) struct Collector {
    pub(crate) tail: Option<TailBuffer>,
    calls: HashMap<(usize, usize), CallEdge>,
    chunk: usize,
    pub(crate) collected: u64,
}

impl Collector {
    /// `max_batch`: the exporters' batch size, and the largest chunk.
    pub(crate) fn new(tail: Option<TailBuffer>, max_batch: usize) -> Collector {
        Collector {
            tail,
            calls: HashMap::new(),
            chunk: max_batch.max(1),
            collected: 0,
        }
    }

    /// Counts call-graph edges, applies the tail rule, and pushes the spans'
    /// chunks to the exporters. Leaves `spans` empty (with its capacity, for
    /// reuse).
    pub(crate) fn absorb(&mut self, inner: &Inner, spans: &mut FinishedBatch) {
        if spans.is_empty() {
            spans.chunks.clear();
            return;
        }
        self.collected += spans.len() as u64;
        for (data, meta) in spans.spans().zip(&spans.meta) {
            self.count_call(meta.parent_site, data.site);
        }
        let chunk = self.chunk;
        match &mut self.tail {
            None => {
                for part in spans.chunks.drain(..) {
                    inner.fanout.push(part);
                }
                spans.meta.clear();
            }
            Some(tail) => {
                let mut out: Vec<SpanData> = Vec::new();
                let mut emit = |span: SpanData| {
                    out.push(span);
                    if out.len() >= chunk {
                        inner.fanout.push(Arc::from(std::mem::take(&mut out)));
                    }
                };
                let mut finished: Vec<Finished> = spans
                    .chunks
                    .drain(..)
                    .flat_map(into_spans)
                    .zip(spans.meta.drain(..))
                    .map(|(data, meta)| Finished { data, meta })
                    .collect();
                // Children first: a local root decides its trace.
                finished.sort_by_key(|f| f.meta.local_root);
                finished.into_iter().for_each(|f| tail.offer(f, &mut emit));
                if !out.is_empty() {
                    inner.fanout.push(Arc::from(out));
                }
            }
        }
    }

    /// The largest chunk: the exporters' batch size.
    pub(crate) fn chunk_len(&self) -> usize {
        self.chunk
    }

    /// Decides every trace the tail rule holds (at shutdown).
    pub(crate) fn decide_all(&mut self, inner: &Inner) {
        if let Some(tail) = &mut self.tail {
            let mut out = Vec::new();
            tail.decide_all(&mut |s| out.push(s));
            let mut all = out.into_iter();
            while all.len() > 0 {
                let n = all.len().min(self.chunk);
                inner.fanout.push(all.by_ref().take(n).collect());
            }
        }
    }

    fn count_call(&mut self, parent: Option<&'static SpanSite>, site: &'static SpanSite) {
        let Some(callee) = site.function() else {
            return;
        };
        let key = (
            parent.map_or(0, |p| p as *const SpanSite as usize),
            site as *const SpanSite as usize,
        );
        self.calls
            .entry(key)
            .or_insert_with(|| CallEdge {
                caller: parent
                    .and_then(SpanSite::function)
                    .unwrap_or(CallEdge::ROOT),
                callee,
                calls: 0,
            })
            .calls += 1;
    }

    /// The edges, merged by (caller, callee) name, sorted.
    pub(crate) fn call_graph(&self) -> Vec<CallEdge> {
        let mut merged: HashMap<(&'static str, &'static str), u64> = HashMap::new();
        for e in self.calls.values() {
            *merged.entry((e.caller, e.callee)).or_default() += e.calls;
        }
        let mut edges: Vec<CallEdge> = merged
            .into_iter()
            .map(|((caller, callee), calls)| CallEdge {
                caller,
                callee,
                calls,
            })
            .collect();
        edges.sort_by(|a, b| (a.caller, a.callee).cmp(&(b.caller, b.callee)));
        edges
    }
}

/// Starts the collector thread; it holds the tracer weakly and ends when the
/// tracer is shut down or dropped.
pub(crate) fn spawn(
    inner: &Arc<Inner>,
    interval: Duration,
) -> Result<std::thread::Thread, BuildError> {
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let interval = interval.max(Duration::from_millis(1));
    let handle = std::thread::Builder::new()
        .name("omniscope-traces-collector".into())
        .spawn(move || {
            omniscope::suppress_current_thread();
            loop {
                std::thread::park_timeout(interval);
                let Some(inner) = weak.upgrade() else { return };
                if inner.is_shut_down() {
                    return;
                }
                inner.collect(false);
            }
        })
        .map_err(|e| {
            BuildError::new(
                "tracer",
                format!("cannot start the span collector thread: {e}"),
            )
        })?;
    Ok(handle.thread().clone())
}

/// The spans of a chunk the drain just built, moved out (it is not shared
/// yet; were it, they would be cloned).
fn into_spans(mut chunk: Arc<[SpanData]>) -> Vec<SpanData> {
    match Arc::get_mut(&mut chunk) {
        Some(spans) => spans
            .iter_mut()
            .map(|s| std::mem::replace(s, SpanData::placeholder()))
            .collect(),
        None => chunk.to_vec(),
    }
}
