//! `/api/logs`: recent log records, newest first, filtered by level, text
//! and trace id.

use omniscope::{Level, TraceId};
use omniscope_sdk::logs::LogData;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::values::{attributes, level, unix_ms};
use crate::store::{Pinned, Ring};

/// Which records to list.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogQuery {
    /// Records at least this severe.
    pub(crate) level: Option<Level>,
    /// Records whose message, target or a field value contains this,
    /// ignoring case.
    pub(crate) text: Option<String>,
    /// Records emitted in this trace.
    pub(crate) trace: Option<TraceId>,
    /// At most this many.
    pub(crate) limit: usize,
}

impl LogQuery {
    fn matches(&self, log: &LogData, text: Option<&str>) -> bool {
        self.level
            .is_none_or(|l| (log.level as usize) <= (l as usize))
            && self.trace.is_none_or(|t| log.trace_id == Some(t))
            && text.is_none_or(|t| contains_text(log, t))
    }
}

/// Whether `needle` (lower case) is in the record's message, target or a
/// field value.
fn contains_text(log: &LogData, needle: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(needle);
    has(&log.message)
        || has(&log.target)
        || log
            .fields
            .iter()
            .any(|(k, v)| has(k) || has(&v.to_string()))
}

/// `/api/logs`.
#[derive(Debug, Serialize)]
pub(crate) struct LogList {
    logs: Vec<LogView>,
    /// Records kept now.
    kept: usize,
    capacity: usize,
    /// Records received since the start.
    received: u64,
    /// Records the ring forgot to make room (since the start).
    evicted: u64,
    /// When the oldest record kept in the ring was emitted: a trace that
    /// started before it may have lost records.
    oldest_ms: Option<f64>,
    /// Records of the slowest and failed traces kept past the ring.
    pinned: PinnedView,
}

/// The store of records (or errors) of the traces kept as slowest or failed.
#[derive(Debug, Serialize)]
pub(crate) struct PinnedView {
    kept: usize,
    capacity: usize,
    /// Refused because the store was full.
    dropped: u64,
}

impl PinnedView {
    pub(crate) fn of<T>(p: &Pinned<T>) -> PinnedView {
        PinnedView {
            kept: p.len(),
            capacity: p.capacity(),
            dropped: p.dropped(),
        }
    }
}

#[derive(Debug, Serialize)]
struct LogView {
    time_ms: f64,
    level: &'static str,
    target: String,
    message: String,
    fields: Map<String, Json>,
    trace_id: Option<String>,
    span_id: Option<String>,
    /// `file:line`.
    location: Option<String>,
    module: Option<String>,
}

impl LogList {
    /// The records of `ring` that `query` matches, and those of `pinned`
    /// too when it asks for one trace, newest first.
    pub(crate) fn of(ring: &Ring<LogData>, pinned: &Pinned<LogData>, query: &LogQuery) -> LogList {
        let text = query.text.as_ref().map(|t| t.to_lowercase());
        let mut logs: Vec<&LogData> = ring
            .newest_first()
            .filter(|l| query.matches(l, text.as_deref()))
            .take(query.limit)
            .collect();
        if let Some(trace) = &query.trace {
            logs.extend(
                pinned
                    .of(trace)
                    .filter(|l| query.matches(l, text.as_deref())),
            );
            logs.sort_by_key(|l| std::cmp::Reverse(l.timestamp));
            logs.truncate(query.limit);
        }
        LogList {
            logs: logs.into_iter().map(LogView::of).collect(),
            kept: ring.len(),
            capacity: ring.capacity(),
            received: ring.pushed(),
            evicted: ring.pushed().saturating_sub(ring.len() as u64),
            oldest_ms: ring.oldest().map(|l| unix_ms(l.timestamp)),
            pinned: PinnedView::of(pinned),
        }
    }
}

impl LogView {
    fn of(l: &LogData) -> LogView {
        LogView {
            time_ms: unix_ms(l.timestamp),
            level: level(l.level),
            target: l.target.to_string(),
            message: l.message.clone(),
            fields: attributes(&l.fields),
            trace_id: l.trace_id.map(|t| t.to_string()),
            span_id: l.span_id.map(|s| s.to_string()),
            location: l
                .location
                .as_ref()
                .map(|(_, file, line)| format!("{file}:{line}")),
            module: l.location.as_ref().map(|(module, _, _)| module.to_string()),
        }
    }
}
