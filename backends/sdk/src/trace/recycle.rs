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
//! this pool, and recording threads take buffers and chunks back a drain at
//! a time.
//!
//! A full-length chunk comes back as it was exported: the recording thread
//! that takes it drops its spans and takes their attribute buffers
//! ([`SpanPool::take_chunks`]), not the export thread. Emptying writes every
//! span of the chunk (and each buffer's length); done on the export thread,
//! it left each cache line of the chunk modified in that thread's core, and
//! the recording thread, writing the next spans into the same lines, had to
//! fetch each of them back from the other core: about 4 lines per span.
//! Across cores that do not share a cache (two CCXs of a Zen 2), that
//! doubled or tripled the cost of a span with attributes, depending on
//! whether the scheduler had put the two threads on one core or two — the
//! two modes of `span_4_attrs` across runs (issue #19). Now the export
//! thread only reads the spans (if its exporter does), and the lines stay
//! with the thread that writes them.

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

/// Attribute buffers a recording thread keeps from the chunks it empties,
/// per span slot of its shard (beyond that they are freed with their span).
const SPARE_PER_SLOT: usize = 1;

/// An emptied export chunk, ready to be written again.
pub(crate) type EmptyChunk = Arc<[MaybeUninit<SpanData>]>;

/// Attribute buffers and exported chunks returned by the export threads.
#[derive(Debug)]
pub(crate) struct SpanPool {
    buffers: Mutex<Vec<Attributes>>,
    /// Full-length chunks held by nobody else, spans still in them.
    chunks: Mutex<Vec<Arc<[SpanData]>>>,
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

    /// Tops `out` up to `want` emptied chunks, as far as the pool has them,
    /// emptying them here (on the recording thread: see the module doc);
    /// their spans' attribute buffers go to `buffers`, up to
    /// `keep_buffers` in all.
    pub(crate) fn take_chunks(
        &self,
        out: &mut Vec<EmptyChunk>,
        want: usize,
        buffers: &mut Vec<Attributes>,
        keep_buffers: usize,
    ) {
        let missing = want.saturating_sub(out.len());
        if missing == 0 {
            return;
        }
        let taken: Vec<Arc<[SpanData]>> = {
            let mut free = lock(&self.chunks);
            let from = free.len().saturating_sub(missing);
            free.drain(from..).collect()
        };
        for mut chunk in taken {
            if let Some(spans) = Arc::get_mut(&mut chunk) {
                harvest(spans, buffers, keep_buffers);
            }
            out.extend(empty(chunk));
        }
    }

    /// How many attribute buffers a drain of `slots` slots keeps.
    pub(crate) fn spare_buffers(slots: usize) -> usize {
        slots.saturating_mul(SPARE_PER_SLOT)
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

    /// Keeps full-length chunks while there is room; hands back the rest.
    fn give_chunks(&self, chunks: &mut Vec<Arc<[SpanData]>>) {
        let mut free = lock(&self.chunks);
        let room = MAX_POOLED_CHUNKS.saturating_sub(free.len());
        free.extend(chunks.drain(..room.min(chunks.len())));
    }

    /// What the tracer's export pipelines call with each exported batch:
    /// full-length chunks no other pipeline still holds come back to `pool`
    /// untouched while it has room (a recording thread empties them); of
    /// the other unshared chunks, the attribute buffers come back and the
    /// rest is dropped.
    pub(crate) fn recycler(pool: &Arc<SpanPool>) -> Recycler<SpanData> {
        let pool = Arc::clone(pool);
        Arc::new(move |chunks: Vec<Arc<[SpanData]>>| {
            let mut full = Vec::new();
            let mut others = Vec::new();
            for mut chunk in chunks {
                if Arc::get_mut(&mut chunk).is_none() {
                    continue;
                }
                if chunk.len() == pool.chunk_len && full.len() < MAX_POOLED_CHUNKS {
                    full.push(chunk);
                } else {
                    others.push(chunk);
                }
            }
            if !full.is_empty() {
                pool.give_chunks(&mut full);
                // What the pool had no room for.
                others.append(&mut full);
            }
            let mut buffers = Vec::new();
            for mut chunk in others {
                if let Some(spans) = Arc::get_mut(&mut chunk) {
                    harvest(spans, &mut buffers, MAX_POOLED);
                }
            }
            if !buffers.is_empty() {
                pool.give_buffers(&mut buffers);
            }
        })
    }
}

/// Moves the attribute buffers of `spans` (cleared) to `buffers`, up to
/// `limit` in all; oversized ones stay, to be freed with their span.
fn harvest(spans: &mut [SpanData], buffers: &mut Vec<Attributes>, limit: usize) {
    for span in spans {
        if buffers.len() >= limit {
            return;
        }
        let a = &mut span.attributes;
        if !a.is_empty() && !a.holds_more_than(MAX_ENTRIES, MAX_TEXT) {
            let mut buffer = std::mem::take(a);
            buffer.clear();
            buffers.push(buffer);
        }
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
    fn buffers_of_unshared_short_chunks_come_back_cleared() {
        let pool = Arc::new(SpanPool::new(3));
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
    fn full_chunks_are_emptied_by_the_thread_that_takes_them() {
        let pool = Arc::new(SpanPool::new(2));
        let recycle = SpanPool::recycler(&pool);
        recycle(vec![vec![span_with(2), span_with(3)].into()]);
        let mut buffers = Vec::new();
        pool.take_buffers(&mut buffers, 10);
        assert!(buffers.is_empty(), "the export thread left the chunk whole");
        let mut chunks = Vec::new();
        pool.take_chunks(&mut chunks, 1, &mut buffers, 1);
        assert_eq!(chunks.len(), 1);
        assert_eq!(buffers.len(), 1, "kept up to the limit, the rest freed");
        assert!(buffers[0].is_empty());
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
        pool.take_chunks(&mut out, 10, &mut Vec::new(), 10);
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

        let mut chunks: Vec<Arc<[SpanData]>> = (0..MAX_POOLED_CHUNKS + 3)
            .map(|i| vec![span_with(i as u64)].into())
            .collect();
        pool.give_chunks(&mut chunks);
        assert_eq!(chunks.len(), 3, "what found no room is handed back");
        let mut out = Vec::new();
        pool.take_chunks(&mut out, usize::MAX, &mut Vec::new(), 0);
        assert_eq!(out.len(), MAX_POOLED_CHUNKS);
    }
}
