//! [`State`]: everything the exporters store and the server reads, shared
//! behind locks. Exporters write from the SDK's pipeline threads and the
//! server reads from its own thread, so the application's threads never
//! wait on these locks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;

use crate::capture::Captures;
use crate::history::MetricHistory;
use crate::store::{ErrorGroups, Pinned, Ring, TraceStore};

/// The dashboard's data.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) traces: Mutex<TraceStore>,
    pub(crate) logs: Mutex<Ring<LogData>>,
    pub(crate) errors: Mutex<Ring<ErrorEvent>>,
    /// Logs of pinned traces that the recent ring forgot. Lock order:
    /// `traces` before this one.
    pub(crate) pinned_logs: Mutex<Pinned<LogData>>,
    /// Errors of pinned traces that the recent ring forgot. Lock order:
    /// `traces` before this one.
    pub(crate) pinned_errors: Mutex<Pinned<ErrorEvent>>,
    pub(crate) error_groups: Mutex<ErrorGroups>,
    pub(crate) captures: Captures,
    pub(crate) history: Mutex<MetricHistory>,
    pub(crate) started: SystemTime,
    /// The longest string kept or shown, in bytes (see [`crate::truncate`]).
    pub(crate) max_string_len: usize,
    /// Strings cut to `max_string_len` in what the stores kept.
    pub(crate) strings_truncated: AtomicU64,
    /// OTLP requests the receiver took (all their spans and records kept).
    pub(crate) otlp_accepted: AtomicU64,
    /// OTLP requests the receiver refused (malformed, too large, not
    /// allowed): nothing of them was kept.
    pub(crate) otlp_refused: AtomicU64,
}

impl State {
    /// Counts `n` more strings cut in what the stores kept.
    pub(crate) fn count_truncated(&self, n: u64) {
        if n > 0 {
            self.strings_truncated.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// Locks going on after a panic elsewhere: every store stays consistent
/// between statements, and the dashboard must keep working.
pub(crate) use omniscope::sync::lock;
