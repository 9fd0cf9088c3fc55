//! [`ImmediateExporter`]: exporters that take each item on the thread that
//! recorded it, and [`Immediate`], the set of them a signal keeps beside its
//! pipelines.
//!
//! # Mechanism
//!
//! An exporter offers an immediate form through [`Exporter::immediate`];
//! the logger and the error handler then give it no pipeline and call it
//! on the recording thread, before the recording call returns, with the
//! SDK holding no lock. The exporter serializes its own writes (the console
//! encodes a line first, then writes it under the standard stream's lock
//! and its own), so items are delivered at once and in the order they were
//! recorded, across threads too. There is no queue, no batch, no retry and
//! no thread: a failed or panicking export drops the item and counts it
//! (`export_failed`), and the caller waits while the exporter writes. That
//! is the right trade for a console in development (what `env_logger` and
//! `tracing-subscriber`'s `fmt` do); anything slow or remote belongs on a
//! pipeline.
//!
//! Each immediate exporter keeps the same counters as a pipeline, so
//! [`PipelineStats`] and the self-metrics cover it; its queue capacity is 0.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::stats::{Counters, DropReason, PipelineStats};
use super::worker::contained;
use super::{ExportError, Exporter};
use crate::resource::Resource;
use crate::sync::lock;

/// An exporter that delivers each item at once, on the thread that
/// recorded it, before the recording call returns; see
/// [`Exporter::immediate`].
///
/// It is called from any number of threads at once and serializes its own
/// writes, holding no lock of its own while it waits for another (the SDK
/// holds none while it calls it), so that a thread that holds, say, the
/// standard output's lock and records an item cannot deadlock with it.
/// Implementations must never panic (a panic is caught, and the item
/// counted as dropped) and should return quickly.
pub trait ImmediateExporter<T>: Send + Sync {
    /// Delivers one item.
    ///
    /// # Errors
    /// Whatever prevented delivery: the item is dropped and counted, never
    /// retried.
    fn export(&self, item: &T, resource: &Resource) -> Result<(), ExportError>;

    /// Delivers anything the exporter buffers, by `deadline`.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed.
    fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        let _ = deadline;
        Ok(())
    }

    /// Releases resources; called once, after the last export.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed.
    fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let _ = deadline;
        Ok(())
    }
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
    exporter: Arc<dyn ImmediateExporter<T>>,
    signal: &'static str,
    name: String,
    resource: Arc<Resource>,
    counters: Counters,
    closed: AtomicBool,
    /// The outcome of the first shutdown, returned by later ones.
    shutdown: Mutex<Option<Result<(), ExportError>>>,
}

impl<T> Immediate<T> {
    /// Keeps the immediate forms of the exporters of `exporters` that offer
    /// one, and returns the others, in order, for the pipelines.
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
            match exporter.immediate() {
                Some(direct) => {
                    immediate.order.push(true);
                    immediate.exporters.push(Direct {
                        exporter: direct,
                        signal,
                        name: exporter.name().to_owned(),
                        resource: resource.clone(),
                        counters: Counters::default(),
                        closed: AtomicBool::new(false),
                        shutdown: Mutex::new(None),
                    });
                }
                None => {
                    immediate.order.push(false);
                    batched.push(exporter);
                }
            }
        }
        (immediate, batched)
    }

    /// Exports `item` to every immediate exporter, on this thread.
    pub(crate) fn export(&self, item: &T) {
        for direct in &self.exporters {
            direct.export(item);
        }
    }

    /// Flushes every immediate exporter by `deadline`.
    ///
    /// # Errors
    /// The first exporter's error, in order: [`ExportError::AlreadyShutdown`]
    /// after shutdown, or the exporter's own flush error.
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
    /// The first exporter's flush or shutdown error, in order.
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
    fn export(&self, item: &T) {
        let counters = &self.counters;
        if self.closed.load(Ordering::Acquire) {
            return counters.refuse(DropReason::Shutdown, 1);
        }
        Counters::add(&counters.accepted, 1);
        Counters::add(&counters.in_flight, 1);
        let outcome = contained(|| self.exporter.export(item, &self.resource));
        counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        let error = match outcome {
            Ok(Ok(())) => return Counters::add(&counters.exported, 1),
            Ok(Err(error)) => error.to_string(),
            Err(panic) => format!("exporter panicked: {panic}"),
        };
        // Said before it is counted: whoever sees the count sees why.
        counters.set_last_error(format!(
            "immediate export failed, 1 item dropped (never retried): {error}"
        ));
        Counters::add(&counters.errors, 1);
        counters.drop_items(DropReason::ExportFailed, 1);
    }

    fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(ExportError::AlreadyShutdown);
        }
        self.call(|e| e.flush(deadline))
    }

    fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let mut first = lock(&self.shutdown);
        if let Some(outcome) = &*first {
            return outcome.clone();
        }
        // Items recorded from here on are refused and counted.
        self.closed.store(true, Ordering::Release);
        let outcome = self.call(|e| {
            e.flush(deadline)?;
            e.shutdown(deadline)
        });
        *first = Some(outcome.clone());
        outcome
    }

    /// Calls the exporter, a panic being an error; keeps the error in
    /// `last_error`.
    fn call(
        &self,
        f: impl FnOnce(&dyn ImmediateExporter<T>) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let outcome = contained(|| f(&*self.exporter)).unwrap_or_else(|panic| {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::export::{Accepted, Batch, InMemoryExporter};

    /// Keeps what it receives; fails on 13.
    #[derive(Default)]
    struct Now(Mutex<Vec<u32>>);

    impl ImmediateExporter<u32> for Now {
        fn export(&self, item: &u32, _: &Resource) -> Result<(), ExportError> {
            if *item == 13 {
                return Err(ExportError::Internal("unlucky".into()));
            }
            lock(&self.0).push(*item);
            Ok(())
        }
    }

    /// Offers `Now` as its immediate form.
    struct Offers(Arc<Now>);

    impl Exporter<u32> for Offers {
        fn name(&self) -> &str {
            "now"
        }
        fn export(&mut self, _: &Batch<u32>, _: &Resource) -> Result<Accepted, ExportError> {
            unreachable!("immediate exporters are not batched")
        }
        fn immediate(&self) -> Option<Arc<dyn ImmediateExporter<u32>>> {
            Some(self.0.clone())
        }
    }

    #[test]
    fn items_arrive_at_once_are_counted_and_stats_keep_the_exporters_order() {
        let far = Instant::now() + Duration::from_secs(10);
        let now = Arc::new(Now::default());
        let (batched, _) = InMemoryExporter::<u32>::new();
        let exporters: Vec<Box<dyn Exporter<u32>>> =
            vec![Box::new(batched), Box::new(Offers(now.clone()))];
        let (immediate, rest) = Immediate::split("logs", exporters, &Arc::new(Resource::empty()));
        assert_eq!(rest.len(), 1);
        for item in [1, 13, 2] {
            immediate.export(&item);
        }
        assert_eq!(*lock(&now.0), [1, 2]);
        assert_eq!(immediate.shutdown(far), Ok(()));
        assert_eq!(immediate.shutdown(far), Ok(()), "idempotent");
        immediate.export(&3);
        assert_eq!(immediate.flush(far), Err(ExportError::AlreadyShutdown));
        let stats = immediate.stats_in_order(vec![PipelineStats::default()]);
        assert_eq!(stats.len(), 2);
        let s = &stats[1];
        assert_eq!(s.exporter, "now");
        assert_eq!((s.produced, s.exported, s.errors), (4, 2, 1));
        assert_eq!((s.dropped.export_failed, s.dropped.shutdown), (1, 1));
        assert!(s
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unlucky")));
    }
}
