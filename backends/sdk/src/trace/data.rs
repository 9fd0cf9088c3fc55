//! [`SpanData`]: a finished span, as exporters receive it.

use std::borrow::Cow;
use std::time::SystemTime;

use omniscope::trace::SpanSite;
use omniscope::{SpanContext, SpanId, SpanKind, Status};

use crate::attributes::Attributes;

/// A finished span.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SpanData {
    /// Trace id, span id, flags and `tracestate`.
    pub context: SpanContext,
    /// The parent's span id, if the span has a parent.
    pub parent_span_id: Option<SpanId>,
    /// Whether the parent is in another process.
    pub parent_is_remote: bool,
    /// The name (the site's unless renamed).
    pub name: Cow<'static, str>,
    /// The kind.
    pub kind: SpanKind,
    /// The static call site: target, source location, function.
    pub site: &'static SpanSite,
    /// When it started.
    pub start_time: SystemTime,
    /// When it ended.
    pub end_time: SystemTime,
    /// Its attributes (after limits).
    pub attributes: Attributes,
    /// Its events (after limits).
    pub events: Vec<SpanEvent>,
    /// Its links (after limits).
    pub links: Vec<SpanLink>,
    /// Its status.
    pub status: Status,
    /// Attributes cut by the limits.
    pub dropped_attributes: u32,
    /// Events cut by the limits.
    pub dropped_events: u32,
    /// Links cut by the limits.
    pub dropped_links: u32,
}

impl SpanData {
    /// A span with no content, allocating nothing: what stays behind in a
    /// chunk when the tail rule moves its spans out.
    pub(crate) fn placeholder() -> SpanData {
        SpanData::new(
            SpanContext::new(
                omniscope::TraceId::INVALID,
                SpanId::INVALID,
                omniscope::TraceFlags::NOT_SAMPLED,
            ),
            Cow::Borrowed(""),
        )
    }

    /// A span with these ids and this name, and nothing else yet (no
    /// parent, kind internal, an empty site, both times at the Unix epoch,
    /// no attributes, events or links, status unset): for a backend that
    /// receives spans from elsewhere (such as the dashboard's OTLP
    /// receiver) and fills the public fields.
    pub fn new(context: SpanContext, name: Cow<'static, str>) -> SpanData {
        static SITE: SpanSite = SpanSite::new("", "", "", 0);
        SpanData {
            context,
            parent_span_id: None,
            parent_is_remote: false,
            name,
            kind: SpanKind::Internal,
            site: &SITE,
            start_time: SystemTime::UNIX_EPOCH,
            end_time: SystemTime::UNIX_EPOCH,
            attributes: Attributes::new(),
            events: Vec::new(),
            links: Vec::new(),
            status: Status::Unset,
            dropped_attributes: 0,
            dropped_events: 0,
            dropped_links: 0,
        }
    }
}

/// A timestamped event inside a span.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SpanEvent {
    /// The event name (`exception`, `panic`, or the application's).
    pub name: Cow<'static, str>,
    /// When it happened.
    pub time: SystemTime,
    /// Its attributes (after limits).
    pub attributes: Attributes,
    /// Attributes cut by the per-event limit.
    pub dropped_attributes: u32,
}

/// A link to another span.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SpanLink {
    /// The linked span.
    pub context: SpanContext,
    /// The link's attributes (after limits).
    pub attributes: Attributes,
    /// Attributes cut by the per-link limit.
    pub dropped_attributes: u32,
}

impl SpanEvent {
    /// An event, for a backend that receives spans from elsewhere (see
    /// [`SpanData::new`]).
    pub fn new(name: Cow<'static, str>, time: SystemTime, attributes: Attributes) -> SpanEvent {
        SpanEvent {
            name,
            time,
            attributes,
            dropped_attributes: 0,
        }
    }
}

impl SpanLink {
    /// A link, for a backend that receives spans from elsewhere (see
    /// [`SpanData::new`]).
    pub fn new(context: SpanContext, attributes: Attributes) -> SpanLink {
        SpanLink {
            context,
            attributes,
            dropped_attributes: 0,
        }
    }
}
