//! [`Immediate`]: the exporters that take each item on the thread that
//! recorded it (see [`Exporter::is_immediate`]), beside the pipelines.
//!
//! # Mechanism
//!
//! Each immediate exporter sits behind its own mutex. The recording thread
//! exports its item (a one-item batch) under that mutex, so items reach the
//! exporter in the order they were recorded, across threads too, and are
//! delivered when the recording call returns. There is no queue, no batch,
//! no retry and no thread: a failed or panicking export drops the item and
//! counts it (`export_failed`), and the caller waits for the exporter while
//! it writes. That is the right trade for a console in development (what
//! `env_logger` and `tracing-subscriber`'s `fmt` do); anything slow or
//! remote belongs on a pipeline.
//!
//! Each exporter keeps the same counters as a pipeline, so
//! [`PipelineStats`] and the self-metrics cover it; its queue capacity is 0.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use super::stats::{Counters, DropReason, PipelineStats};
use super::worker::contained;
use super::{Accepted, Batch, ExportError, Exporter};
use crate::resource::Resource;
use crate::sync::lock;

/// How long `flush` and `shutdown` sleep between two tries of a lock that a
/// recording thread holds, so that they keep their deadline.
const RETRY: Duration = Duration::from_millis(1);

thread_local! {
    /// Set while this thread runs an immediate export: an item the exporter
    /// records meanwhile (through the same SDK part) would wait for the
    /// lock its own thread holds.
    static EXPORTING: Cell<bool> = const { Cell::new(false) };
}

/// The immediate exporters of one signal, and where each stood among all
/// the signal's exporters (for [`stats_in_order`](Immediate::stats_in_order)).
pub(crate) struct Immediate<T> {
    exporters: Vec<Direct<T>>,
    /// For each exporter, in the order given: whether it is immediate.
    order: Vec<bool>,
}

/// One immediate exporter.
struct Direct<T> {
    exporter: Mutex<Box<dyn Exporter<T>>>,
    signal: &'static str,
    name: String,
    resource: Arc<Resource>,
    counters: Counters,
    closed: AtomicBool,
    /// The outcome of the first shutdown, returned by later ones.
    shutdown: Mutex<Option<Result<(), ExportError>>>,
}

impl<T> Immediate<T> {
    /// Keeps the exporters of `exporters` that ask for immediate delivery
    /// and returns the others, in order, for the pipelines.
    pub(crate) fn split(
        signal: &'static str,
        exporters: Vec<Box<dyn Exporter<T>>>,
        resource: &Arc<Resource>,
    ) -> (Immediate<T>, Vec<Box<dyn Exporter<T>>>) {
        let mut immediate = Immediate {
            exporters: Vec::new(),
            order: Vec::with_capacity(exporters.len()),
        };
        let mut batched = Vec::new();
        for exporter in exporters {
            let is_immediate = exporter.is_immediate();
            immediate.order.push(is_immediate);
            if is_immediate {
                immediate.exporters.push(Direct {
                    signal,
                    name: exporter.name().to_owned(),
                    exporter: Mutex::new(exporter),
                    resource: resource.clone(),
                    counters: Counters::default(),
                    closed: AtomicBool::new(false),
                    shutdown: Mutex::new(None),
                });
            } else {
                batched.push(exporter);
            }
        }
        (immediate, batched)
    }

    /// Whether there is no immediate exporter.
    pub(crate) fn is_empty(&self) -> bool {
        self.exporters.is_empty()
    }

    /// Exports `chunk` to every immediate exporter, on this thread.
    pub(crate) fn export(&self, chunk: &Arc<[T]>) {
        if chunk.is_empty() || self.exporters.is_empty() {
            return;
        }
        // While the thread's locals are being destroyed the guard is gone:
        // nothing there records through the SDK again.
        if EXPORTING.try_with(|e| e.replace(true)).unwrap_or(false) {
            for direct in &self.exporters {
                direct.refuse_reentry(chunk.len() as u64);
            }
            return;
        }
        for direct in &self.exporters {
            direct.export(chunk);
        }
        let _ = EXPORTING.try_with(|e| e.set(false));
    }

    /// Flushes every immediate exporter by `deadline`.
    ///
    /// # Errors
    /// The first exporter's error, in order: [`ExportError::Timeout`] when
    /// a recording thread held it past the deadline,
    /// [`ExportError::AlreadyShutdown`] after shutdown, or the exporter's
    /// own flush error.
    pub(crate) fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        let mut outcome = Ok(());
        for direct in &self.exporters {
            let result = direct.flush(deadline);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// Shuts every immediate exporter down by `deadline`; later items are
    /// dropped and counted (`shutdown`). Idempotent: later calls return the
    /// first outcome.
    ///
    /// # Errors
    /// As [`flush`](Immediate::flush), but never `AlreadyShutdown`.
    pub(crate) fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let mut outcome = Ok(());
        for direct in &self.exporters {
            let result = direct.shutdown(deadline);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// The statistics of every exporter of the signal in the order they
    /// were given to [`split`](Immediate::split): `batched` (the pipelines',
    /// in order) with the immediate exporters' own in between.
    pub(crate) fn stats_in_order(&self, batched: Vec<PipelineStats>) -> Vec<PipelineStats> {
        let mut batched = batched.into_iter();
        let mut immediate = self.exporters.iter();
        self.order
            .iter()
            .filter_map(|&is_immediate| {
                if is_immediate {
                    immediate.next().map(Direct::stats)
                } else {
                    batched.next()
                }
            })
            .collect()
    }
}

impl<T> Direct<T> {
    fn export(&self, chunk: &Arc<[T]>) {
        let n = chunk.len() as u64;
        if self.closed.load(Ordering::Acquire) {
            self.counters.refuse(DropReason::Shutdown, n);
            return;
        }
        let counters = &self.counters;
        Counters::add(&counters.accepted, n);
        Counters::add(&counters.in_flight, n);
        let batch = Batch::new(vec![chunk.clone()]);
        let outcome = contained(|| lock(&self.exporter).export(&batch, &self.resource));
        counters.in_flight.fetch_sub(n, Ordering::Relaxed);
        let error = match outcome {
            Ok(Ok(Accepted::All)) => return Counters::add(&counters.exported, n),
            Ok(Ok(Accepted::Partial { rejected })) => {
                let rejected = rejected.min(n);
                Counters::add(&counters.exported, n - rejected);
                return counters.drop_items(DropReason::Rejected, rejected);
            }
            Ok(Err(error)) => error.to_string(),
            Err(panic) => format!("exporter panicked: {panic}"),
        };
        Counters::add(&counters.errors, 1);
        counters.drop_items(DropReason::ExportFailed, n);
        counters.set_last_error(format!(
            "immediate export failed, {n} items dropped (never retried): {error}"
        ));
    }

    fn refuse_reentry(&self, n: u64) {
        self.counters.refuse(DropReason::ExportFailed, n);
        self.counters.set_last_error(format!(
            "{n} items recorded by the {} exporter while it exported on the same thread were dropped",
            self.name
        ));
    }

    fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(ExportError::AlreadyShutdown);
        }
        self.with_exporter(deadline, |e| e.flush(deadline))
    }

    fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let mut first = lock(&self.shutdown);
        if let Some(outcome) = &*first {
            return outcome.clone();
        }
        // From here on, items are refused; one being exported now finishes
        // under the lock taken below, before the exporter shuts down.
        self.closed.store(true, Ordering::Release);
        let outcome = self.with_exporter(deadline, |e| {
            e.flush(deadline)?;
            e.shutdown(deadline)
        });
        *first = Some(outcome.clone());
        outcome
    }

    /// Runs `f` on the exporter once its lock is free, or fails at
    /// `deadline`; a panic in `f` is an error.
    fn with_exporter(
        &self,
        deadline: Instant,
        f: impl FnOnce(&mut Box<dyn Exporter<T>>) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let Some(mut exporter) = lock_by(&self.exporter, deadline) else {
            self.counters.set_last_error(format!(
                "a recording thread held the {} exporter past the flush or shutdown deadline",
                self.name
            ));
            return Err(ExportError::Timeout);
        };
        let outcome = contained(|| f(&mut exporter)).unwrap_or_else(|panic| {
            Err(ExportError::Internal(format!("exporter panicked: {panic}")))
        });
        if let Err(error) = &outcome {
            self.counters.set_last_error(error.to_string());
        }
        outcome
    }

    fn stats(&self) -> PipelineStats {
        self.counters.snapshot(self.signal, &self.name, 0)
    }
}

/// Locks `m`, trying until `deadline` (a recording thread may hold it while
/// it writes); poisoning is ignored, as by [`lock`].
fn lock_by<U>(m: &Mutex<U>, deadline: Instant) -> Option<MutexGuard<'_, U>> {
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        std::thread::sleep(RETRY.min(deadline - now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::InMemoryExporter;

    /// An in-memory exporter that asks for immediate delivery.
    struct Now(InMemoryExporter<u32>);

    impl Exporter<u32> for Now {
        fn name(&self) -> &str {
            "now"
        }
        fn export(
            &mut self,
            batch: &Batch<u32>,
            resource: &Resource,
        ) -> Result<Accepted, ExportError> {
            self.0.export(batch, resource)
        }
        fn is_immediate(&self) -> bool {
            true
        }
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn items_arrive_at_once_and_stats_keep_the_exporters_order() {
        let (batched, _) = InMemoryExporter::<u32>::new();
        let (memory, received) = InMemoryExporter::new();
        let exporters: Vec<Box<dyn Exporter<u32>>> = vec![Box::new(batched), Box::new(Now(memory))];
        let (immediate, rest) = Immediate::split("logs", exporters, &Arc::new(Resource::empty()));
        assert_eq!(rest.len(), 1);
        immediate.export(&Arc::from([1, 2]));
        assert_eq!(received.items(), [1, 2]);
        assert_eq!(immediate.shutdown(far()), Ok(()));
        assert_eq!(immediate.shutdown(far()), Ok(()), "idempotent");
        immediate.export(&Arc::from([3]));
        assert_eq!(immediate.flush(far()), Err(ExportError::AlreadyShutdown));
        let stats = immediate.stats_in_order(vec![PipelineStats::default()]);
        assert_eq!(stats.len(), 2);
        assert_eq!(stats[1].exporter, "now");
        assert_eq!((stats[1].produced, stats[1].exported), (3, 2));
        assert_eq!(stats[1].dropped.shutdown, 1);
    }

    #[test]
    fn a_held_lock_times_out_flush_at_its_deadline() {
        let m = Mutex::new(());
        let _held = m.lock().unwrap();
        std::thread::scope(|s| {
            let waited =
                s.spawn(|| lock_by(&m, Instant::now() + Duration::from_millis(5)).is_none());
            assert!(waited.join().unwrap());
        });
    }
}
