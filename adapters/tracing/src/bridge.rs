//! What the layer and the standalone subscriber both do with a `tracing`
//! span or event: start an omniscope span for it, record on it, log it.
//! They differ only in where they keep a span's [`SpanState`] (the
//! registry's extensions, or a slab of the subscriber's own).

use std::sync::{Mutex, PoisonError};

use omniscope::sync::lock;
use omniscope::{Context as OmniContext, Span, SpanContext, SpanKind};
use tracing::span::{Attributes, Id, Record};
use tracing::Event;

use crate::callsite::{callsite, Callsite};
use crate::fields::{with_scratch, Collected, Collector, Recorder, StatusFields};

/// What is kept for each `tracing` span: its omniscope span.
#[derive(Debug)]
pub(crate) struct SpanState {
    span: Span,
    callsite: &'static Callsite,
    /// Written only by `otel.status_*` fields recorded after the start.
    status: Mutex<StatusFields>,
}

/// The context a span or event starts under when it is not the thread's
/// current one: its explicit parent's (looked up with `lookup`), or a new
/// trace for `parent: None` (the current context without its span: its
/// baggage and a test's capture scope stay). `None` means the current omniscope context,
/// which already holds the innermost entered span of either kind (entering
/// a `tracing` span attaches its context).
fn explicit_parent(
    is_root: bool,
    parent: Option<&Id>,
    lookup: impl FnOnce(&Id) -> Option<OmniContext>,
) -> Option<OmniContext> {
    if is_root {
        return Some(OmniContext::current().without_span());
    }
    parent.and_then(lookup)
}

/// Starts an omniscope span under `parent`, or the current context (read
/// in place, through the macros' entry point: no copy of it is made), into
/// `out`, which it replaces. Written in place rather than returned: a span
/// is about 150 bytes, and each move of it through the frames between the
/// facade and the subscriber's slot showed in the profile.
fn start_span_into(
    out: &mut Span,
    parent: Option<&OmniContext>,
    site: &'static omniscope::SpanSite,
    name: Option<&str>,
    fields: &[omniscope::Field<'_>],
) {
    match (parent, name) {
        (Some(parent), _) => *out = Span::start_in(parent, site, name, fields),
        (None, None) => omniscope::__private::start_span_into(out, site, fields),
        (None, Some(_)) => *out = Span::start_in(&OmniContext::current(), site, name, fields),
    }
}

impl SpanState {
    /// Starts the omniscope span of a new `tracing` span; `None` on an
    /// export thread, or for the bridge's own spans.
    pub(crate) fn start(
        attrs: &Attributes<'_>,
        lookup: impl FnOnce(&Id) -> Option<OmniContext>,
    ) -> Option<SpanState> {
        let mut state = None;
        SpanState::start_into(&mut state, attrs, lookup);
        state
    }

    /// What [`SpanState::start`] does, written into `out` (a cleared slot
    /// of the standalone subscriber's pool, `None`), so that the span is
    /// built where it is kept.
    pub(crate) fn start_into(
        out: &mut Option<SpanState>,
        attrs: &Attributes<'_>,
        lookup: impl FnOnce(&Id) -> Option<OmniContext>,
    ) {
        // An export thread's transport stack (h2, hyper, tonic, rustls):
        // telemetry about telemetry, never fed back.
        // With no tracer, no span would start, and the current context is
        // what entering one would make current anyway. (The macros' one-load
        // check; the facade has no public name for it.)
        if !omniscope::__private::tracing_active() || omniscope::is_dispatching() {
            return;
        }
        let callsite = callsite(attrs.metadata());
        if callsite.is_bridge() {
            return;
        }
        let parent = explicit_parent(attrs.is_root(), attrs.parent(), lookup);
        let state = out.insert(SpanState {
            span: Span::none(),
            callsite,
            status: Mutex::new(StatusFields::default()),
        });
        if attrs.is_empty() {
            // No fields: nothing to collect, no buffer to take.
            start_span_into(
                &mut state.span,
                parent.as_ref(),
                callsite.site(SpanKind::Internal),
                None,
                &[],
            );
        } else {
            with_scratch(|collected| start_with_fields(state, attrs, parent.as_ref(), collected));
        }
    }

    /// The context the span makes current when entered.
    pub(crate) fn context(&self) -> Option<&OmniContext> {
        self.span.as_context()
    }

    /// The span's own ids, if it was started.
    pub(crate) fn span_context(&self) -> Option<SpanContext> {
        self.span.context()
    }

    /// Records fields set later with `Span::record`.
    pub(crate) fn record(&self, values: &Record<'_>) {
        if self.span.is_recording() {
            values.record(&mut Recorder {
                span: &self.span,
                callsite: self.callsite,
                status: &mut lock(&self.status),
                errors_only: false,
            });
        }
    }

    /// Links the span to `cause` (`follows_from`).
    pub(crate) fn add_link(&self, cause: &SpanContext) {
        self.span.add_link(cause, &[]);
    }
}

/// Starts the span of `attrs` into `state`, its fields collected into
/// `collected` first: they are its attributes, and `otel.name`,
/// `otel.kind` must be known before it starts.
fn start_with_fields(
    state: &mut SpanState,
    attrs: &Attributes<'_>,
    parent: Option<&OmniContext>,
    collected: &mut Collected,
) {
    let callsite = state.callsite;
    attrs.record(&mut Collector {
        out: collected,
        callsite,
        event: false,
    });
    let site = callsite.site(collected.kind().unwrap_or_default());
    collected.with_fields(|fields| {
        start_span_into(&mut state.span, parent, site, collected.name(), fields);
    });
    let span = &state.span;
    if callsite.has_special() && span.is_recording() {
        let status = state
            .status
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let (code, description) = collected.status();
        if code.is_some() || description.is_some() {
            status.apply(span, code, description);
        }
        if collected.has_error() {
            attrs.record(&mut Recorder {
                span,
                callsite,
                status,
                errors_only: true,
            });
        }
    }
}

/// Whether an event at this call site would be logged: omniscope's level
/// (one load), then the installed logger's per-target filter.
pub(crate) fn event_enabled(meta: &'static tracing::Metadata<'static>) -> bool {
    let callsite = callsite(meta);
    !callsite.is_bridge()
        && !omniscope::is_dispatching()
        && omniscope::log_enabled!(target: meta.target(), callsite.level())
}

fn metadata(
    meta: &'static tracing::Metadata<'static>,
    callsite: &'static Callsite,
) -> omniscope::Metadata<'static> {
    omniscope::Metadata::new(callsite.level(), meta.target()).with_location(callsite.location())
}

/// Logs `event` through omniscope, in its explicit parent's context
/// (looked up with `lookup`) or the current one.
pub(crate) fn log_event(event: &Event<'_>, lookup: impl FnOnce(&Id) -> Option<OmniContext>) {
    let meta = event.metadata();
    if !event_enabled(meta) {
        return;
    }
    let callsite = callsite(meta);
    let parent = explicit_parent(event.is_root(), event.parent(), lookup);
    let _in_parent = parent.map(OmniContext::attach);
    with_scratch(|collected| {
        event.record(&mut Collector {
            out: collected,
            callsite,
            event: true,
        });
        let message = collected.message().unwrap_or("");
        collected.with_fields(|fields| {
            // The facade's own dispatch (not `logger().log`): its
            // re-entrancy guard, pre-init buffer and `omniscope::testing`
            // captures apply.
            omniscope::__private::log(metadata(meta, callsite), format_args!("{message}"), fields);
        });
    });
}
