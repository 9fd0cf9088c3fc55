//! Propagators made of others, and the one that does nothing.

use std::fmt;

use super::{Carrier, Propagator};
use crate::context::Context;

/// Runs several propagators in order: each injects into the carrier, and
/// each extracts onto the context the previous one returned (so a later
/// propagator wins where two set the same part).
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation::{BaggagePropagator, CompositePropagator, Propagator, TraceContextPropagator};
/// use omniscope::Context;
///
/// let w3c = CompositePropagator::new(vec![Box::new(TraceContextPropagator), Box::new(BaggagePropagator)]);
/// assert_eq!(w3c.fields(), ["traceparent", "tracestate", "baggage"]);
///
/// let mut headers = HashMap::new();
/// headers.insert("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
/// headers.insert("baggage".to_string(), "userId=alice".to_string());
/// let cx = w3c.extract(Context::new(), &headers);
/// assert!(cx.span_context().is_some());
/// assert_eq!(cx.baggage().get("userId"), Some("alice"));
/// ```
pub struct CompositePropagator {
    propagators: Vec<Box<dyn Propagator>>,
}

impl CompositePropagator {
    /// A propagator running `propagators` in order.
    pub fn new(propagators: Vec<Box<dyn Propagator>>) -> CompositePropagator {
        CompositePropagator { propagators }
    }
}

impl Propagator for CompositePropagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        for propagator in &self.propagators {
            propagator.inject(cx, carrier);
        }
    }

    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
        self.propagators
            .iter()
            .fold(cx, |cx, p| p.extract(cx, carrier))
    }

    /// The fields of all parts, in order, without repeats.
    fn fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        for field in self.propagators.iter().flat_map(|p| p.fields()) {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        fields
    }
}

impl fmt::Debug for CompositePropagator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositePropagator")
            .field("fields", &self.fields())
            .finish_non_exhaustive()
    }
}

impl FromIterator<Box<dyn Propagator>> for CompositePropagator {
    fn from_iter<I: IntoIterator<Item = Box<dyn Propagator>>>(iter: I) -> CompositePropagator {
        CompositePropagator::new(iter.into_iter().collect())
    }
}

/// A propagator that injects nothing and extracts nothing (to turn
/// propagation off).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopPropagator;

impl Propagator for NoopPropagator {
    fn inject(&self, _: &Context, _: &mut dyn Carrier) {}

    fn extract(&self, cx: Context, _: &dyn Carrier) -> Context {
        cx
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::propagation::{BaggagePropagator, TraceContextPropagator};

    #[test]
    fn runs_parts_in_order_and_dedups_fields() {
        let parts: Vec<Box<dyn Propagator>> = vec![
            Box::new(TraceContextPropagator),
            Box::new(BaggagePropagator),
            Box::new(BaggagePropagator),
        ];
        let composite: CompositePropagator = parts.into_iter().collect();
        assert_eq!(composite.fields(), ["traceparent", "tracestate", "baggage"]);
        let mut headers = HashMap::new();
        headers.insert("baggage".to_owned(), "k=v".to_owned());
        let cx = composite.extract(Context::new(), &headers);
        let mut out = HashMap::new();
        composite.inject(&cx, &mut out);
        assert_eq!(out, headers);
        NoopPropagator.inject(&cx, &mut out);
        assert!(NoopPropagator
            .extract(Context::new(), &headers)
            .baggage()
            .is_empty());
    }
}
