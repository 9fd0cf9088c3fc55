//! The process-wide propagator, set at most once.

use std::sync::OnceLock;

use super::{BaggagePropagator, Carrier, Propagator, TraceContextPropagator};
use crate::context::Context;
use crate::SetGlobalError;

static PROPAGATOR: OnceLock<Box<dyn Propagator>> = OnceLock::new();

/// Used until a propagator is installed: W3C trace context, then baggage.
static DEFAULT: W3cPropagator = W3cPropagator;

/// Installs the global propagator, once per process; applications do this
/// at startup (usually through `omniscope-kit`), libraries never do.
///
/// Until it is called, [`propagator`] returns the W3C trace context and
/// baggage propagators, applied in that order.
///
/// # Errors
///
/// A propagator is already installed; the rejected one is handed back.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::{self, NoopPropagator, TraceContextPropagator};
///
/// assert!(propagation::set_propagator(TraceContextPropagator).is_ok());
/// assert!(propagation::set_propagator(NoopPropagator).is_err());
/// assert_eq!(propagation::propagator().fields(), ["traceparent", "tracestate"]);
/// ```
pub fn set_propagator<P: Propagator + 'static>(propagator: P) -> Result<(), SetGlobalError<P>> {
    let mut pending = Some(propagator);
    let _ = PROPAGATOR.get_or_init(|| match pending.take() {
        Some(p) => Box::new(p),
        None => Box::new(W3cPropagator),
    });
    match pending {
        None => Ok(()),
        Some(p) => Err(SetGlobalError::new(p)),
    }
}

/// The installed propagator, or, until one is installed, the W3C trace
/// context and baggage propagators (applied in that order).
pub fn propagator() -> &'static dyn Propagator {
    match PROPAGATOR.get() {
        Some(p) => &**p,
        None => &DEFAULT,
    }
}

/// Injects the current context into `carrier` with the global propagator
/// (what an HTTP client layer does before sending a request).
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation;
///
/// let mut incoming = HashMap::new();
/// incoming.insert("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
/// let _guard = propagation::extract(&incoming).attach();
///
/// let mut outgoing = HashMap::new();
/// propagation::inject_current(&mut outgoing);
/// assert_eq!(outgoing, incoming);
/// ```
pub fn inject_current(carrier: &mut dyn Carrier) {
    propagator().inject(&Context::current(), carrier);
}

/// The current context plus what the global propagator finds in `carrier`
/// (what an HTTP server layer does before starting the request's span).
pub fn extract(carrier: &dyn Carrier) -> Context {
    propagator().extract(Context::current(), carrier)
}

/// The default: [`TraceContextPropagator`] then [`BaggagePropagator`],
/// without the allocation a `CompositePropagator` would need in a `static`.
#[derive(Debug)]
struct W3cPropagator;

impl Propagator for W3cPropagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        TraceContextPropagator.inject(cx, carrier);
        BaggagePropagator.inject(cx, carrier);
    }

    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
        BaggagePropagator.extract(TraceContextPropagator.extract(cx, carrier), carrier)
    }

    fn fields(&self) -> Vec<&'static str> {
        let mut fields = TraceContextPropagator.fields();
        fields.extend(BaggagePropagator.fields());
        fields
    }
}
