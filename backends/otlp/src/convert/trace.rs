//! Spans → `ExportTraceServiceRequest`.

use omniscope::{SpanContext, SpanKind, Status};
use omniscope_sdk::trace::{SpanData, SpanEvent, SpanLink};
use omniscope_sdk::Resource;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::{
    self as proto, span, status, ResourceSpans, ScopeSpans,
};

use super::common::{attributes, group_by_scope, resource, scope, unix_nanos};

/// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`: the next bit says whether the
/// parent (or linked span) is remote.
const HAS_IS_REMOTE: u32 = 0x100;
/// `SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`.
const IS_REMOTE: u32 = 0x200;

/// One request holding `spans` of `resource`, one scope per target.
pub(crate) fn trace_request<'a>(
    spans: impl Iterator<Item = &'a SpanData>,
    res: &Resource,
) -> ExportTraceServiceRequest {
    let scope_spans = group_by_scope(spans, |s| s.site.target(), span)
        .into_iter()
        .map(|(name, spans)| ScopeSpans {
            scope: Some(scope(name)),
            spans,
            schema_url: String::new(),
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(resource(res)),
            scope_spans,
            schema_url: String::new(),
        }],
    }
}

pub(super) fn span(s: &SpanData) -> proto::Span {
    let parent = s.parent_span_id.filter(|id| id.is_valid());
    proto::Span {
        trace_id: s.context.trace_id().to_bytes().to_vec(),
        span_id: s.context.span_id().to_bytes().to_vec(),
        trace_state: s.context.trace_state().header(),
        parent_span_id: parent.map(|id| id.to_bytes().to_vec()).unwrap_or_default(),
        flags: flags(&s.context, parent.map(|_| s.parent_is_remote)),
        name: s.name.to_string(),
        kind: kind(s.kind) as i32,
        start_time_unix_nano: unix_nanos(s.start_time),
        end_time_unix_nano: unix_nanos(s.end_time),
        attributes: attributes(&s.attributes),
        dropped_attributes_count: s.dropped_attributes,
        events: s.events.iter().map(event).collect(),
        dropped_events_count: s.dropped_events,
        links: s.links.iter().map(link).collect(),
        dropped_links_count: s.dropped_links,
        status: status(&s.status),
    }
}

/// The W3C trace flags in the low byte, and whether the parent (or linked
/// span) is remote when that is known.
fn flags(context: &SpanContext, remote: Option<bool>) -> u32 {
    let w3c = u32::from(context.flags().to_u8());
    match remote {
        Some(true) => w3c | HAS_IS_REMOTE | IS_REMOTE,
        Some(false) => w3c | HAS_IS_REMOTE,
        None => w3c,
    }
}

pub(super) fn kind(kind: SpanKind) -> span::SpanKind {
    match kind {
        SpanKind::Internal => span::SpanKind::Internal,
        SpanKind::Server => span::SpanKind::Server,
        SpanKind::Client => span::SpanKind::Client,
        SpanKind::Producer => span::SpanKind::Producer,
        SpanKind::Consumer => span::SpanKind::Consumer,
    }
}

/// `None` for an unset status: the field's absence means unset.
fn status(s: &Status) -> Option<proto::Status> {
    let (code, message) = match s {
        Status::Unset => return None,
        Status::Ok => (status::StatusCode::Ok, String::new()),
        Status::Error(description) => (status::StatusCode::Error, description.to_string()),
    };
    Some(proto::Status {
        message,
        code: code as i32,
    })
}

fn event(e: &SpanEvent) -> span::Event {
    span::Event {
        time_unix_nano: unix_nanos(e.time),
        name: e.name.to_string(),
        attributes: attributes(&e.attributes),
        dropped_attributes_count: e.dropped_attributes,
    }
}

fn link(l: &SpanLink) -> span::Link {
    span::Link {
        trace_id: l.context.trace_id().to_bytes().to_vec(),
        span_id: l.context.span_id().to_bytes().to_vec(),
        trace_state: l.context.trace_state().header(),
        attributes: attributes(&l.attributes),
        dropped_attributes_count: l.dropped_attributes,
        flags: flags(&l.context, Some(l.context.is_remote())),
    }
}
