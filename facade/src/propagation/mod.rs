//! Context propagation: carrying the trace context and baggage across
//! process boundaries in request headers (or any other string map).
//!
//! # How it works
//!
//! A [`Propagator`] writes a [`Context`] into a [`Carrier`] (`inject`, on the
//! client side, before sending a request) and reads one back (`extract`, on
//! the server side, before starting the request's span). The formats are the
//! W3C ones: [`TraceContextPropagator`] handles `traceparent` and
//! `tracestate`, [`BaggagePropagator`] handles `baggage`, and
//! [`CompositePropagator`] runs several in order. The version is W3C Trace
//! Context Level 2: the `random` flag travels with `sampled`, and
//! `tracestate` keys follow the Level 2 grammar.
//!
//! A server may also answer with the Level 2 `traceresponse` header, the
//! context of its own span for the request: [`format_traceresponse`] writes
//! it and [`parse_traceresponse`] reads it (for HTTP server and client
//! layers; propagators deal with requests only).
//!
//! Extraction never fails: an invalid header is ignored and the context is
//! returned as it was. The strict parsers ([`parse_traceparent`],
//! [`TraceState::parse`](crate::TraceState::parse),
//! [`Baggage::parse`](crate::Baggage::parse)) say what was wrong.
//!
//! One propagator is global: [`propagator`] returns the one installed by
//! [`set_propagator`] (at most once per process), or, until then, the W3C
//! trace context and baggage propagators. [`inject_current`] and [`extract`]
//! use it with the current context.
//!
//! Formats of other vendors (Jaeger's `uberctx-*` headers, say) and the
//! `OTEL_*` variables that borrow the W3C Baggage syntax decode values with
//! [`percent_decode`] (strict) or [`percent_decode_lossy`] (as W3C Baggage
//! does), so that every format reads `%XX` the same way.
//!
//! # Examples
//!
//! ```
//! use std::collections::HashMap;
//! use omniscope::propagation::{self, Propagator, TraceContextPropagator};
//! use omniscope::Context;
//!
//! // Server side: read the caller's headers.
//! let mut incoming = HashMap::new();
//! incoming.insert(
//!     "Traceparent".to_string(),
//!     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
//! );
//! let cx = propagation::propagator().extract(Context::new(), &incoming);
//! let parent = cx.span_context().expect("a valid traceparent");
//! assert_eq!(parent.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
//!
//! // Client side: write them into an outgoing request.
//! let mut outgoing = HashMap::new();
//! TraceContextPropagator.inject(&cx, &mut outgoing);
//! assert_eq!(outgoing["traceparent"], incoming["Traceparent"]);
//! ```

mod carrier;
mod composite;
mod global;
mod percent;
mod traceparent;
mod w3c;

pub use carrier::Carrier;
pub use composite::{CompositePropagator, NoopPropagator};
pub use global::{extract, inject_current, propagator, set_propagator};
pub use percent::{percent_decode, percent_decode_lossy};
pub use traceparent::{
    format_traceparent, format_traceresponse, parse_traceparent, parse_traceresponse,
    TraceParentError,
};
pub use w3c::{BaggagePropagator, TraceContextPropagator};

use crate::context::Context;

/// Writes a context into a carrier and reads it back; what a propagation
/// format (W3C, B3, Jaeger, …) implements.
///
/// Implementations must never panic: `extract` ignores what it cannot parse
/// and returns `cx` unchanged.
pub trait Propagator: Send + Sync {
    /// Writes the parts of `cx` this format carries into `carrier`.
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier);

    /// Returns `cx` with whatever this format found in `carrier` (a remote
    /// span context, baggage…), or `cx` unchanged if nothing valid was found.
    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context;

    /// The carrier keys this format reads and writes (lower case), e.g. so a
    /// proxy can copy them or a CORS policy can allow them. Empty by default.
    fn fields(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

macro_rules! forward_propagator {
    ($($ty:ty),*) => {$(
        impl<T: Propagator + ?Sized> Propagator for $ty {
            fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
                (**self).inject(cx, carrier)
            }
            fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
                (**self).extract(cx, carrier)
            }
            fn fields(&self) -> Vec<&'static str> {
                (**self).fields()
            }
        }
    )*};
}

forward_propagator!(&T, Box<T>, std::sync::Arc<T>);

/// The start of `input`, for error messages: at most 64 characters, with
/// `…` when cut, so an attacker-sized header does not make a huge message.
pub(crate) fn excerpt(input: &str) -> String {
    const MAX: usize = 64;
    match input.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", input.get(..cut).unwrap_or(input)),
        None => input.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_a_char_boundary() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(70);
        assert_eq!(excerpt(&long), format!("{}…", "é".repeat(64)));
    }
}
