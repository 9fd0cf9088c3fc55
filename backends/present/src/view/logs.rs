//! `/api/logs`: recent log records, newest first, filtered by level, text
//! and trace id.

use omniscope::{Level, TraceId};
use omniscope_sdk::logs::LogData;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::values::{attributes, level, unix_ms};
use crate::store::Ring;

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
    pub(crate) fn of(ring: &Ring<LogData>, query: &LogQuery) -> LogList {
        let text = query.text.as_ref().map(|t| t.to_lowercase());
        LogList {
            logs: ring
                .newest_first()
                .filter(|l| query.matches(l, text.as_deref()))
                .take(query.limit)
                .map(LogView::of)
                .collect(),
            kept: ring.len(),
            capacity: ring.capacity(),
            received: ring.pushed(),
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
