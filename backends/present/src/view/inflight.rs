//! `/api/inflight`: the spans running now, longest-running first.

use omniscope_sdk::trace::InFlightSpan;
use serde::Serialize;

use super::values::{ms, unix_ms};
use crate::truncate;

/// `/api/inflight`.
#[derive(Debug, Serialize)]
pub(crate) struct InFlightList {
    spans: Vec<InFlightView>,
    /// Spans running now (the list may be cut to `limit`).
    total: usize,
}

#[derive(Debug, Serialize)]
struct InFlightView {
    name: String,
    trace_id: String,
    span_id: String,
    function: Option<&'static str>,
    target: &'static str,
    start_ms: f64,
    elapsed_ms: f64,
}

impl InFlightList {
    /// The `limit` longest-running of `spans`, names cut to `max` bytes.
    pub(crate) fn of(mut spans: Vec<InFlightSpan>, limit: usize, max: usize) -> InFlightList {
        spans.sort_by_key(|s| std::cmp::Reverse(s.elapsed));
        InFlightList {
            total: spans.len(),
            spans: spans
                .iter()
                .take(limit)
                .map(|s| InFlightView {
                    name: truncate::text(&s.name, max).into_owned(),
                    trace_id: s.trace_id.to_string(),
                    span_id: s.span_id.to_string(),
                    function: s.site.function(),
                    target: s.site.target(),
                    start_ms: unix_ms(s.start_time),
                    elapsed_ms: ms(s.elapsed),
                })
                .collect(),
        }
    }
}
