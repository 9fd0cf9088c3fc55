//! Attribute buffers travel back from the export threads to the recording
//! threads, so that a span's attributes cost no allocation in steady state.
//!
//! A recorded span's attributes are copied into a buffer of the export
//! chunk at hand-off. Freeing that buffer on an export thread and
//! allocating the next one on the recording thread cost more than the rest
//! of the hand-off: the allocator's per-thread caches fill on one side and
//! run dry on the other, and both threads then take the same arena lock.
//! Instead, the export thread hands each exported chunk's buffers to this
//! pool (when it holds the last reference to the chunk), and recording
//! threads take them back a drain at a time.

use std::sync::{Arc, Mutex};

use super::data::SpanData;
use crate::attributes::Attributes;
use crate::export::Recycler;
use crate::sync::lock;

/// Buffers kept at most; beyond that they are freed as before.
const MAX_POOLED: usize = 4096;

/// Buffers larger than these are freed rather than kept.
const MAX_ENTRIES: usize = 32;
const MAX_TEXT: usize = 4096;

/// Attribute buffers returned by the export threads.
#[derive(Debug, Default)]
pub(crate) struct AttributePool {
    free: Mutex<Vec<Attributes>>,
}

impl AttributePool {
    /// Moves up to `want` buffers into `out`.
    pub(crate) fn take(&self, out: &mut Vec<Attributes>, want: usize) {
        let mut free = lock(&self.free);
        let from = free.len().saturating_sub(want);
        out.extend(free.drain(from..));
    }

    fn give(&self, spare: &mut Vec<Attributes>) {
        let mut free = lock(&self.free);
        let room = MAX_POOLED.saturating_sub(free.len());
        free.extend(spare.drain(..).take(room));
    }

    /// What the tracer's export pipelines call with each exported batch:
    /// the attribute buffers of chunks no other pipeline still holds come
    /// back to `pool`; the rest of each chunk is dropped.
    pub(crate) fn recycler(pool: &Arc<AttributePool>) -> Recycler<SpanData> {
        let pool = Arc::clone(pool);
        Arc::new(move |chunks: Vec<Arc<[SpanData]>>| {
            let mut spare = Vec::new();
            for mut chunk in chunks {
                let Some(spans) = Arc::get_mut(&mut chunk) else {
                    continue;
                };
                for span in spans.iter_mut() {
                    let a = &mut span.attributes;
                    if !a.is_empty() && !a.holds_more_than(MAX_ENTRIES, MAX_TEXT) {
                        let mut buffer = std::mem::take(a);
                        buffer.clear();
                        spare.push(buffer);
                    }
                }
            }
            if !spare.is_empty() {
                pool.give(&mut spare);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omniscope::Field;

    fn span_with(n: u64) -> SpanData {
        let mut span = SpanData::placeholder();
        span.attributes
            .push(&Field::new_static("n", omniscope::Value::U64(n)));
        span
    }

    #[test]
    fn buffers_of_unshared_chunks_come_back_cleared() {
        let pool = Arc::new(AttributePool::default());
        let recycle = AttributePool::recycler(&pool);
        let shared: Arc<[SpanData]> = vec![span_with(1)].into();
        let kept = Arc::clone(&shared);
        recycle(vec![vec![span_with(2), span_with(3)].into(), shared]);
        let mut out = Vec::new();
        pool.take(&mut out, 10);
        assert_eq!(out.len(), 2, "a chunk another pipeline holds is left alone");
        assert!(out.iter().all(Attributes::is_empty));
        assert_eq!(kept[0].attributes.len(), 1);
    }

    #[test]
    fn the_pool_is_bounded() {
        let pool = AttributePool::default();
        let mut many: Vec<Attributes> = (0..MAX_POOLED + 10)
            .map(|_| Attributes::with_capacity(1))
            .collect();
        pool.give(&mut many);
        let mut out = Vec::new();
        pool.take(&mut out, usize::MAX);
        assert_eq!(out.len(), MAX_POOLED);
    }
}
