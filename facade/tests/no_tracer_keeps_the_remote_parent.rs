//! Issue #12: with no tracer installed, a span started under an extracted
//! parent starts nothing, but the parent stays the parent: what runs in
//! the span passes the parent's `traceparent` and `tracestate` on
//! unchanged, as a service that does not trace must.

use std::collections::HashMap;

use omniscope::propagation::{self, Propagator, TraceContextPropagator};
use omniscope::trace::SpanSite;
use omniscope::{Context, Span};

static SITE: SpanSite = SpanSite::new("handle", module_path!(), file!(), line!());

#[test]
fn the_parent_is_passed_on_unchanged() {
    for flags in ["00", "01", "02", "03"] {
        let mut incoming = HashMap::new();
        let traceparent = format!("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-{flags}");
        incoming.insert("traceparent".to_owned(), traceparent.clone());
        incoming.insert("tracestate".to_owned(), "congo=t61rcWkgMzE".to_owned());
        let parent = TraceContextPropagator.extract(Context::new(), &incoming);

        let span = Span::start_in(&parent, &SITE, None, &[]);
        assert_eq!(span.context(), None);
        let _entered = span.enter();
        let mut outgoing = HashMap::new();
        propagation::inject_current(&mut outgoing);
        assert_eq!(outgoing, incoming);
    }
}
