//! [`LocalBatcher`]: per-thread buffers in front of a [`Fanout`], so that
//! recording threads hand over chunks instead of single items.
//!
//! # Mechanism
//!
//! Each thread that pushes to a batcher gets its own buffer, found through
//! a thread-local list keyed by the batcher's id (several batchers — spans,
//! logs, errors — coexist). The buffer is a `Mutex<Vec<T>>` that only its
//! thread locks, except when [`LocalBatcher::flush_buffers`] drains it, so
//! pushing takes no shared lock. When the buffer reaches the chunk size it
//! becomes one `Arc<[T]>` handed to the fanout. Every buffer is also
//! registered in the batcher, so `flush_buffers` reaches the buffers of all
//! threads, including threads that have exited since (whose entries are
//! removed once drained).

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use super::deadline;
use super::fanout::Fanout;
use super::pipeline::wait_timeout;
use super::stats::{DropReason, PipelineStats};
use super::ExportError;
use crate::build::BuildError;
use crate::sync::lock;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One thread's buffer for one batcher.
struct ThreadBuffer<T> {
    items: Mutex<Vec<T>>,
    /// Cleared when the owning thread exits.
    thread_alive: AtomicBool,
    /// Cleared when the batcher is dropped (stale thread-local entries are
    /// then pruned).
    batcher_alive: Arc<AtomicBool>,
}

/// The type-erased view the thread-local list keeps.
trait Slot: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn thread_exited(&self);
    fn batcher_alive(&self) -> bool;
}

impl<T: Send + 'static> Slot for ThreadBuffer<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn thread_exited(&self) {
        self.thread_alive.store(false, Ordering::Release);
    }

    fn batcher_alive(&self) -> bool {
        self.batcher_alive.load(Ordering::Relaxed)
    }
}

/// A thread-local entry: marks its buffer orphaned when the thread exits.
struct Entry {
    batcher: u64,
    slot: Arc<dyn Slot>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.slot.thread_exited();
    }
}

thread_local! {
    static ENTRIES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Per-thread buffering in front of a [`Fanout`].
///
/// [`push`](LocalBatcher::push) appends to the calling thread's own buffer
/// and hands a chunk to the fanout when it holds `chunk_size` items. Items
/// waiting in buffers are handed over by
/// [`flush_buffers`](LocalBatcher::flush_buffers): call it periodically (or
/// start [`spawn_ticker`](LocalBatcher::spawn_ticker)); [`flush`](LocalBatcher::flush)
/// and [`shutdown`](LocalBatcher::shutdown) call it first.
///
/// Keep `chunk_size` well below each pipeline's queue capacity: a chunk is
/// queued whole or dropped whole.
///
/// Dropping the batcher hands over every buffer, then drops the fanout
/// (which shuts its pipelines down).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use omniscope_sdk::export::{Fanout, InMemoryExporter, LocalBatcher, Pipeline, PipelineConfig};
/// use omniscope_sdk::Resource;
///
/// let (exporter, received) = InMemoryExporter::<u64>::new();
/// let pipeline = Pipeline::spawn("logs", Box::new(exporter), Arc::new(Resource::new("orders")), PipelineConfig::default())?;
/// let batcher = LocalBatcher::new(Fanout::new(vec![pipeline]), 64);
/// let worker = {
///     let batcher = batcher.clone();
///     std::thread::spawn(move || (0..100).for_each(|i| batcher.push(i)))
/// };
/// worker.join().map_err(|_| "producer panicked")?;
/// batcher.flush(Instant::now() + Duration::from_secs(5))?; // includes the exited thread's last 36
/// assert_eq!(received.len(), 100);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LocalBatcher<T> {
    id: u64,
    chunk_size: usize,
    sink: Fanout<T>,
    buffers: Mutex<Vec<Arc<ThreadBuffer<T>>>>,
    alive: Arc<AtomicBool>,
    closed: AtomicBool,
    ticker: Arc<(Mutex<bool>, Condvar)>,
}

impl<T: Send + Sync + 'static> LocalBatcher<T> {
    /// A batcher handing chunks of `chunk_size` items (at least 1) to `sink`.
    pub fn new(sink: Fanout<T>, chunk_size: usize) -> Arc<LocalBatcher<T>> {
        Arc::new(LocalBatcher {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            chunk_size: chunk_size.max(1),
            sink,
            buffers: Mutex::new(Vec::new()),
            alive: Arc::new(AtomicBool::new(true)),
            closed: AtomicBool::new(false),
            ticker: Arc::new((Mutex::new(false), Condvar::new())),
        })
    }

    /// Buffers `item` on this thread; hands over a chunk when the buffer is
    /// full. After [`shutdown`](LocalBatcher::shutdown) the item is dropped
    /// and counted (`reason="shutdown"`) in every pipeline.
    pub fn push(&self, item: T) {
        if self.closed.load(Ordering::Relaxed) {
            self.sink.count_dropped(DropReason::Shutdown, 1);
            return;
        }
        let mut pending = Some(item);
        let _ = ENTRIES.try_with(|entries| {
            if let Ok(mut entries) = entries.try_borrow_mut() {
                if let Some(item) = pending.take() {
                    self.push_local(&mut entries, item);
                }
            }
        });
        // The thread is exiting (its thread-locals are gone), or we are
        // re-entered from a handover: send the item on its own.
        if let Some(item) = pending {
            self.sink.push(Arc::from(vec![item]));
        }
    }

    fn push_local(&self, entries: &mut Vec<Entry>, item: T) {
        let found = entries
            .iter()
            .find(|e| e.batcher == self.id)
            .and_then(|e| e.slot.as_any().downcast_ref::<ThreadBuffer<T>>());
        match found {
            Some(buffer) => {
                let mut items = lock(&buffer.items);
                items.push(item);
                if items.len() >= self.chunk_size {
                    let full = std::mem::replace(&mut *items, Vec::with_capacity(self.chunk_size));
                    // Handed over under the buffer's lock, as `flush_buffers`
                    // does: what it took from this buffer before reaches the
                    // pipelines first, so the thread's items keep their order.
                    self.sink.push(Arc::from(full));
                }
            }
            None => {
                let mut items = Vec::with_capacity(self.chunk_size);
                items.push(item);
                if let Some(full) = self.register(entries, items) {
                    self.sink.push(Arc::from(full));
                }
            }
        }
    }

    /// Creates this thread's buffer holding `items`; returns them instead
    /// if they already make a chunk.
    fn register(&self, entries: &mut Vec<Entry>, items: Vec<T>) -> Option<Vec<T>> {
        if items.len() >= self.chunk_size {
            return Some(items);
        }
        entries.retain(|e| e.slot.batcher_alive());
        let buffer = Arc::new(ThreadBuffer {
            items: Mutex::new(items),
            thread_alive: AtomicBool::new(true),
            batcher_alive: self.alive.clone(),
        });
        lock(&self.buffers).push(buffer.clone());
        entries.push(Entry {
            batcher: self.id,
            slot: buffer,
        });
        None
    }

    /// Hands over what every thread's buffer holds, and forgets the buffers
    /// of threads that have exited.
    ///
    /// Each buffer's items are handed over while its lock is held, so that
    /// its thread cannot hand over a later chunk first: a thread's items
    /// reach the pipelines in the order it pushed them.
    pub fn flush_buffers(&self) {
        let mut buffers = lock(&self.buffers);
        buffers.retain(|buffer| {
            // Read before draining: an exited thread pushes nothing more.
            let exited = !buffer.thread_alive.load(Ordering::Acquire);
            let mut items = lock(&buffer.items);
            if !items.is_empty() {
                let chunk = std::mem::replace(&mut *items, Vec::with_capacity(self.chunk_size));
                self.sink.push(Arc::from(chunk));
            }
            !exited
        });
    }

    /// Hands over every buffer, then flushes the fanout; see
    /// [`Fanout::flush`].
    ///
    /// # Errors
    /// As [`Fanout::flush`].
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        self.flush_buffers();
        self.sink.flush(deadline)
    }

    /// Hands over every buffer, stops the ticker, then shuts the fanout
    /// down; see [`Fanout::shutdown`]. Later pushes are dropped and counted.
    ///
    /// # Errors
    /// As [`Fanout::shutdown`].
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        self.stop_ticker();
        self.flush_buffers();
        self.closed.store(true, Ordering::Relaxed);
        // A push racing with the line above may have refilled a buffer.
        self.flush_buffers();
        self.sink.shutdown(deadline)
    }

    /// Starts a thread (`omniscope-batcher-{signal}`) calling
    /// [`flush_buffers`](LocalBatcher::flush_buffers) every `interval`
    /// (usually the pipelines' batch timeout), until the batcher is shut
    /// down or dropped.
    ///
    /// # Errors
    /// The interval is zero, or the thread could not be started.
    pub fn spawn_ticker(self: &Arc<Self>, interval: Duration) -> Result<(), BuildError> {
        if interval.is_zero() {
            return Err(BuildError::new(
                "batcher",
                "ticker interval is 0: it must be positive",
            ));
        }
        let signal = self
            .sink
            .pipelines()
            .first()
            .map_or("signal", |p| p.signal());
        let batcher = Arc::downgrade(self);
        let ticker = self.ticker.clone();
        std::thread::Builder::new()
            .name(format!("omniscope-batcher-{signal}"))
            .spawn(move || tick(&batcher, &ticker, interval))
            .map(drop)
            .map_err(|e| {
                BuildError::new(
                    "batcher",
                    format!("cannot start the {signal} batcher thread: {e}"),
                )
            })
    }

    /// The fanout behind this batcher.
    pub fn sink(&self) -> &Fanout<T> {
        &self.sink
    }

    /// Each pipeline's counters.
    pub fn stats(&self) -> Vec<PipelineStats> {
        self.sink.stats()
    }

    /// The chunk size.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// How many thread buffers are registered (threads that pushed, minus
    /// exited ones already drained).
    pub fn buffer_count(&self) -> usize {
        lock(&self.buffers).len()
    }
}

impl<T> LocalBatcher<T> {
    fn stop_ticker(&self) {
        let (stopped, wake) = &*self.ticker;
        *lock(stopped) = true;
        wake.notify_all();
    }
}

fn tick<T: Send + Sync + 'static>(
    batcher: &Weak<LocalBatcher<T>>,
    ticker: &(Mutex<bool>, Condvar),
    interval: Duration,
) {
    omniscope::suppress_current_thread();
    let (stopped, wake) = ticker;
    let mut next = deadline::after(interval);
    let mut stop = lock(stopped);
    loop {
        if *stop {
            return;
        }
        let now = Instant::now();
        if now < next {
            stop = wait_timeout(wake, stop, next.saturating_duration_since(now));
            continue;
        }
        drop(stop);
        match batcher.upgrade() {
            Some(batcher) => batcher.flush_buffers(),
            None => return,
        }
        next = deadline::after(interval);
        stop = lock(stopped);
    }
}

impl<T> fmt::Debug for LocalBatcher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalBatcher")
            .field("id", &self.id)
            .field("chunk_size", &self.chunk_size)
            .field("sink", &self.sink)
            .field("buffers", &lock(&self.buffers).len())
            .finish_non_exhaustive()
    }
}

impl<T> Drop for LocalBatcher<T> {
    fn drop(&mut self) {
        self.stop_ticker();
        self.alive.store(false, Ordering::Relaxed);
        let buffers = std::mem::take(&mut *lock(&self.buffers));
        for buffer in buffers {
            let items = std::mem::take(&mut *lock(&buffer.items));
            if !items.is_empty() {
                self.sink.push(Arc::from(items));
            }
        }
        // Dropping `sink` next shuts its pipelines down.
    }
}
