//! `OTEL_PROPAGATORS`: the propagators the kit installs, composed in the
//! order named, for extraction and injection alike.
//!
//! `tracecontext` and `baggage` are the facade's and exist in every build;
//! the others come with a backend (`b3` and `b3multi` with `zipkin`,
//! `jaeger` with `jaeger`), named in its [`Spec`](crate::backends::Spec),
//! so a name whose backend is not compiled in gets the feature to enable.

use omniscope::propagation::{
    BaggagePropagator, CompositePropagator, NoopPropagator, Propagator, TraceContextPropagator,
};

use crate::{Backend, Error};

/// The variable.
pub(crate) const VAR: &str = "OTEL_PROPAGATORS";

/// One name of `OTEL_PROPAGATORS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    /// `tracecontext`: W3C `traceparent` and `tracestate`.
    TraceContext,
    /// `baggage`: W3C `baggage`.
    Baggage,
    /// A name a backend provides (`b3`, `b3multi`, `jaeger`).
    Backend(&'static str, Backend),
}

/// `tracecontext,baggage,b3`, or `none` (an empty list: propagate nothing).
///
/// # Errors
/// An unknown name, a name whose backend is not compiled in, or `none`
/// beside other names; the message names the variable and the value.
pub(crate) fn parse(value: &str) -> Result<Vec<Choice>, Error> {
    let names: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case("none")) {
        if names.len() > 1 {
            return Err(Error::env(
                VAR,
                value,
                "`none` cannot be combined with other propagators",
            ));
        }
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for name in names {
        let choice = find(name).ok_or_else(|| {
            Error::env(
                VAR,
                value,
                format!(
                    "unknown propagator `{name}`: expected a comma-separated list of {}, or none",
                    known().join(", ")
                ),
            )
        })?;
        if let Choice::Backend(name, backend) = choice {
            if !backend.is_compiled_in() {
                return Err(Error::env(
                    VAR,
                    value,
                    format!(
                        "the `{name}` propagator comes with the `{backend}` backend, which is not compiled in: enable the `{backend}` feature of omniscope-kit"
                    ),
                ));
            }
        }
        if !out.contains(&choice) {
            out.push(choice);
        }
    }
    Ok(out)
}

/// The propagator running `choices` in order (none: one that propagates
/// nothing).
///
/// # Errors
/// A backend that names a propagator in its `Spec` but does not make it
/// (a bug of the kit, reported rather than ignored).
pub(crate) fn build(choices: &[Choice]) -> Result<Box<dyn Propagator>, Error> {
    if choices.is_empty() {
        return Ok(Box::new(NoopPropagator));
    }
    let mut parts: Vec<Box<dyn Propagator>> = Vec::with_capacity(choices.len());
    for choice in choices {
        parts.push(match *choice {
            Choice::TraceContext => Box::new(TraceContextPropagator),
            Choice::Baggage => Box::new(BaggagePropagator),
            Choice::Backend(name, backend) => backend
                .module()
                .and_then(|m| m.propagator(name))
                .ok_or_else(|| {
                    Error::backend(format!(
                        "the `{backend}` backend does not provide the `{name}` propagator it declares"
                    ))
                })?,
        });
    }
    Ok(Box::new(CompositePropagator::new(parts)))
}

/// The choice called `name` (ASCII case-insensitive), in any build.
fn find(name: &str) -> Option<Choice> {
    if name.eq_ignore_ascii_case("tracecontext") {
        return Some(Choice::TraceContext);
    }
    if name.eq_ignore_ascii_case("baggage") {
        return Some(Choice::Baggage);
    }
    Backend::ALL.into_iter().find_map(|backend| {
        backend
            .spec()
            .propagators
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .map(|p| Choice::Backend(p, backend))
    })
}

/// Every name, in the order of the documentation.
fn known() -> Vec<&'static str> {
    let mut names = vec!["tracecontext", "baggage"];
    for backend in Backend::ALL {
        names.extend(backend.spec().propagators);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compose_in_order_without_repeats() {
        assert_eq!(
            parse(" baggage, tracecontext,baggage").unwrap(),
            [Choice::Baggage, Choice::TraceContext]
        );
        assert_eq!(parse("NONE").unwrap(), []);
        assert_eq!(
            known(),
            ["tracecontext", "baggage", "jaeger", "b3", "b3multi"]
        );
    }

    #[test]
    fn bad_lists_name_the_variable_and_the_value() {
        for (value, problem) in [
            ("tracecontext,xray", "unknown propagator `xray`"),
            ("none,b3", "`none` cannot be combined"),
        ] {
            let e = parse(value).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("invalid OTEL_PROPAGATORS=`{value}`")),
                "{e}"
            );
            assert!(e.contains(problem), "{e}");
        }
        for (name, feature) in [
            ("b3", "zipkin"),
            ("b3multi", "zipkin"),
            ("jaeger", "jaeger"),
        ] {
            let backend = Backend::from_name(feature).unwrap();
            match parse(name) {
                Ok(choices) => assert!(backend.is_compiled_in() && choices.len() == 1),
                Err(e) => assert!(
                    !backend.is_compiled_in()
                        && e.to_string()
                            .contains(&format!("enable the `{feature}` feature of omniscope-kit")),
                    "{e}"
                ),
            }
        }
    }
}
