//! `/api/errors`: recent handled errors and panics, newest first, with
//! their source chain and backtrace.

use omniscope::{ErrorKind, TraceId};
use omniscope_sdk::errors::ErrorEvent;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::values::{attributes, unix_ms};
use crate::store::Ring;

/// Which errors to list.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorQuery {
    /// Errors reported in this trace.
    pub(crate) trace: Option<TraceId>,
    /// At most this many.
    pub(crate) limit: usize,
}

/// `/api/errors`.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorList {
    errors: Vec<ErrorView>,
    kept: usize,
    capacity: usize,
    received: u64,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    time_ms: f64,
    /// `handled` or `panic`.
    kind: &'static str,
    #[serde(rename = "type")]
    type_name: String,
    message: String,
    /// The error, then each `source()` below it.
    chain: Vec<ChainView>,
    fields: Map<String, Json>,
    trace_id: Option<String>,
    span_id: Option<String>,
    location: Option<String>,
    thread: Option<String>,
    backtrace: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChainView {
    #[serde(rename = "type")]
    type_name: String,
    message: String,
}

impl ErrorList {
    pub(crate) fn of(ring: &Ring<ErrorEvent>, query: &ErrorQuery) -> ErrorList {
        ErrorList {
            errors: ring
                .newest_first()
                .filter(|e| query.trace.is_none_or(|t| e.trace_id == Some(t)))
                .take(query.limit)
                .map(ErrorView::of)
                .collect(),
            kept: ring.len(),
            capacity: ring.capacity(),
            received: ring.pushed(),
        }
    }
}

impl ErrorView {
    fn of(e: &ErrorEvent) -> ErrorView {
        ErrorView {
            time_ms: unix_ms(e.timestamp),
            kind: match e.kind {
                ErrorKind::Handled => "handled",
                ErrorKind::Panic => "panic",
            },
            type_name: e.type_name().to_owned(),
            message: e.message().to_owned(),
            chain: e
                .chain
                .iter()
                .map(|l| ChainView {
                    type_name: l.type_name.clone(),
                    message: l.message.clone(),
                })
                .collect(),
            fields: attributes(&e.fields),
            trace_id: e.trace_id.map(|t| t.to_string()),
            span_id: e.span_id.map(|s| s.to_string()),
            location: e.location.clone(),
            thread: e.thread.clone(),
            backtrace: e.backtrace.clone(),
        }
    }
}
