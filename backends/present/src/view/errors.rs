//! `/api/errors`: recent handled errors and panics, newest first, with
//! their source chain and backtrace.

use omniscope::{ErrorKind, TraceId};
use omniscope_sdk::errors::ErrorEvent;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::logs::PinnedView;
use super::values::{attributes, unix_ms};
use crate::store::{ErrorGroup, ErrorGroups, Pinned, Ring};

/// Which errors to list.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorQuery {
    /// Errors reported in this trace.
    pub(crate) trace: Option<TraceId>,
    /// Errors of this type.
    pub(crate) type_name: Option<String>,
    /// Errors reported at this site (`file:line`).
    pub(crate) site: Option<String>,
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
    /// Errors the ring forgot to make room (since the start).
    evicted: u64,
    /// When the oldest error kept in the ring was reported.
    oldest_ms: Option<f64>,
    /// Errors of the slowest and failed traces kept past the ring.
    pinned: PinnedView,
    /// Every error since the start by type and site, most recent first.
    groups: Vec<GroupView>,
    /// Errors of groups past the most counted.
    ungrouped: u64,
}

#[derive(Debug, Serialize)]
struct GroupView {
    kind: &'static str,
    #[serde(rename = "type")]
    type_name: String,
    /// Where it was reported, `file:line`.
    site: Option<String>,
    /// The latest message.
    message: String,
    count: u64,
    first_ms: f64,
    last_ms: f64,
    /// Traces it happened in, newest first.
    traces: Vec<String>,
}

impl GroupView {
    fn of(g: &ErrorGroup) -> GroupView {
        GroupView {
            kind: kind(g.kind),
            type_name: g.type_name.clone(),
            site: g.location.clone(),
            message: g.message.clone(),
            count: g.count,
            first_ms: unix_ms(g.first_seen),
            last_ms: unix_ms(g.last_seen),
            traces: g.traces.iter().rev().map(|t| t.to_string()).collect(),
        }
    }
}

fn kind(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Handled => "handled",
        ErrorKind::Panic => "panic",
    }
}

impl ErrorQuery {
    fn matches(&self, e: &ErrorEvent) -> bool {
        self.trace.is_none_or(|t| e.trace_id == Some(t))
            && self.type_name.as_ref().is_none_or(|t| e.type_name() == t)
            && self
                .site
                .as_ref()
                .is_none_or(|s| e.location.as_ref() == Some(s))
    }
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
    /// The errors of `ring` that `query` matches, and those of `pinned`
    /// too when it asks for one trace, newest first; with the groups.
    pub(crate) fn of(
        ring: &Ring<ErrorEvent>,
        pinned: &Pinned<ErrorEvent>,
        groups: &ErrorGroups,
        query: &ErrorQuery,
    ) -> ErrorList {
        let mut errors: Vec<&ErrorEvent> = ring
            .newest_first()
            .filter(|e| query.matches(e))
            .take(query.limit)
            .collect();
        if let Some(trace) = &query.trace {
            errors.extend(pinned.of(trace).filter(|e| query.matches(e)));
            errors.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
            errors.truncate(query.limit);
        }
        ErrorList {
            errors: errors.into_iter().map(ErrorView::of).collect(),
            kept: ring.len(),
            capacity: ring.capacity(),
            received: ring.pushed(),
            evicted: ring.pushed().saturating_sub(ring.len() as u64),
            oldest_ms: ring.oldest().map(|e| unix_ms(e.timestamp)),
            pinned: PinnedView::of(pinned),
            groups: groups
                .newest_first()
                .into_iter()
                .map(GroupView::of)
                .collect(),
            ungrouped: groups.ungrouped(),
        }
    }
}

impl ErrorView {
    fn of(e: &ErrorEvent) -> ErrorView {
        ErrorView {
            time_ms: unix_ms(e.timestamp),
            kind: kind(e.kind),
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
