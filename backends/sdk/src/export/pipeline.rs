//! [`Pipeline`]: one exporter's bounded queue, and the handle to its export
//! thread.
//!
//! # Mechanism
//!
//! The queue is a ring of chunks (`Arc<[T]>`, shared with the other
//! exporters of the signal) behind one mutex, counted in items. Producers
//! hold the mutex only to append a chunk; when the queue is already full a
//! relaxed load rejects the chunk without taking it. The export thread
//! sleeps on a condition variable until a quarter of the queue (at least a
//! batch) waits, the batch timeout passes, or a flush or shutdown asks for
//! everything; once awake it sends full batches until fewer than a batch
//! remain. A producer wakes it only when its chunk crosses that quarter, so
//! the common push costs no system call and a wake-up hands over several
//! batches.
//!
//! Every item is accounted exactly once: it is dropped on push
//! (`queue_full`, `shutdown`), or accepted, then exported, rejected by the
//! backend, dropped after failed retries (`export_failed`) or dropped when
//! shutdown gives up at its deadline (`shutdown`).

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::PipelineConfig;
use super::stats::{Counters, DropReason, PipelineStats};
use super::worker::Worker;
use super::{Batch, ExportError, Exporter};
use crate::build::BuildError;
use crate::resource::Resource;
use crate::sync::lock;

/// How long dropping a pipeline that was not shut down waits for it.
pub(crate) const DROP_DEADLINE: Duration = Duration::from_secs(5);

/// One exporter behind a bounded queue, drained by a dedicated thread
/// named `omniscope-export-{signal}-{exporter name}`.
///
/// [`push`](Pipeline::push) never blocks and never grows the queue past its
/// capacity: what does not fit is dropped and counted. The thread batches
/// by size and time, retries retryable failures with exponential backoff and
/// full jitter, and catches exporter panics. One pipeline's slowness or
/// failure never reaches another: each has its own queue and thread.
/// Telemetry emitted on the export thread (logs, spans, errors) is
/// suppressed, so an exporter's own transport cannot feed back into it.
///
/// Dropping a pipeline that was not shut down shuts it down with a 5 s
/// deadline.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use omniscope_sdk::export::{InMemoryExporter, Pipeline, PipelineConfig};
/// use omniscope_sdk::Resource;
///
/// let (exporter, received) = InMemoryExporter::<u64>::new();
/// let pipeline = Pipeline::spawn(
///     "traces",
///     Box::new(exporter),
///     Arc::new(Resource::new("orders")),
///     PipelineConfig::default().with_queue_capacity(1024),
/// )?;
/// pipeline.push(Arc::from(vec![1, 2, 3]));
/// pipeline.shutdown(Instant::now() + Duration::from_secs(5))?;
/// assert_eq!(received.items(), [1, 2, 3]);
/// assert_eq!(pipeline.stats().exported, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pipeline<T> {
    shared: Arc<Shared<T>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// What the handle and the export thread share.
pub(crate) struct Shared<T> {
    pub(crate) signal: &'static str,
    pub(crate) exporter: String,
    pub(crate) config: PipelineConfig,
    /// Set (under the state lock) once shutdown starts: pushes are refused.
    closed: AtomicBool,
    pub(crate) state: Mutex<State<T>>,
    /// Wakes the export thread.
    pub(crate) work: Condvar,
    /// Wakes `flush` and `shutdown` callers.
    pub(crate) progress: Condvar,
    pub(crate) counters: Counters,
    /// Receives the chunks of each exported batch instead of dropping them
    /// here (the tracer takes back the attribute buffers of its spans).
    pub(crate) recycler: OnceLock<Recycler<T>>,
}

/// What takes exported chunks back; see [`Fanout::set_recycler`](super::Fanout).
pub(crate) type Recycler<T> = Arc<dyn Fn(Vec<Arc<[T]>>) + Send + Sync>;

/// The queue and the flush/shutdown handshake, under one lock.
pub(crate) struct State<T> {
    pub(crate) queue: VecDeque<Arc<[T]>>,
    /// Items in `queue`.
    pub(crate) queued: usize,
    /// Items in the batch being exported.
    pub(crate) in_flight: usize,
    /// Items ever accepted / ever taken by the export thread.
    pub(crate) enqueued_total: u64,
    pub(crate) taken_total: u64,
    /// The export thread is waiting for a batch (producers may wake it).
    pub(crate) worker_waiting: bool,
    /// Flush requests (a generation counter), what they cover, and the
    /// generation the export thread completed.
    pub(crate) flush_requested: u64,
    pub(crate) flush_target: u64,
    pub(crate) flush_deadline: Option<Instant>,
    pub(crate) flush_done: u64,
    pub(crate) flush_outcome: Result<(), ExportError>,
    /// The shutdown deadline, once shutdown was asked for.
    pub(crate) shutdown: Option<Instant>,
    /// The outcome of shutdown, once the export thread finished or was
    /// abandoned.
    pub(crate) finished: Option<Result<(), ExportError>>,
    /// Shutdown gave up on the export thread: whatever it still holds was
    /// counted as dropped, and it must count nothing more.
    pub(crate) abandoned: bool,
}

pub(crate) fn wait_timeout<'a, T>(
    cv: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: Duration,
) -> MutexGuard<'a, T> {
    match cv.wait_timeout(guard, timeout) {
        Ok((guard, _)) => guard,
        Err(poisoned) => poisoned.into_inner().0,
    }
}

impl<T> Shared<T> {
    fn capacity(&self) -> usize {
        self.config.queue_capacity()
    }

    /// Refuses further pushes (called under the state lock).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    /// Publishes the queue gauges (called under the state lock).
    pub(crate) fn publish(&self, state: &State<T>) {
        self.counters
            .queued
            .store(state.queued as u64, Ordering::Relaxed);
        self.counters
            .in_flight
            .store(state.in_flight as u64, Ordering::Relaxed);
    }

    /// Drops everything queued or in flight as `reason="shutdown"` (called
    /// under the state lock, when shutdown gives up or the thread ends).
    pub(crate) fn drop_leftovers(&self, state: &mut State<T>) -> VecDeque<Arc<[T]>> {
        let left = state.queued + state.in_flight;
        self.counters.drop_items(DropReason::Shutdown, left as u64);
        state.queued = 0;
        state.in_flight = 0;
        self.publish(state);
        std::mem::take(&mut state.queue)
    }
}

impl<T: Send + Sync + 'static> Pipeline<T> {
    /// Starts the export thread for `exporter`.
    ///
    /// `signal` names the signal in the thread name and self-metrics
    /// (`"traces"`, `"logs"`, `"metrics"`, `"errors"`).
    ///
    /// # Errors
    /// The configuration is invalid ([`PipelineConfig::validate`]), or the
    /// thread could not be started.
    pub fn spawn(
        signal: &'static str,
        exporter: Box<dyn Exporter<T>>,
        resource: Arc<Resource>,
        config: PipelineConfig,
    ) -> Result<Pipeline<T>, BuildError> {
        config.validate()?;
        let name = exporter.name().to_owned();
        let ring = config.queue_capacity().min(1024);
        let shared = Arc::new(Shared {
            signal,
            exporter: name.clone(),
            config,
            closed: AtomicBool::new(false),
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(ring),
                queued: 0,
                in_flight: 0,
                enqueued_total: 0,
                taken_total: 0,
                worker_waiting: false,
                flush_requested: 0,
                flush_target: 0,
                flush_deadline: None,
                flush_done: 0,
                flush_outcome: Ok(()),
                shutdown: None,
                finished: None,
                abandoned: false,
            }),
            work: Condvar::new(),
            progress: Condvar::new(),
            counters: Counters::default(),
            recycler: OnceLock::new(),
        });
        let worker = Worker::new(shared.clone(), exporter, resource);
        let thread_name = format!("omniscope-export-{signal}-{name}").replace('\0', "");
        let thread = std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || worker.run())
            .map_err(|e| {
                BuildError::new(
                    "pipeline",
                    format!("cannot start the export thread of {signal} exporter `{name}`: {e}"),
                )
            })?;
        Ok(Pipeline {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }
}

impl<T> Pipeline<T> {
    /// Hands the chunks of each exported batch to `recycler` (once).
    pub(crate) fn set_recycler(&self, recycler: Recycler<T>) {
        let _ = self.shared.recycler.set(recycler);
    }

    /// Queues a chunk of items for export, without blocking.
    ///
    /// The queue is counted in items, and a chunk is taken whole or not at
    /// all: if it does not fit (or is larger than the capacity) all its
    /// items are dropped and counted `reason="queue_full"`; after shutdown
    /// they are counted `reason="shutdown"`. The items are not copied: the
    /// `Arc` is kept until exported. Empty chunks are ignored.
    pub fn push(&self, chunk: Arc<[T]>) {
        let n = chunk.len();
        if n == 0 {
            return;
        }
        let shared = &*self.shared;
        let refused = if shared.closed.load(Ordering::Relaxed) {
            Some(DropReason::Shutdown)
        } else if shared.counters.queued.load(Ordering::Relaxed) as usize + n > shared.capacity() {
            // Full (or was a moment ago): refuse without taking the lock.
            Some(DropReason::QueueFull)
        } else {
            let mut state = lock(&shared.state);
            if shared.closed.load(Ordering::Relaxed) {
                Some(DropReason::Shutdown)
            } else if state.queued + n > shared.capacity() {
                Some(DropReason::QueueFull)
            } else {
                state.queue.push_back(chunk);
                state.queued += n;
                state.enqueued_total += n as u64;
                shared.publish(&state);
                Counters::add(&shared.counters.accepted, n as u64);
                let wake = state.worker_waiting && state.queued >= shared.config.wake_threshold();
                if wake {
                    state.worker_waiting = false;
                }
                drop(state);
                if wake {
                    shared.work.notify_one();
                }
                None
            }
        };
        if let Some(reason) = refused {
            shared.counters.refuse(reason, n as u64);
        }
    }

    /// Exports everything pushed before this call, then flushes the
    /// exporter, and returns when that is done — or at `deadline`.
    ///
    /// Items that fail to export count as dropped (`export_failed`); flush
    /// still succeeds. A timed-out flush drops nothing: the items stay on
    /// their way.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] at the deadline;
    /// [`ExportError::AlreadyShutdown`] after shutdown; the exporter's own
    /// flush error.
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        let generation = self.request_flush(deadline)?;
        self.wait_flush(generation, deadline)
    }

    /// Exports everything queued, flushes and shuts down the exporter, and
    /// joins the export thread — or gives up at `deadline`: then whatever is
    /// still queued or in flight is counted as dropped (`reason="shutdown"`)
    /// and the thread is left to finish on its own (never joined). Pushes
    /// after this call are dropped (`reason="shutdown"`).
    ///
    /// Idempotent: later calls return the first outcome.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed first; the
    /// exporter's flush or shutdown error.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        self.begin_shutdown(deadline);
        self.wait_shutdown(deadline)
    }

    /// A snapshot of the counters; see [`PipelineStats`] for the metric names.
    pub fn stats(&self) -> PipelineStats {
        // The lock makes queue, in-flight and settled counts consistent with
        // each other; drops on push are counted without it.
        let _state = lock(&self.shared.state);
        self.shared.counters.snapshot(
            self.shared.signal,
            &self.shared.exporter,
            self.shared.capacity(),
        )
    }

    /// The signal this pipeline exports.
    pub fn signal(&self) -> &'static str {
        self.shared.signal
    }

    /// The exporter's name.
    pub fn exporter_name(&self) -> &str {
        &self.shared.exporter
    }

    /// The configuration.
    pub fn config(&self) -> &PipelineConfig {
        &self.shared.config
    }

    /// Whether shutdown was asked for.
    pub fn is_shut_down(&self) -> bool {
        self.shared.closed.load(Ordering::Relaxed)
    }

    /// Counts items dropped before they reached this pipeline (a
    /// [`LocalBatcher`](super::LocalBatcher) after shutdown).
    pub(crate) fn count_dropped(&self, reason: DropReason, n: u64) {
        self.shared.counters.refuse(reason, n);
    }

    /// Asks the export thread to flush; returns the generation to wait for.
    pub(crate) fn request_flush(&self, deadline: Instant) -> Result<u64, ExportError> {
        let mut state = lock(&self.shared.state);
        if state.shutdown.is_some() || state.finished.is_some() {
            return Err(ExportError::AlreadyShutdown);
        }
        let pending = state.flush_requested > state.flush_done;
        state.flush_deadline = Some(match state.flush_deadline {
            Some(earlier) if pending => earlier.max(deadline),
            _ => deadline,
        });
        state.flush_requested += 1;
        state.flush_target = state.enqueued_total;
        state.worker_waiting = false;
        let generation = state.flush_requested;
        drop(state);
        self.shared.work.notify_all();
        Ok(generation)
    }

    /// Waits until flush `generation` completed, or `deadline`.
    pub(crate) fn wait_flush(&self, generation: u64, deadline: Instant) -> Result<(), ExportError> {
        let mut state = lock(&self.shared.state);
        loop {
            if state.flush_done >= generation {
                return state.flush_outcome.clone();
            }
            if state.finished.is_some() {
                // Shutdown drained the queue meanwhile (or gave up).
                return if state.abandoned {
                    Err(ExportError::Timeout)
                } else {
                    Ok(())
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ExportError::Timeout);
            }
            state = wait_timeout(
                &self.shared.progress,
                state,
                deadline.saturating_duration_since(now),
            );
        }
    }

    /// Refuses further pushes and asks the export thread to drain and stop.
    pub(crate) fn begin_shutdown(&self, deadline: Instant) {
        let mut state = lock(&self.shared.state);
        self.shared.closed.store(true, Ordering::Relaxed);
        if state.shutdown.is_none() {
            state.shutdown = Some(deadline);
        }
        state.worker_waiting = false;
        drop(state);
        self.shared.work.notify_all();
    }

    /// Waits for the export thread to finish, or abandons it at `deadline`.
    pub(crate) fn wait_shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let mut state = lock(&self.shared.state);
        loop {
            if let Some(outcome) = &state.finished {
                let outcome = outcome.clone();
                let abandoned = state.abandoned;
                drop(state);
                self.release_thread(!abandoned);
                return outcome;
            }
            let now = Instant::now();
            if now >= deadline {
                state.abandoned = true;
                state.finished = Some(Err(ExportError::Timeout));
                let leftovers = self.shared.drop_leftovers(&mut state);
                drop(state);
                drop(leftovers);
                self.shared
                    .counters
                    .set_last_error("shutdown deadline passed: the exporter did not finish".into());
                self.shared.work.notify_all();
                self.shared.progress.notify_all();
                self.release_thread(false);
                return Err(ExportError::Timeout);
            }
            state = wait_timeout(
                &self.shared.progress,
                state,
                deadline.saturating_duration_since(now),
            );
        }
    }

    /// Joins the export thread (which has finished its work and dropped the
    /// exporter, so this returns at once), or detaches it.
    fn release_thread(&self, join: bool) {
        let thread = lock(&self.thread).take();
        if let Some(thread) = thread {
            if join && thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl<T> fmt::Debug for Pipeline<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("signal", &self.shared.signal)
            .field("exporter", &self.shared.exporter)
            .field("config", &self.shared.config)
            .field(
                "queued",
                &self.shared.counters.queued.load(Ordering::Relaxed),
            )
            .field("closed", &self.shared.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T> Drop for Pipeline<T> {
    fn drop(&mut self) {
        let _ = self.shutdown(super::deadline::after(DROP_DEADLINE));
    }
}

impl<T> Batch<T> {
    /// Takes up to `max` items' worth of chunks from the front of `queue`
    /// (at least one chunk, even if it is larger).
    pub(crate) fn take_from(queue: &mut VecDeque<Arc<[T]>>, max: usize) -> Batch<T> {
        let mut chunks = Vec::new();
        let mut n = 0;
        while let Some(front) = queue.front() {
            if n > 0 && n + front.len() > max {
                break;
            }
            n += front.len();
            if let Some(chunk) = queue.pop_front() {
                chunks.push(chunk);
            }
        }
        Batch::new(chunks)
    }
}
