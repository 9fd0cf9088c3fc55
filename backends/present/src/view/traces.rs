//! `/api/traces` and `/api/traces/{trace_id}`: trace summaries, and one
//! trace's spans in tree order with their depth, for the waterfall.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use omniscope::{SpanId, Status};
use omniscope_sdk::trace::{SpanData, SpanEvent, SpanLink};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::values::{attributes, ms, unix_ms};
use crate::store::{is_error, span_duration, StoredTrace, TraceStore, TraceStoreStats};

/// Which traces `/api/traces` lists as `matching` (every condition given
/// must hold).
#[derive(Clone, Debug, Default)]
pub(crate) struct TraceQuery {
    /// The root's name contains this, ignoring case.
    pub(crate) root: Option<String>,
    /// A span ran in this instrumented function (its qualified name).
    pub(crate) function: Option<String>,
    /// The trace lasted at least this long, in milliseconds.
    pub(crate) min_ms: Option<f64>,
    /// A span failed.
    pub(crate) errors: bool,
    /// A span has attribute `.0`, with the value `.1` (as text) if given.
    pub(crate) attr: Option<(String, Option<String>)>,
    /// At most this many in each list.
    pub(crate) limit: usize,
}

impl TraceQuery {
    fn matches(&self, trace: &StoredTrace, summary: &TraceSummary) -> bool {
        let root = self.root.as_ref().map(|r| r.to_lowercase());
        root.is_none_or(|r| {
            summary
                .root
                .as_ref()
                .is_some_and(|name| name.to_lowercase().contains(&r))
        }) && self.min_ms.is_none_or(|min| summary.duration_ms >= min)
            && (!self.errors || summary.errors > 0)
            && self.function.as_ref().is_none_or(|f| {
                trace
                    .spans
                    .iter()
                    .any(|s| s.site.function() == Some(f.as_str()))
            })
            && self.attr.as_ref().is_none_or(|(key, want)| {
                trace.spans.iter().any(|s| {
                    s.attributes
                        .iter()
                        .any(|(k, v)| k == key && want.as_ref().is_none_or(|w| v.to_string() == *w))
                })
            })
    }
}

/// One line of a trace list.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TraceSummary {
    pub(crate) trace_id: String,
    /// The local root's name, else the earliest span's (while incomplete).
    pub(crate) root: Option<String>,
    /// Whether the local root has ended.
    pub(crate) complete: bool,
    pub(crate) start_ms: f64,
    pub(crate) duration_ms: f64,
    pub(crate) span_count: usize,
    pub(crate) dropped_spans: u64,
    /// Spans with an error status.
    pub(crate) errors: usize,
}

impl TraceSummary {
    pub(crate) fn of(trace: &StoredTrace) -> TraceSummary {
        let earliest = trace.spans.iter().min_by_key(|s| s.start_time);
        TraceSummary {
            trace_id: trace.trace_id.to_string(),
            root: trace.root().or(earliest).map(|s| s.name.to_string()),
            complete: trace.is_complete(),
            start_ms: unix_ms(trace.start().unwrap_or(SystemTime::UNIX_EPOCH)),
            duration_ms: ms(trace.duration()),
            span_count: trace.spans.len(),
            dropped_spans: trace.dropped_spans,
            errors: trace.spans.iter().filter(|s| is_error(s)).count(),
        }
    }
}

/// `/api/traces`.
#[derive(Debug, Serialize)]
pub(crate) struct TraceList {
    /// Newest first.
    recent: Vec<TraceSummary>,
    /// Slowest first.
    slowest: Vec<TraceSummary>,
    /// The latest traces with an error span, newest first.
    failed: Vec<TraceSummary>,
    /// Every trace kept that the filters match, slowest first.
    matching: Vec<TraceSummary>,
    /// How many traces kept match (`matching` holds at most `limit`).
    matched: usize,
    limits: Limits,
    stats: Stats,
}

#[derive(Debug, Serialize)]
struct Limits {
    max_traces: usize,
    max_slowest_traces: usize,
    max_failed_traces: usize,
    max_spans_per_trace: usize,
}

#[derive(Debug, Serialize)]
struct Stats {
    traces: usize,
    spans: usize,
    spans_received: u64,
    spans_dropped: u64,
    traces_evicted: u64,
}

impl TraceList {
    pub(crate) fn of(store: &TraceStore, query: &TraceQuery) -> TraceList {
        let limit = query.limit;
        let l = store.limits();
        let s: TraceStoreStats = store.stats();
        // Spans reach the store in batches, not quite in time order: list
        // the recent traces by start time.
        let mut recent: Vec<TraceSummary> = store.recent().map(TraceSummary::of).collect();
        recent.sort_by(|a, b| b.start_ms.total_cmp(&a.start_ms));
        recent.truncate(limit);
        let mut matching: Vec<TraceSummary> = store
            .all()
            .filter_map(|t| {
                let summary = TraceSummary::of(t);
                query.matches(t, &summary).then_some(summary)
            })
            .collect();
        matching.sort_by(|a, b| b.duration_ms.total_cmp(&a.duration_ms));
        let matched = matching.len();
        matching.truncate(limit);
        TraceList {
            recent,
            failed: store.failed().take(limit).map(TraceSummary::of).collect(),
            matching,
            matched,
            slowest: store
                .slowest()
                .into_iter()
                .take(limit)
                .map(TraceSummary::of)
                .collect(),
            limits: Limits {
                max_traces: l.max_traces,
                max_slowest_traces: l.max_slowest,
                max_failed_traces: l.max_failed,
                max_spans_per_trace: l.max_spans_per_trace,
            },
            stats: Stats {
                traces: s.traces,
                spans: s.spans,
                spans_received: s.spans_received,
                spans_dropped: s.spans_dropped,
                traces_evicted: s.traces_evicted,
            },
        }
    }
}

/// `/api/traces/{trace_id}` (and what a capture returns).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TraceDetail {
    #[serde(flatten)]
    pub(crate) summary: TraceSummary,
    /// Tree order: each span followed by its children, by start time.
    pub(crate) spans: Vec<SpanView>,
}

/// One span of a trace, placed for the waterfall.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SpanView {
    span_id: String,
    parent_span_id: Option<String>,
    parent_is_remote: bool,
    name: String,
    kind: &'static str,
    target: &'static str,
    function: Option<&'static str>,
    file: &'static str,
    line: u32,
    start_ms: f64,
    end_ms: f64,
    /// From the trace's start.
    offset_ms: f64,
    duration_ms: f64,
    /// 0 for spans without a parent in the trace, then one more per level.
    depth: usize,
    status: &'static str,
    status_message: Option<String>,
    attributes: Map<String, Json>,
    events: Vec<EventView>,
    links: Vec<LinkView>,
    dropped_attributes: u32,
    dropped_events: u32,
    dropped_links: u32,
}

#[derive(Clone, Debug, Serialize)]
struct EventView {
    name: String,
    time_ms: f64,
    offset_ms: f64,
    attributes: Map<String, Json>,
}

#[derive(Clone, Debug, Serialize)]
struct LinkView {
    trace_id: String,
    span_id: String,
    attributes: Map<String, Json>,
}

impl TraceDetail {
    pub(crate) fn of(trace: &StoredTrace) -> TraceDetail {
        let summary = TraceSummary::of(trace);
        let origin = trace.start().unwrap_or(SystemTime::UNIX_EPOCH);
        let spans = tree_order(&trace.spans)
            .into_iter()
            .map(|(span, depth)| SpanView::of(span, depth, origin))
            .collect();
        TraceDetail { summary, spans }
    }
}

impl SpanView {
    fn of(s: &SpanData, depth: usize, origin: SystemTime) -> SpanView {
        let offset = |t: SystemTime| ms(t.duration_since(origin).unwrap_or_default());
        let (status, status_message) = match &s.status {
            Status::Unset => ("unset", None),
            Status::Ok => ("ok", None),
            Status::Error(m) => ("error", Some(m.to_string())),
        };
        SpanView {
            span_id: s.context.span_id().to_string(),
            parent_span_id: s.parent_span_id.map(|p| p.to_string()),
            parent_is_remote: s.parent_is_remote,
            name: s.name.to_string(),
            kind: s.kind.as_str(),
            target: s.site.target(),
            function: s.site.function(),
            file: s.site.file(),
            line: s.site.line(),
            start_ms: unix_ms(s.start_time),
            end_ms: unix_ms(s.end_time),
            offset_ms: offset(s.start_time),
            duration_ms: ms(span_duration(s)),
            depth,
            status,
            status_message,
            attributes: attributes(&s.attributes),
            events: s.events.iter().map(|e| EventView::of(e, &offset)).collect(),
            links: s.links.iter().map(LinkView::of).collect(),
            dropped_attributes: s.dropped_attributes,
            dropped_events: s.dropped_events,
            dropped_links: s.dropped_links,
        }
    }
}

impl EventView {
    fn of(e: &SpanEvent, offset: &dyn Fn(SystemTime) -> f64) -> EventView {
        EventView {
            name: e.name.to_string(),
            time_ms: unix_ms(e.time),
            offset_ms: offset(e.time),
            attributes: attributes(&e.attributes),
        }
    }
}

impl LinkView {
    fn of(l: &SpanLink) -> LinkView {
        LinkView {
            trace_id: l.context.trace_id().to_string(),
            span_id: l.context.span_id().to_string(),
            attributes: attributes(&l.attributes),
        }
    }
}

/// The spans depth-first (children by start time) with their depth. Spans
/// whose parent is not in the trace start a tree of their own; every span
/// appears once, even with repeated or cyclic ids.
fn tree_order(spans: &[SpanData]) -> Vec<(&SpanData, usize)> {
    let ids: HashSet<SpanId> = spans.iter().map(|s| s.context.span_id()).collect();
    let mut children: HashMap<Option<SpanId>, Vec<&SpanData>> = HashMap::new();
    for s in spans {
        let parent = s
            .parent_span_id
            .filter(|p| ids.contains(p) && *p != s.context.span_id());
        children.entry(parent).or_default().push(s);
    }
    for list in children.values_mut() {
        // Reversed, because the stack below pops from the end.
        list.sort_by_key(|s| std::cmp::Reverse(s.start_time));
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut visited = HashSet::new();
    let mut stack: Vec<(&SpanData, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().map(|s| (*s, 0)).collect())
        .unwrap_or_default();
    while let Some((span, depth)) = stack.pop() {
        let id = span.context.span_id();
        out.push((span, depth));
        if !visited.insert(id) {
            continue;
        }
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().map(|k| (*k, depth + 1)));
        }
    }
    // Spans only reachable through a cycle of parent ids.
    if out.len() < spans.len() {
        let placed: HashSet<*const SpanData> = out.iter().map(|(s, _)| *s as *const _).collect();
        out.extend(
            spans
                .iter()
                .filter(|s| !placed.contains(&(*s as *const _)))
                .map(|s| (s, 0)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::span;

    fn names(order: &[(&SpanData, usize)]) -> Vec<(String, usize)> {
        order
            .iter()
            .map(|(s, d)| (s.name.to_string(), *d))
            .collect()
    }

    #[test]
    fn children_follow_their_parent_by_start_time() {
        let spans = vec![
            span(1, 3, 2, "grandchild", 2, 1),
            span(1, 4, 1, "second", 5, 1),
            span(1, 2, 1, "first", 1, 3),
            span(1, 1, 0, "root", 0, 10),
        ];
        let order = tree_order(&spans);
        assert_eq!(
            names(&order),
            [
                ("root".into(), 0),
                ("first".into(), 1),
                ("grandchild".into(), 2),
                ("second".into(), 1)
            ]
        );
    }

    #[test]
    fn orphans_and_cycles_are_still_shown_once() {
        let spans = vec![
            span(1, 5, 99, "orphan", 1, 1),
            span(1, 6, 7, "a", 1, 1),
            span(1, 7, 6, "b", 1, 1),
        ];
        let order = tree_order(&spans);
        assert_eq!(order.len(), 3);
        assert_eq!(names(&order)[0], ("orphan".into(), 0));
    }
}
