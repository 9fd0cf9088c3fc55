//! Per-thread, per-tracer state: the thread's shard, its free slots, its
//! id generator and its recent span names.
//!
//! One `thread_local!` list holds a [`Local`] for each tracer the thread
//! has recorded with; the tracer used last sits first, so the usual lookup
//! is one comparison. When the thread exits, each `Local` gives its shard
//! back (with its free slots) for another thread to adopt; spans still open
//! in it stay valid and can be ended from any thread.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use super::ids::IdGenerator;
use super::names::NameCache;
use super::slab::{FreeSlot, Shard};
use super::slot::FinishedBatch;
use super::tracer::Inner;

/// A thread's state for one tracer.
#[derive(Debug)]
pub(crate) struct Local {
    tracer: u64,
    owner: Weak<Inner>,
    pub(crate) shard: Arc<Shard>,
    pub(crate) free: Vec<FreeSlot>,
    pub(crate) ids: IdGenerator,
    /// Scratch space for the thread's own ended spans (kept for reuse).
    pub(crate) finished: FinishedBatch,
    /// The span names this thread gave at run time most recently.
    pub(crate) names: NameCache,
}

impl Drop for Local {
    fn drop(&mut self) {
        self.shard.release(std::mem::take(&mut self.free));
    }
}

thread_local! {
    static LOCALS: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's state for `inner`; `None` during thread
/// teardown, on re-entry, or when the tracer has no shard left for the thread.
#[inline]
pub(crate) fn with_local<R>(inner: &Arc<Inner>, f: impl FnOnce(&mut Local) -> R) -> Option<R> {
    LOCALS
        .try_with(|cell| {
            let mut locals = cell.try_borrow_mut().ok()?;
            match locals.first_mut() {
                Some(local) if local.tracer == inner.id => Some(f(local)),
                _ => find_or_attach(&mut locals, inner).map(f),
            }
        })
        .ok()
        .flatten()
}

#[cold]
fn find_or_attach<'a>(locals: &'a mut Vec<Local>, inner: &Arc<Inner>) -> Option<&'a mut Local> {
    locals.retain(|l| l.owner.strong_count() > 0);
    if let Some(i) = locals.iter().position(|l| l.tracer == inner.id) {
        locals.swap(0, i);
    } else {
        let (shard, free) = inner.registry.attach()?;
        locals.insert(
            0,
            Local {
                tracer: inner.id,
                owner: Arc::downgrade(inner),
                shard,
                free,
                ids: IdGenerator::new(),
                finished: FinishedBatch::default(),
                names: NameCache::default(),
            },
        );
    }
    locals.first_mut()
}
