//! Issue #17: an `OTEL_PROPAGATORS` name the kit does not know, or one
//! whose backend is not compiled in, fails `install` with a message naming
//! the variable, the value and the fix, and installs nothing.

use std::collections::HashMap;

use omniscope::propagation;

fn install_with(propagators: &'static str) -> omniscope_kit::Error {
    match omniscope_kit::builder()
        .from_env_with(move |var| (var == "OTEL_PROPAGATORS").then(|| propagators.to_owned()))
        .without_panic_hook()
        .install()
    {
        Ok(_) => panic!("OTEL_PROPAGATORS={propagators} installed"),
        Err(e) => e,
    }
}

#[test]
fn otel_propagators_bad_name_fails_install() {
    let e = install_with("tracecontext,xray");
    assert_eq!(e.variable(), Some("OTEL_PROPAGATORS"));
    let message = e.to_string();
    assert!(
        message
            .starts_with("invalid OTEL_PROPAGATORS=`tracecontext,xray`: unknown propagator `xray`"),
        "{message}"
    );
    assert!(
        message.contains("tracecontext, baggage, jaeger, b3, b3multi, or none"),
        "{message}"
    );

    for (value, feature, compiled_in) in [
        ("b3", "zipkin", cfg!(feature = "zipkin")),
        ("baggage,b3multi", "zipkin", cfg!(feature = "zipkin")),
        ("jaeger", "jaeger", cfg!(feature = "jaeger")),
    ] {
        if compiled_in {
            continue;
        }
        let message = install_with(value).to_string();
        assert!(
            message.starts_with(&format!("invalid OTEL_PROPAGATORS=`{value}`")),
            "{message}"
        );
        assert!(
            message.ends_with(&format!("enable the `{feature}` feature of omniscope-kit")),
            "{message}"
        );
    }

    // Nothing was installed: the facade's W3C default still propagates.
    let mut incoming = HashMap::new();
    incoming.insert(
        "traceparent".to_owned(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
    );
    assert!(propagation::extract(&incoming).span_context().is_some());
}
