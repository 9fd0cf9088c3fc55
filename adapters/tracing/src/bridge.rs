//! What the layer and the standalone subscriber both do with a `tracing`
//! span or event: start an omniscope span for it, record on it, log it.
//! They differ only in where they keep a span's [`SpanState`] (the
//! registry's extensions, or a slab of the subscriber's own).

use std::sync::Mutex;

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
/// trace for `parent: None`. `None` means the current omniscope context,
/// which already holds the innermost entered span of either kind (entering
/// a `tracing` span attaches its context).
fn explicit_parent(
    is_root: bool,
    parent: Option<&Id>,
    lookup: impl FnOnce(&Id) -> Option<OmniContext>,
) -> Option<OmniContext> {
    if is_root {
        return Some(OmniContext::new());
    }
    parent.and_then(lookup)
}

/// Starts an omniscope span under `parent`, or the current context (read
/// in place, through the macros' entry point, `__private::start_span`: no
/// copy of it is made).
fn start_span(
    parent: Option<&OmniContext>,
    site: &'static omniscope::SpanSite,
    name: Option<&str>,
    fields: &[omniscope::Field<'_>],
) -> Span {
    match (parent, name) {
        (Some(parent), _) => Span::start_in(parent, site, name, fields),
        (None, None) => omniscope::__private::start_span(site, fields),
        (None, Some(_)) => Span::start_in(&OmniContext::current(), site, name, fields),
    }
}

impl SpanState {
    /// Starts the omniscope span of a new `tracing` span; `None` on an
    /// export thread, or for the bridge's own spans.
    pub(crate) fn start(
        attrs: &Attributes<'_>,
        lookup: impl FnOnce(&Id) -> Option<OmniContext>,
    ) -> Option<SpanState> {
        // An export thread's transport stack (h2, hyper, tonic, rustls):
        // telemetry about telemetry, never fed back.
        // With no tracer, no span would start, and the current context is
        // what entering one would make current anyway. (The macros' one-load
        // check; the facade has no public name for it.)
        if !omniscope::__private::tracing_active() || omniscope::is_dispatching() {
            return None;
        }
        let callsite = callsite(attrs.metadata());
        if callsite.is_bridge() {
            return None;
        }
        let parent = explicit_parent(attrs.is_root(), attrs.parent(), lookup);
        Some(if attrs.is_empty() {
            // No fields: nothing to collect, no buffer to take.
            SpanState {
                span: start_span(
                    parent.as_ref(),
                    callsite.site(SpanKind::Internal),
                    None,
                    &[],
                ),
                callsite,
                status: Mutex::new(StatusFields::default()),
            }
        } else {
            with_scratch(|collected| start_with_fields(attrs, parent.as_ref(), callsite, collected))
        })
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

/// Starts the span of `attrs`, whose fields are collected into `collected`
/// first: they are its attributes, and `otel.name`, `otel.kind` must be
/// known before it starts.
fn start_with_fields(
    attrs: &Attributes<'_>,
    parent: Option<&OmniContext>,
    callsite: &'static Callsite,
    collected: &mut Collected,
) -> SpanState {
    attrs.record(&mut Collector {
        out: collected,
        callsite,
        event: false,
    });
    let site = callsite.site(collected.kind().unwrap_or_default());
    let span = collected.with_fields(|fields| start_span(parent, site, collected.name(), fields));
    let mut status = StatusFields::default();
    if callsite.has_special() && span.is_recording() {
        let (code, description) = collected.status();
        if code.is_some() || description.is_some() {
            status.apply(&span, code, description);
        }
        if collected.has_error() {
            attrs.record(&mut Recorder {
                span: &span,
                callsite,
                status: &mut status,
                errors_only: true,
            });
        }
    }
    SpanState {
        span,
        callsite,
        status: Mutex::new(status),
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
