//! Issue #17: `OTEL_PROPAGATORS=none` installs a propagator that injects
//! nothing and extracts nothing, not the W3C default.

use std::collections::HashMap;

use omniscope::propagation;
use omniscope::{Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};

#[test]
fn otel_propagators_none_injects_nothing() {
    let _telemetry = omniscope_kit::builder()
        .from_env_with(|var| (var == "OTEL_PROPAGATORS").then(|| "none".to_owned()))
        .without_panic_hook()
        .install()
        .unwrap();

    let cx = Context::new().with_remote_span(SpanContext::new_remote(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        TraceState::new(),
    ));
    let mut outgoing: HashMap<String, String> = HashMap::new();
    propagation::propagator().inject(&cx, &mut outgoing);
    assert!(outgoing.is_empty(), "{outgoing:?}");

    let mut incoming = HashMap::new();
    incoming.insert(
        "traceparent".to_owned(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
    );
    assert!(propagation::extract(&incoming).span_context().is_none());
}
