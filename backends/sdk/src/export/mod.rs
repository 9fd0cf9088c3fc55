//! Exporters and the pipeline that feeds them.
//!
//! Every signal reaches its backends the same way: the recording side hands
//! finished items to a [`Pipeline`] per exporter, a bounded queue that never
//! blocks the caller (a full queue drops and counts), drained by a dedicated
//! thread that batches by size and time, retries retryable failures with
//! exponential backoff and jitter, and honours `flush`/`shutdown` deadlines.
//! Backends only implement [`Exporter`] for their item type: they translate,
//! they do not queue, batch or retry.
//!
//! # The path of an item
//!
//! ```text
//! recording thread ─push─▶ LocalBatcher (this thread's buffer, no shared lock)
//!                               │ a chunk (Arc<[T]>) every `chunk_size` items,
//!                               │ or when flush_buffers runs (ticker, flush, shutdown)
//!                               ▼
//!                          Fanout ──Arc clone──▶ Pipeline per exporter
//!                                                 bounded queue (items) → export thread
//!                                                 "omniscope-export-{signal}-{exporter}"
//! ```
//!
//! - **Drop policy.** Queues are counted in items and take a chunk whole or
//!   not at all; what does not fit is dropped and counted, never waited
//!   for. Every item ends up counted exactly once: exported, or dropped
//!   with a [`DropReason`].
//! - **Threads.** One per exporter, so a slow, failing or hung exporter
//!   only fills its own queue. Each export thread suppresses the telemetry
//!   it emits ([`omniscope::suppress_current_thread`]). Exporter panics are
//!   caught there and counted.
//! - **Retries.** Retryable errors are retried with exponential backoff and
//!   full jitter, at least the server's `retry_after`, within
//!   [`PipelineConfig::with_max_retries`] and the export timeout budget.
//! - **Deadlines.** [`Pipeline::flush`] and [`Pipeline::shutdown`] (and the
//!   [`Fanout`] and [`LocalBatcher`] versions) return by their deadline; a
//!   shutdown that gives up abandons the export thread and counts what it
//!   held.
//! - **Self-metrics.** [`PipelineStats::for_each_metric`] yields
//!   `omniscope.exporter.{exported,dropped,errors,retries}` (counters) and
//!   `omniscope.exporter.queue_{length,capacity}` (gauges).
//! - **Immediate exporters.** An exporter that offers an
//!   [`ImmediateExporter`] through [`Exporter::immediate`] (the console's
//!   pretty format) gets no pipeline from the logger and the error handler:
//!   each item is exported on the recording thread before the call returns,
//!   so it is delivered at once and in order; the caller waits for it, and
//!   a failure drops the item (counted), never retried.

mod backoff;
mod batcher;
mod config;
mod deadline;
mod fanout;
#[cfg(feature = "http-client")]
#[cfg_attr(docsrs, doc(cfg(feature = "http-client")))]
pub mod http;
mod immediate;
mod memory;
mod pipeline;
mod stats;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use batcher::LocalBatcher;
pub use config::PipelineConfig;
pub(crate) use deadline::{after as deadline_after, instant_after};
pub use fanout::Fanout;
pub(crate) use immediate::Immediate;
pub use immediate::ImmediateExporter;
pub use memory::{InMemoryExporter, InMemoryHandle};
pub use pipeline::Pipeline;
pub(crate) use pipeline::Recycler;
pub use stats::{DropReason, Dropped, PipelineStats};
pub(crate) use worker::contained;

use crate::errors::ErrorEvent;
use crate::logs::LogData;
use crate::metrics::MetricsSnapshot;
use crate::resource::Resource;
use crate::trace::SpanData;

/// Why an export failed. One type for every signal.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportError {
    /// The exporter was shut down; nothing more is accepted.
    AlreadyShutdown,
    /// The export did not finish within its deadline.
    Timeout,
    /// A transient failure (HTTP 429/502/503/504, gRPC `UNAVAILABLE`): the
    /// pipeline retries with backoff, waiting at least `retry_after` if the
    /// server said so.
    Retryable {
        /// What went wrong.
        message: String,
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// A permanent failure: the batch is dropped and counted.
    Internal(String),
}

impl ExportError {
    /// Whether the pipeline should retry.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ExportError::Retryable { .. } | ExportError::Timeout)
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::AlreadyShutdown => f.write_str("exporter already shut down"),
            ExportError::Timeout => f.write_str("export timed out"),
            ExportError::Retryable {
                message,
                retry_after: Some(after),
            } => {
                write!(
                    f,
                    "export failed, will retry (server asked to wait {after:?}): {message}"
                )
            }
            ExportError::Retryable {
                message,
                retry_after: None,
            } => write!(f, "export failed, will retry: {message}"),
            ExportError::Internal(message) => write!(f, "export failed: {message}"),
        }
    }
}

impl std::error::Error for ExportError {}

/// What an exporter reports for a batch it delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Accepted {
    /// The backend took every item.
    #[default]
    All,
    /// The backend took the batch but rejected some items (OTLP partial
    /// success); they are counted as dropped with reason `rejected`.
    Partial {
        /// How many items the backend rejected.
        rejected: u64,
    },
}

/// The items of one export call: chunks handed over by the recording
/// threads, shared by every exporter of the signal without copying.
#[derive(Debug)]
pub struct Batch<T> {
    chunks: Vec<Arc<[T]>>,
    len: usize,
}

impl<T> Batch<T> {
    /// A batch of these chunks.
    pub fn new(chunks: Vec<Arc<[T]>>) -> Batch<T> {
        let len = chunks.iter().map(|c| c.len()).sum();
        Batch { chunks, len }
    }

    /// A batch of one chunk.
    pub fn from_vec(items: Vec<T>) -> Batch<T> {
        Batch::new(vec![Arc::from(items)])
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The chunks.
    pub fn chunks(&self) -> &[Arc<[T]>] {
        &self.chunks
    }
}

/// A destination for batches of one kind of item. It runs on its
/// pipeline's dedicated thread, so it may block (within the export
/// timeout) and needs no interior mutability.
///
/// Implement it for [`SpanData`], [`LogData`], [`MetricsSnapshot`] or
/// [`ErrorEvent`]; the aliases [`SpanExporter`], [`LogExporter`],
/// [`MetricExporter`] and [`ErrorReporter`] name those cases.
pub trait Exporter<T>: Send {
    /// A short name for self-metrics and diagnostics (`"otlp"`, `"zipkin"`).
    fn name(&self) -> &str;

    /// Delivers one batch. Return [`ExportError::Retryable`] for failures
    /// worth retrying; the pipeline handles retries and deadlines.
    ///
    /// # Errors
    /// Whatever prevented delivery.
    fn export(&mut self, batch: &Batch<T>, resource: &Resource) -> Result<Accepted, ExportError>;

    /// Delivers anything the exporter buffers itself, by `deadline`.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed.
    fn flush(&mut self, deadline: Instant) -> Result<(), ExportError> {
        let _ = deadline;
        Ok(())
    }

    /// Releases resources; called once, after the last export.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed.
    fn shutdown(&mut self, deadline: Instant) -> Result<(), ExportError> {
        let _ = deadline;
        Ok(())
    }

    /// This exporter's immediate form, if it takes each item at once, on
    /// the thread that recorded it, instead of in batches on a pipeline
    /// thread. Default `None`. Asked once, when the exporter is added; an
    /// exporter that offers one is then used only through it.
    ///
    /// The logger ([`SdkLogger`](crate::logs::SdkLogger)) and the error
    /// handler ([`SdkErrors`](crate::errors::SdkErrors)) honour it: each
    /// item reaches the [`ImmediateExporter`] before the recording call
    /// returns, so items arrive in the order they were recorded, across
    /// threads too. The caller waits while the exporter works, and nothing
    /// is queued or retried: a failure drops the item (counted,
    /// `export_failed`). Only for fast, local exporters in development (the
    /// console's pretty format); spans and metrics are always batched.
    fn immediate(&self) -> Option<Arc<dyn ImmediateExporter<T>>> {
        None
    }

    /// Whether this error reporter wants a backtrace of the handling site.
    /// Default `false`. Asked once, when the reporter is added; when one
    /// asks, [`SdkErrors`](crate::errors::SdkErrors) captures
    /// [`std::backtrace::Backtrace::capture`] for each handled error (a
    /// no-op unless `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` enable it) and
    /// hands it over unresolved in
    /// [`ErrorEvent::handling_backtrace`](crate::errors::ErrorEvent::handling_backtrace),
    /// so that symbols are resolved on the reporter's thread, not the caller's.
    fn wants_backtraces(&self) -> bool {
        false
    }
}

impl<T, E: Exporter<T> + ?Sized> Exporter<T> for Box<E> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn export(&mut self, batch: &Batch<T>, resource: &Resource) -> Result<Accepted, ExportError> {
        (**self).export(batch, resource)
    }
    fn flush(&mut self, deadline: Instant) -> Result<(), ExportError> {
        (**self).flush(deadline)
    }
    fn shutdown(&mut self, deadline: Instant) -> Result<(), ExportError> {
        (**self).shutdown(deadline)
    }
    fn immediate(&self) -> Option<Arc<dyn ImmediateExporter<T>>> {
        (**self).immediate()
    }
    fn wants_backtraces(&self) -> bool {
        (**self).wants_backtraces()
    }
}

/// An exporter of finished spans.
pub trait SpanExporter: Exporter<SpanData> {}
impl<E: Exporter<SpanData> + ?Sized> SpanExporter for E {}

/// An exporter of log records.
pub trait LogExporter: Exporter<LogData> {}
impl<E: Exporter<LogData> + ?Sized> LogExporter for E {}

/// A push exporter of metric snapshots (see [`crate::metrics`] for the pull reader).
pub trait MetricExporter: Exporter<MetricsSnapshot> {}
impl<E: Exporter<MetricsSnapshot> + ?Sized> MetricExporter for E {}

/// A destination for handled errors and panics.
pub trait ErrorReporter: Exporter<ErrorEvent> {}
impl<E: Exporter<ErrorEvent> + ?Sized> ErrorReporter for E {}
