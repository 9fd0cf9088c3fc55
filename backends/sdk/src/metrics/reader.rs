//! [`PeriodicReader`]: collects a meter on a timer and pushes the snapshots
//! into an export [`Pipeline`].

use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::meter::{DeltaReader, SdkMeter};
use super::snapshot::{MetricsSnapshot, Temporality};
use crate::export::{deadline_after, instant_after, ExportError, Pipeline};
use crate::sync::lock;
use crate::BuildError;

/// How long dropping a reader that was not shut down waits for it.
const DROP_DEADLINE: Duration = Duration::from_secs(5);

/// Collects an [`SdkMeter`] every interval on a thread of its own
/// (`omniscope-metrics-reader`) and pushes each snapshot, cumulative or
/// delta, into a push exporter's [`Pipeline`].
///
/// The pipeline's queue decouples collection from export: a slow or failed
/// exporter costs dropped snapshots (counted by the pipeline), never a
/// stalled reader. Telemetry that gauge callbacks emit on the reader thread
/// is suppressed. Dropping a reader that was not shut down shuts it down
/// with a 5 s deadline.
///
/// ```
/// use std::time::{Duration, Instant};
/// use std::sync::Arc;
/// use omniscope::Meter;
/// use omniscope::metrics::{Key, MetricMeta};
/// use omniscope_sdk::export::{InMemoryExporter, Pipeline, PipelineConfig};
/// use omniscope_sdk::metrics::{MetricsSnapshot, PeriodicReader, SdkMeter, Temporality};
/// use omniscope_sdk::Resource;
///
/// let meter = SdkMeter::new();
/// let (exporter, received) = InMemoryExporter::<MetricsSnapshot>::new();
/// let pipeline = Pipeline::spawn("metrics", Box::new(exporter), Arc::new(Resource::new("orders")), PipelineConfig::default())?;
/// let reader = PeriodicReader::spawn(meter.clone(), Duration::from_secs(60), Temporality::Delta, pipeline)?;
///
/// meter.counter(&Key::from_name("jobs_total"), &MetricMeta::EMPTY).increment(3);
/// reader.shutdown(Instant::now() + Duration::from_secs(5))?; // a final collection, then the exporter's shutdown
/// let last = received.items().pop().unwrap();
/// assert!(last.family("jobs_total").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PeriodicReader {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    meter: SdkMeter,
    temporality: Temporality,
    interval: Duration,
    sink: Pipeline<MetricsSnapshot>,
    /// Serializes collect-and-push; holds the delta reader.
    collect: Mutex<Option<DeltaReader>>,
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Shared {
    /// Collects and pushes one snapshot. Periodic collections (`last` false)
    /// stop once shutdown began, so that the final one is the last pushed.
    fn collect_and_push(&self, last: bool) {
        let mut delta = lock(&self.collect);
        if !last && *lock(&self.stopped) {
            return;
        }
        let snapshot = match (self.temporality, delta.as_mut()) {
            (Temporality::Delta, Some(reader)) => reader.collect(),
            _ => self.meter.snapshot(),
        };
        self.sink.push(Arc::from(vec![snapshot]));
    }

    fn run(&self) {
        omniscope::suppress_current_thread();
        let mut next = deadline_after(self.interval);
        loop {
            let mut stopped = lock(&self.stopped);
            loop {
                if *stopped {
                    return;
                }
                let now = Instant::now();
                if now >= next {
                    break;
                }
                stopped = self
                    .wake
                    .wait_timeout(stopped, next.saturating_duration_since(now))
                    .map_or_else(|p| p.into_inner().0, |(g, _)| g);
            }
            drop(stopped);
            self.collect_and_push(false);
            next = instant_after(next, self.interval);
            let now = Instant::now();
            if next <= now {
                next = instant_after(now, self.interval);
            }
        }
    }
}

impl PeriodicReader {
    /// Starts collecting `meter` every `interval` into `sink`.
    ///
    /// # Errors
    /// A zero interval, or the thread could not be started.
    pub fn spawn(
        meter: SdkMeter,
        interval: Duration,
        temporality: Temporality,
        sink: Pipeline<MetricsSnapshot>,
    ) -> Result<PeriodicReader, BuildError> {
        if interval.is_zero() {
            return Err(BuildError::new(
                "metric reader",
                "the collection interval is zero: give a positive duration",
            ));
        }
        let delta = (temporality == Temporality::Delta).then(|| meter.delta_reader());
        let shared = Arc::new(Shared {
            meter,
            temporality,
            interval,
            sink,
            collect: Mutex::new(delta),
            stopped: Mutex::new(false),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("omniscope-metrics-reader".to_owned())
            .spawn(move || worker.run())
            .map_err(|e| {
                BuildError::new(
                    "metric reader",
                    format!("cannot start the reader thread: {e}"),
                )
            })?;
        Ok(PeriodicReader {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Collects now, pushes the snapshot, and flushes the pipeline.
    ///
    /// # Errors
    /// The pipeline's flush error ([`ExportError::Timeout`] at `deadline`,
    /// [`ExportError::AlreadyShutdown`] after shutdown).
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        if *lock(&self.shared.stopped) {
            return Err(ExportError::AlreadyShutdown);
        }
        self.shared.collect_and_push(false);
        self.shared.sink.flush(deadline)
    }

    /// Stops the timer, collects one last time, pushes, and shuts the
    /// pipeline down by `deadline`. Idempotent: later calls only repeat the
    /// pipeline's shutdown (which returns its first outcome).
    ///
    /// # Errors
    /// The pipeline's shutdown error ([`ExportError::Timeout`] at `deadline`).
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let first = {
            let mut stopped = lock(&self.shared.stopped);
            !std::mem::replace(&mut *stopped, true)
        };
        if first {
            self.shared.wake.notify_all();
            self.shared.collect_and_push(true);
        }
        let result = self.shared.sink.shutdown(deadline);
        self.join(deadline);
        result
    }

    /// Joins the timer thread if it ends by `deadline` (it may be inside a
    /// slow gauge callback; then it is left to finish on its own).
    fn join(&self, deadline: Instant) {
        let mut thread = lock(&self.thread);
        while thread.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if thread.as_ref().is_some_and(JoinHandle::is_finished) {
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
    }

    /// The pipeline the snapshots go to (for its stats).
    pub fn pipeline(&self) -> &Pipeline<MetricsSnapshot> {
        &self.shared.sink
    }
}

impl Drop for PeriodicReader {
    fn drop(&mut self) {
        let _ = self.shutdown(Instant::now() + DROP_DEADLINE);
    }
}

impl fmt::Debug for PeriodicReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeriodicReader")
            .field("interval", &self.shared.interval)
            .field("temporality", &self.shared.temporality)
            .field("pipeline", &self.shared.sink)
            .finish_non_exhaustive()
    }
}
