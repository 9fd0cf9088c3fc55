//! What a slot holds while its span is open, and how it becomes a
//! [`SpanData`] when collected.
//!
//! Slots are reused: the collector copies the attributes out and clears the
//! slot's lists without freeing them, so a thread that records spans with
//! attributes reuses the same buffers and allocates nothing on its hot path
//! once warm. Rare parts (events, links, status, a new name) live behind
//! one optional box.

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::Duration;

use omniscope::trace::SpanSite;
use omniscope::{SpanContext, SpanId, Status, TraceFlags, TraceId, TraceState};

use super::data::{SpanData, SpanEvent, SpanLink};
use super::recycle::EmptyChunk;
use crate::attributes::Attributes;
use crate::clock::{Calibration, Tick};

/// The site of slots that never held a span.
static EMPTY_SITE: SpanSite = SpanSite::new("", "", "", 0);

/// An open span.
#[derive(Debug)]
pub(crate) struct SlotData {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    /// `SpanId::INVALID` when there is no parent.
    pub(crate) parent_span_id: SpanId,
    pub(crate) flags: TraceFlags,
    pub(crate) parent_is_remote: bool,
    /// [`SpanContext::is_debug`]: exported with the span's context.
    pub(crate) debug: bool,
    pub(crate) trace_state: TraceState,
    pub(crate) site: &'static SpanSite,
    pub(crate) parent_site: Option<&'static SpanSite>,
    pub(crate) name: Cow<'static, str>,
    pub(crate) start: Tick,
    pub(crate) end: Tick,
    pub(crate) attributes: Attributes,
    pub(crate) dropped_attributes: u32,
    pub(crate) extra: Option<Box<Extra>>,
}

/// The rarely used parts of an open span.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub(crate) events: Vec<PendingEvent>,
    pub(crate) links: Vec<SpanLink>,
    pub(crate) status: Status,
    pub(crate) dropped_events: u32,
    pub(crate) dropped_links: u32,
}

/// An event whose time is still a tick.
#[derive(Debug)]
pub(crate) struct PendingEvent {
    pub(crate) name: Cow<'static, str>,
    pub(crate) at: Tick,
    pub(crate) attributes: Attributes,
    pub(crate) dropped_attributes: u32,
}

/// A collected span with what the collector needs besides its data.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) data: SpanData,
    pub(crate) meta: Meta,
}

/// What the collector needs of an ended span besides its [`SpanData`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    pub(crate) parent_site: Option<&'static SpanSite>,
    /// No parent, or a remote one: the span that ends the trace locally.
    pub(crate) local_root: bool,
    pub(crate) error: bool,
}

/// Ended spans: their [`SpanData`] already in export chunks (each built in
/// place by the drain, so a span is written once and never copied), and
/// beside them, in the same order, what the collector needs.
#[derive(Debug, Default)]
pub(crate) struct FinishedBatch {
    pub(crate) chunks: Vec<Arc<[SpanData]>>,
    pub(crate) meta: Vec<Meta>,
    /// Attribute buffers back from the exporters, to copy attributes into.
    pub(crate) spare: Vec<Attributes>,
    /// Emptied chunks back from the exporters, to write spans into.
    pub(crate) spare_chunks: Vec<EmptyChunk>,
}

impl FinishedBatch {
    pub(crate) fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    /// The spans, in the order of `meta`.
    pub(crate) fn spans(&self) -> impl Iterator<Item = &SpanData> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }
}

impl SlotData {
    pub(crate) fn empty() -> SlotData {
        SlotData {
            trace_id: TraceId::INVALID,
            span_id: SpanId::INVALID,
            parent_span_id: SpanId::INVALID,
            flags: TraceFlags::NOT_SAMPLED,
            parent_is_remote: false,
            debug: false,
            trace_state: TraceState::new(),
            site: &EMPTY_SITE,
            parent_site: None,
            name: Cow::Borrowed(""),
            start: Tick::default(),
            end: Tick::default(),
            attributes: Attributes::new(),
            dropped_attributes: 0,
            extra: None,
        }
    }

    pub(crate) fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Sets the status as OpenTelemetry says: `Unset` is ignored, `Ok` is
    /// final, a later error replaces an earlier one.
    pub(crate) fn set_status(&mut self, status: &Status) {
        match status {
            Status::Unset => {}
            _ if self.extra.as_ref().is_some_and(|e| e.status == Status::Ok) => {}
            other => self.extra().status = other.clone(),
        }
    }

    /// The span's attributes, moved out: the slot keeps recording into a
    /// buffer the exporters gave back, or (none at hand) into a new one
    /// when its next span has attributes.
    fn take_attributes(&mut self, spare: &mut Vec<Attributes>) -> Attributes {
        if self.attributes.is_empty() {
            return Attributes::new();
        }
        let fresh = spare.pop().unwrap_or_default();
        std::mem::replace(&mut self.attributes, fresh)
    }

    /// Writes the ended span's data to `out`, leaving the slot reset for
    /// reuse; what the collector needs besides goes to `meta`. The slot
    /// keeps recording into an attribute buffer from `spare` when there is
    /// one.
    pub(crate) fn take(
        &mut self,
        cal: &Calibration,
        meta: &mut Vec<Meta>,
        spare: &mut Vec<Attributes>,
        out: &mut MaybeUninit<SpanData>,
    ) {
        let parent_span_id = self
            .parent_span_id
            .is_valid()
            .then_some(self.parent_span_id);
        let local_root = parent_span_id.is_none() || self.parent_is_remote;
        // Written straight into the export chunk, the rare parts after: a
        // span built on the stack and then copied cost a 264-byte copy, and
        // stalls where the copy read back fields just stored. The context
        // and attributes too are set after: built inside the literal, they
        // went through the stack in pieces and were read back whole (40% of
        // this function's time in two stalled loads).
        let data = out.write(SpanData {
            context: SpanContext::default(),
            parent_span_id,
            parent_is_remote: self.parent_is_remote,
            name: std::mem::replace(&mut self.name, Cow::Borrowed("")),
            kind: self.site.kind(),
            site: std::mem::replace(&mut self.site, &EMPTY_SITE),
            start_time: cal.wall_time(self.start),
            end_time: cal.wall_time(self.end.max(self.start)),
            attributes: Attributes::new(),
            events: Vec::new(),
            links: Vec::new(),
            status: Status::Unset,
            dropped_attributes: std::mem::take(&mut self.dropped_attributes),
            dropped_events: 0,
            dropped_links: 0,
        });
        data.context = SpanContext::new(self.trace_id, self.span_id, self.flags)
            .with_debug(self.debug)
            .with_trace_state(std::mem::take(&mut self.trace_state));
        data.attributes = self.take_attributes(spare);
        if let Some(extra) = self.extra.take() {
            let Extra {
                events: pending,
                links,
                status,
                dropped_events,
                dropped_links,
            } = *extra;
            data.events = events(pending, cal);
            data.links = links;
            data.status = status;
            data.dropped_events = dropped_events;
            data.dropped_links = dropped_links;
        }
        meta.push(Meta {
            local_root,
            parent_site: self.parent_site.take(),
            error: matches!(data.status, Status::Error(_)),
        });
    }

    /// What the in-flight view shows of this open span.
    pub(crate) fn in_flight(&self, now: Tick, cal: &Calibration) -> InFlightSpan {
        InFlightSpan {
            name: self.name.clone(),
            site: self.site,
            trace_id: self.trace_id,
            span_id: self.span_id,
            start_time: cal.wall_time(self.start),
            elapsed: cal.duration(now.since(self.start)),
        }
    }
}

/// A span that started and has not ended yet, as
/// [`SdkTracer::in_flight`](super::SdkTracer::in_flight) shows it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InFlightSpan {
    /// The span name.
    pub name: Cow<'static, str>,
    /// The static call site.
    pub site: &'static SpanSite,
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id.
    pub span_id: SpanId,
    /// When it started.
    pub start_time: std::time::SystemTime,
    /// How long it has been running.
    pub elapsed: Duration,
}

/// Pending events with wall-clock times.
fn events(pending: Vec<PendingEvent>, cal: &Calibration) -> Vec<SpanEvent> {
    pending
        .into_iter()
        .map(|e| SpanEvent {
            name: e.name,
            time: cal.wall_time(e.at),
            attributes: e.attributes,
            dropped_attributes: e.dropped_attributes,
        })
        .collect()
}
