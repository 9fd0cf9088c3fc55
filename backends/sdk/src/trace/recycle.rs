//! Attribute buffers and export chunks travel back from the export threads
//! to the recording threads, so that recording spans costs no allocation in
//! steady state.
//!
//! Ended spans are written into export chunks, their attributes into
//! buffers. Freeing those on an export thread and allocating the next ones
//! on the recording thread cost more than the rest of the hand-off: the
//! allocator's per-thread caches fill on one side and run dry on the other,
//! both threads then take the same arena lock, and a chunk (one export
//! batch of spans, over 128 KiB by default) came back from the kernel as
//! fresh pages, a page fault every 4 KiB written. Instead, the export
//! thread hands each exported chunk it holds the last reference to back to
//! this pool, emptied, and recording threads take buffers and chunks back a
//! drain at a time.

use std::mem::MaybeUninit;
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

/// Chunks kept at most (about 1 MiB at the default batch of 512 spans):
/// enough for the chunks of a few drains in flight.
const MAX_POOLED_CHUNKS: usize = 8;

/// An emptied export chunk, ready to be written again.
pub(crate) type EmptyChunk = Arc<[MaybeUninit<SpanData>]>;

/// Attribute buffers and emptied chunks returned by the export threads.
#[derive(Debug)]
pub(crate) struct SpanPool {
    buffers: Mutex<Vec<Attributes>>,
    chunks: Mutex<Vec<EmptyChunk>>,
    /// The length of the chunks kept: the drains' full chunk (shorter ones,
    /// the last of a drain, are freed).
    chunk_len: usize,
}

impl SpanPool {
    /// A pool keeping chunks of `chunk_len` spans.
    pub(crate) fn new(chunk_len: usize) -> SpanPool {
        SpanPool {
            buffers: Mutex::default(),
            chunks: Mutex::default(),
            chunk_len,
        }
    }

    /// Moves up to `want` attribute buffers into `out`.
    pub(crate) fn take_buffers(&self, out: &mut Vec<Attributes>, want: usize) {
        let mut free = lock(&self.buffers);
        let from = free.len().saturating_sub(want);
        out.extend(free.drain(from..));
    }

    /// Tops `out` up to `want` emptied chunks, as far as the pool has them.
    pub(crate) fn take_chunks(&self, out: &mut Vec<EmptyChunk>, want: usize) {
        let missing = want.saturating_sub(out.len());
        if missing > 0 {
            let mut free = lock(&self.chunks);
            let from = free.len().saturating_sub(missing);
            out.extend(free.drain(from..));
        }
    }

    /// A chunk for `len` spans: a pooled one from `spare` if it has that
    /// length, else a new one.
    pub(crate) fn chunk(spare: &mut Vec<EmptyChunk>, len: usize) -> EmptyChunk {
        spare
            .pop_if(|c| c.len() == len)
            .unwrap_or_else(|| Arc::new_uninit_slice(len))
    }

    fn give_buffers(&self, spare: &mut Vec<Attributes>) {
        let mut free = lock(&self.buffers);
        let room = MAX_POOLED.saturating_sub(free.len());
        free.extend(spare.drain(..).take(room));
    }

    fn give_chunks(&self, emptied: &mut Vec<EmptyChunk>) {
        let mut free = lock(&self.chunks);
        let room = MAX_POOLED_CHUNKS.saturating_sub(free.len());
        free.extend(emptied.drain(..).take(room));
    }

    /// What the tracer's export pipelines call with each exported batch:
    /// the attribute buffers of chunks no other pipeline still holds come
    /// back to `pool`, and so do those chunks themselves (emptied) while
    /// the pool has room; the rest is dropped.
    pub(crate) fn recycler(pool: &Arc<SpanPool>) -> Recycler<SpanData> {
        let pool = Arc::clone(pool);
        Arc::new(move |chunks: Vec<Arc<[SpanData]>>| {
            let mut buffers = Vec::new();
            let mut emptied = Vec::new();
            for mut chunk in chunks {
                let Some(spans) = Arc::get_mut(&mut chunk) else {
                    continue;
                };
                for span in spans.iter_mut() {
                    let a = &mut span.attributes;
                    if !a.is_empty() && !a.holds_more_than(MAX_ENTRIES, MAX_TEXT) {
                        let mut buffer = std::mem::take(a);
                        buffer.clear();
                        buffers.push(buffer);
                    }
                }
                if chunk.len() == pool.chunk_len && emptied.len() < MAX_POOLED_CHUNKS {
                    emptied.extend(empty(chunk));
                }
            }
            if !buffers.is_empty() {
                pool.give_buffers(&mut buffers);
            }
            if !emptied.is_empty() {
                pool.give_chunks(&mut emptied);
            }
        })
    }
}

/// Drops a chunk's spans and keeps its allocation; `None` (and the chunk
/// dropped as usual) if another reference to it exists.
fn empty(mut chunk: Arc<[SpanData]>) -> Option<EmptyChunk> {
    // Checked first, while the chunk is still typed: holding the only
    // reference, nobody can make another one.
    Arc::get_mut(&mut chunk)?;
    // SAFETY: `MaybeUninit<SpanData>` has the size and alignment of
    // `SpanData`, so the allocation is the same (`Arc::from_raw` allows
    // this, as a transmute of the pointee). Seen as uninitialized, the
    // spans are no longer dropped by the `Arc`: they are dropped below,
    // each once.
    let mut chunk: EmptyChunk =
        unsafe { Arc::from_raw(Arc::into_raw(chunk) as *const [MaybeUninit<SpanData>]) };
    let spans = Arc::get_mut(&mut chunk)?;
    for span in spans.iter_mut() {
        // SAFETY: every item of a chunk handed to the exporters is
        // initialized, and this is the only reference to the chunk; a
        // panicking drop leaks the rest instead of dropping twice.
        unsafe { span.assume_init_drop() };
    }
    Some(chunk)
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
        let pool = Arc::new(SpanPool::new(2));
        let recycle = SpanPool::recycler(&pool);
        let shared: Arc<[SpanData]> = vec![span_with(1)].into();
        let kept = Arc::clone(&shared);
        recycle(vec![vec![span_with(2), span_with(3)].into(), shared]);
        let mut out = Vec::new();
        pool.take_buffers(&mut out, 10);
        assert_eq!(out.len(), 2, "a chunk another pipeline holds is left alone");
        assert!(out.iter().all(Attributes::is_empty));
        assert_eq!(kept[0].attributes.len(), 1);
    }

    #[test]
    fn unshared_chunks_of_full_length_come_back_empty() {
        let pool = Arc::new(SpanPool::new(2));
        let recycle = SpanPool::recycler(&pool);
        let shared: Arc<[SpanData]> = vec![span_with(1), span_with(2)].into();
        let kept = Arc::clone(&shared);
        recycle(vec![
            vec![span_with(3), span_with(4)].into(),
            vec![span_with(5)].into(),
            shared,
        ]);
        let mut out = Vec::new();
        pool.take_chunks(&mut out, 10);
        assert_eq!(out.len(), 1, "short and shared chunks are not kept");
        assert_eq!(out[0].len(), 2);
        assert_eq!(kept[1].attributes.len(), 1);

        let mut spare = out;
        assert_eq!(SpanPool::chunk(&mut spare, 2).len(), 2);
        assert!(spare.is_empty(), "the pooled chunk was used");
        spare.push(Arc::new_uninit_slice(2));
        assert_eq!(SpanPool::chunk(&mut spare, 1).len(), 1);
        assert_eq!(spare.len(), 1, "a chunk of another length stays spare");
    }

    #[test]
    fn the_pool_is_bounded() {
        let pool = SpanPool::new(1);
        let mut many: Vec<Attributes> = (0..MAX_POOLED + 10)
            .map(|_| Attributes::with_capacity(1))
            .collect();
        pool.give_buffers(&mut many);
        let mut out = Vec::new();
        pool.take_buffers(&mut out, usize::MAX);
        assert_eq!(out.len(), MAX_POOLED);

        let mut chunks: Vec<EmptyChunk> = (0..MAX_POOLED_CHUNKS + 3)
            .map(|_| Arc::new_uninit_slice(1))
            .collect();
        pool.give_chunks(&mut chunks);
        let mut out = Vec::new();
        pool.take_chunks(&mut out, usize::MAX);
        assert_eq!(out.len(), MAX_POOLED_CHUNKS);
    }
}
