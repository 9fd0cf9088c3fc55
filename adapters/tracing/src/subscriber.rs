//! [`OmniscopeSubscriber`]: the layer on its own, for applications that do
//! not use `tracing-subscriber` themselves.

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{Interest, SetGlobalDefaultError};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;
use tracing_subscriber::layer::{Layered, SubscriberExt as _};
use tracing_subscriber::Registry;

use crate::callsite::level;
use crate::layer::OmniscopeLayer;

/// A complete `tracing` subscriber sending spans and events to omniscope:
/// a registry with [`OmniscopeLayer`], which also applies omniscope's
/// filters before any work is done. Events above omniscope's level filter
/// ([`omniscope::max_level`]) are disabled, and spans while no omniscope
/// tracer is installed, so they cost `tracing` a callsite check.
///
/// ```
/// use tracing::subscriber::with_default;
///
/// with_default(omniscope_tracing::OmniscopeSubscriber::new(), || {
///     tracing::info!(answer = 42, "logged through omniscope");
/// });
/// ```
#[derive(Debug)]
pub struct OmniscopeSubscriber {
    inner: Layered<OmniscopeLayer, Registry>,
}

impl OmniscopeSubscriber {
    /// A subscriber over a fresh registry.
    pub fn new() -> OmniscopeSubscriber {
        OmniscopeSubscriber {
            inner: Registry::default().with(OmniscopeLayer::new()),
        }
    }
}

impl Default for OmniscopeSubscriber {
    fn default() -> OmniscopeSubscriber {
        OmniscopeSubscriber::new()
    }
}

/// Installs [`OmniscopeSubscriber`] as `tracing`'s global default, in one call.
///
/// # Errors
///
/// Another global `tracing` subscriber is installed already (`tracing`
/// allows one per process): add [`layer()`](crate::layer()) to that one instead.
pub fn install() -> Result<(), SetGlobalDefaultError> {
    tracing::subscriber::set_global_default(OmniscopeSubscriber::new())
}

impl Subscriber for OmniscopeSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        // omniscope's level and tracer can change at any time; asked again
        // (`enabled`) on each use, which is one load each.
        match self.inner.register_callsite(meta) {
            interest if interest.is_never() => interest,
            _ => Interest::sometimes(),
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        let wanted = if meta.is_span() {
            omniscope::__private::tracing_active()
        } else {
            level(*meta.level()) <= omniscope::max_level()
        };
        wanted && self.inner.enabled(meta)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        // Not omniscope's current level: it may be raised later, and
        // `tracing` would not ask again.
        None
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.inner.new_span(span)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        self.inner.record(span, values);
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.inner.record_follows_from(span, follows);
    }

    fn event_enabled(&self, event: &Event<'_>) -> bool {
        self.inner.event_enabled(event)
    }

    fn event(&self, event: &Event<'_>) {
        self.inner.event(event);
    }

    fn enter(&self, span: &Id) {
        self.inner.enter(span);
    }

    fn exit(&self, span: &Id) {
        self.inner.exit(span);
    }

    fn clone_span(&self, id: &Id) -> Id {
        self.inner.clone_span(id)
    }

    fn try_close(&self, id: Id) -> bool {
        self.inner.try_close(id)
    }

    fn current_span(&self) -> Current {
        self.inner.current_span()
    }
}
