//! [`PipelineStats`]: what a pipeline did, as counters and self-metrics.

use crate::sync::lock;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Why items were dropped instead of exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The queue could not take the chunk (the exporter is slow or down).
    QueueFull,
    /// The export failed permanently, or retries ran out (count, export
    /// timeout budget, or shutdown deadline), or the exporter panicked.
    ExportFailed,
    /// The backend took the batch but rejected these items (partial success).
    Rejected,
    /// Pushed after shutdown, or still queued when shutdown hit its deadline.
    Shutdown,
}

impl DropReason {
    /// Every reason, in label order.
    pub const ALL: [DropReason; 4] = [
        DropReason::QueueFull,
        DropReason::ExportFailed,
        DropReason::Rejected,
        DropReason::Shutdown,
    ];

    /// The `reason` label value: `queue_full`, `export_failed`, `rejected`,
    /// `shutdown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::ExportFailed => "export_failed",
            DropReason::Rejected => "rejected",
            DropReason::Shutdown => "shutdown",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Dropped item counts, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// `reason="queue_full"`.
    pub queue_full: u64,
    /// `reason="export_failed"`.
    pub export_failed: u64,
    /// `reason="rejected"`.
    pub rejected: u64,
    /// `reason="shutdown"`.
    pub shutdown: u64,
}

impl Dropped {
    /// The count for `reason`.
    pub fn get(&self, reason: DropReason) -> u64 {
        match reason {
            DropReason::QueueFull => self.queue_full,
            DropReason::ExportFailed => self.export_failed,
            DropReason::Rejected => self.rejected,
            DropReason::Shutdown => self.shutdown,
        }
    }

    /// All reasons together.
    pub fn total(&self) -> u64 {
        self.queue_full + self.export_failed + self.rejected + self.shutdown
    }
}

/// A snapshot of one pipeline's counters (from
/// [`Pipeline::stats`](super::Pipeline::stats)).
///
/// Every item handed to the pipeline is, at any moment, in exactly one
/// place: `produced = exported + dropped.total() + queued + in_flight`.
/// After `shutdown` returns, `queued` and `in_flight` are zero, so
/// `produced = exported + dropped.total()`.
///
/// # Self-metrics
///
/// [`for_each_metric`](PipelineStats::for_each_metric) yields these, all
/// labelled `signal` and `exporter` (the exporter's [`name`](super::Exporter::name)):
///
/// | name | type | unit | extra labels | value | in Prometheus |
/// |---|---|---|---|---|---|
/// | `omniscope.exporter.exported` | counter | `{item}` | | items the backend accepted | `omniscope_exporter_exported_total` |
/// | `omniscope.exporter.dropped` | counter | `{item}` | `reason` (`queue_full`, `export_failed`, `rejected`, `shutdown`) | items dropped | `omniscope_exporter_dropped_total` |
/// | `omniscope.exporter.errors` | counter | `{attempt}` | | failed export attempts (errors and panics, retried or not) | `omniscope_exporter_errors_total` |
/// | `omniscope.exporter.retries` | counter | `{retry}` | | retries | `omniscope_exporter_retries_total` |
/// | `omniscope.exporter.queue_length` | gauge | `{item}` | | items waiting in the queue | `omniscope_exporter_queue_length` |
/// | `omniscope.exporter.queue_capacity` | gauge | `{item}` | | the queue capacity | `omniscope_exporter_queue_capacity` |
///
/// Named as OpenTelemetry names metrics (see [`omniscope::metrics::names`]).
///
/// ```
/// # use omniscope_sdk::export::PipelineStats;
/// # fn emit(_: &str, _: &[(&str, &str)], _: f64) {}
/// # let stats = PipelineStats::default();
/// stats.for_each_metric(|name, labels, value, is_counter| {
///     // register `name` as a counter or gauge, then set it
///     emit(name, labels, value);
/// });
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineStats {
    /// The signal (`"traces"`, `"logs"`, `"metrics"`, `"errors"`).
    pub signal: &'static str,
    /// The exporter's name.
    pub exporter: String,
    /// Items waiting in the queue now.
    pub queued: u64,
    /// Items in the batch being exported now.
    pub in_flight: u64,
    /// The queue capacity, in items.
    pub capacity: u64,
    /// Items handed to the pipeline since the start: accepted into the
    /// queue, or refused on the way in (`queue_full`, `shutdown`).
    pub produced: u64,
    /// Items accepted into the queue since the start.
    pub accepted: u64,
    /// Items the backend accepted.
    pub exported: u64,
    /// Items dropped, by reason.
    pub dropped: Dropped,
    /// Failed export attempts (errors and panics), retried or not.
    pub errors: u64,
    /// Retries of failed batches.
    pub retries: u64,
    /// The last export, flush or shutdown failure, for diagnostics.
    pub last_error: Option<String>,
}

impl PipelineStats {
    /// `omniscope.exporter.exported`.
    pub const EXPORTED: &'static str = "omniscope.exporter.exported";
    /// `omniscope.exporter.dropped`.
    pub const DROPPED: &'static str = "omniscope.exporter.dropped";
    /// `omniscope.exporter.errors`.
    pub const ERRORS: &'static str = "omniscope.exporter.errors";
    /// `omniscope.exporter.retries`.
    pub const RETRIES: &'static str = "omniscope.exporter.retries";
    /// `omniscope.exporter.queue_length`.
    pub const QUEUE_LENGTH: &'static str = "omniscope.exporter.queue_length";
    /// `omniscope.exporter.queue_capacity`.
    pub const QUEUE_CAPACITY: &'static str = "omniscope.exporter.queue_capacity";

    /// Calls `f(name, labels, value, is_counter)` for each self-metric (see
    /// the table above), so registering them is one loop.
    pub fn for_each_metric(&self, mut f: impl FnMut(&str, &[(&str, &str)], f64, bool)) {
        let base = [
            ("signal", self.signal),
            ("exporter", self.exporter.as_str()),
        ];
        f(Self::EXPORTED, &base, self.exported as f64, true);
        for reason in DropReason::ALL {
            let labels = [base[0], base[1], ("reason", reason.as_str())];
            f(
                Self::DROPPED,
                &labels,
                self.dropped.get(reason) as f64,
                true,
            );
        }
        f(Self::ERRORS, &base, self.errors as f64, true);
        f(Self::RETRIES, &base, self.retries as f64, true);
        f(Self::QUEUE_LENGTH, &base, self.queued as f64, false);
        f(Self::QUEUE_CAPACITY, &base, self.capacity as f64, false);
    }
}

/// The live counters behind [`PipelineStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) queued: AtomicU64,
    pub(crate) in_flight: AtomicU64,
    pub(crate) accepted: AtomicU64,
    /// Items refused on the way in (counted in `dropped` as well).
    refused: AtomicU64,
    pub(crate) exported: AtomicU64,
    dropped: [AtomicU64; 4],
    pub(crate) errors: AtomicU64,
    pub(crate) retries: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub(crate) fn drop_items(&self, reason: DropReason, n: u64) {
        Counters::add(&self.dropped[reason.index()], n);
    }

    /// Counts items dropped before they entered the queue.
    pub(crate) fn refuse(&self, reason: DropReason, n: u64) {
        self.drop_items(reason, n);
        Counters::add(&self.refused, n);
    }

    pub(crate) fn set_last_error(&self, error: String) {
        *lock(&self.last_error) = Some(error);
    }

    pub(crate) fn snapshot(
        &self,
        signal: &'static str,
        exporter: &str,
        capacity: usize,
    ) -> PipelineStats {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let accepted = load(&self.accepted);
        PipelineStats {
            signal,
            exporter: exporter.to_owned(),
            queued: load(&self.queued),
            in_flight: load(&self.in_flight),
            capacity: capacity as u64,
            produced: accepted + load(&self.refused),
            accepted,
            exported: load(&self.exported),
            dropped: Dropped {
                queue_full: load(&self.dropped[DropReason::QueueFull.index()]),
                export_failed: load(&self.dropped[DropReason::ExportFailed.index()]),
                rejected: load(&self.dropped[DropReason::Rejected.index()]),
                shutdown: load(&self.dropped[DropReason::Shutdown.index()]),
            },
            errors: load(&self.errors),
            retries: load(&self.retries),
            last_error: lock(&self.last_error).clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_cover_every_reason() {
        let counters = Counters::default();
        counters.refuse(DropReason::QueueFull, 3);
        counters.drop_items(DropReason::Shutdown, 2);
        Counters::add(&counters.accepted, 12);
        Counters::add(&counters.exported, 10);
        let stats = counters.snapshot("traces", "otlp", 64);
        assert_eq!(stats.dropped.total(), 5);
        assert_eq!(stats.produced, stats.exported + stats.dropped.total());
        let mut seen = Vec::new();
        stats.for_each_metric(|name, labels, value, is_counter| {
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            seen.push(format!(
                "{name}{{{}}} {value} {is_counter}",
                labels.join(",")
            ));
        });
        assert_eq!(
            seen,
            [
                "omniscope.exporter.exported{signal=traces,exporter=otlp} 10 true",
                "omniscope.exporter.dropped{signal=traces,exporter=otlp,reason=queue_full} 3 true",
                "omniscope.exporter.dropped{signal=traces,exporter=otlp,reason=export_failed} 0 true",
                "omniscope.exporter.dropped{signal=traces,exporter=otlp,reason=rejected} 0 true",
                "omniscope.exporter.dropped{signal=traces,exporter=otlp,reason=shutdown} 2 true",
                "omniscope.exporter.errors{signal=traces,exporter=otlp} 0 true",
                "omniscope.exporter.retries{signal=traces,exporter=otlp} 0 true",
                "omniscope.exporter.queue_length{signal=traces,exporter=otlp} 0 false",
                "omniscope.exporter.queue_capacity{signal=traces,exporter=otlp} 64 false",
            ]
        );
    }
}
