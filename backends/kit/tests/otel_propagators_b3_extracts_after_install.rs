//! Issue #17: `OTEL_PROPAGATORS=b3` makes the kit install the B3
//! propagator as the global one: a caller's `b3` header continues its
//! trace, and outgoing requests carry `b3` instead of `traceparent`.
#![cfg(feature = "zipkin")]

use std::collections::HashMap;

use omniscope::propagation;
use omniscope::Context;

#[test]
fn otel_propagators_b3_extracts_after_install() {
    let _telemetry = omniscope_kit::builder()
        .from_env_with(|var| (var == "OTEL_PROPAGATORS").then(|| "b3".to_owned()))
        .without_panic_hook()
        .install()
        .unwrap();

    let mut incoming = HashMap::new();
    incoming.insert(
        "b3".to_owned(),
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90".to_owned(),
    );
    let cx = propagation::extract(&incoming);
    let parent = cx.span_context().expect("the b3 header is extracted");
    assert_eq!(
        parent.trace_id().to_string(),
        "80f198ee56343ba864fe8b2a57d3eff7"
    );
    assert_eq!(parent.span_id().to_string(), "e457b5a2e4d86bd1");
    assert!(parent.is_sampled() && parent.is_remote());

    let mut outgoing = HashMap::new();
    propagation::propagator().inject(&cx, &mut outgoing);
    assert_eq!(
        outgoing,
        HashMap::from([(
            "b3".to_owned(),
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1".to_owned()
        )])
    );

    // Only B3 is read: a W3C header alone continues nothing.
    let mut w3c = HashMap::new();
    w3c.insert(
        "traceparent".to_owned(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
    );
    assert!(propagation::propagator()
        .extract(Context::new(), &w3c)
        .span_context()
        .is_none());
}
