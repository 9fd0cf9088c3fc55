//! Regression test for issue #12 (item 6): every metric omniscope emits on
//! its own — `#[instrument]`'s per-function meters, the error handler's
//! counts, the SDK's self-metrics — has an OpenTelemetry name (dotted
//! lower-case words, no `_total`, no unit word) with its unit and a
//! description beside it, so that OTLP receives `function.duration` in `s`
//! and each backend translates (Prometheus: `function_duration_seconds`).
//! Before, the snapshot held Prometheus names (`function_calls_total`,
//! `function_duration_seconds`, `errors_total`, `omniscope_*_total`), which
//! OTLP then carried as they were, `_total` and all.

use std::time::{Duration, Instant};

use omniscope::metrics::names;
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

#[derive(Debug)]
struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

impl std::error::Error for Declined {}

#[omniscope::instrument]
fn charge(amount: u64) -> Result<u64, Declined> {
    if amount > 100 {
        return Err(Declined);
    }
    Ok(amount)
}

/// An OpenTelemetry-style name: lower-case words of `[a-z0-9_]` joined by
/// `.`, with no Prometheus suffix.
fn is_otel_name(name: &str) -> bool {
    let words_ok = name.split('.').all(|w| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    });
    let suffix = ["_total", "_seconds", "_bytes", "_milliseconds"]
        .iter()
        .any(|s| name.ends_with(s));
    words_ok && !suffix
}

#[test]
fn the_library_emits_opentelemetry_names_with_units() {
    let (spans, _) = InMemoryExporter::new();
    let (logs, _) = InMemoryExporter::new();
    let (errors, _) = InMemoryExporter::new();
    let guard = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(spans)),
        )
        .with_logger(SdkLogger::builder().with_exporter(Box::new(logs)))
        .with_errors(SdkErrors::builder().with_reporter(Box::new(errors)))
        .install()
        .unwrap();
    let sdk = guard.sdk().clone();
    for amount in [10, 200] {
        if let Err(e) = charge(amount) {
            omniscope::handle_error(&e);
        }
    }
    sdk.flush(Instant::now() + Duration::from_secs(10)).unwrap();
    let snapshot = sdk.meter().snapshot();

    let names: Vec<&str> = snapshot.families.iter().map(|f| f.name.as_str()).collect();
    for family in &snapshot.families {
        assert!(
            is_otel_name(&family.name),
            "{} is not an OpenTelemetry name: {names:?}",
            family.name
        );
        assert!(
            !family.unit.as_str().is_empty(),
            "{} has no unit",
            family.name
        );
        assert!(
            !family.description.is_empty(),
            "{} has no description",
            family.name
        );
    }
    for want in [
        names::FUNCTION_CALLS,
        names::FUNCTION_IN_FLIGHT,
        names::FUNCTION_DURATION,
        names::FUNCTION_ERRORS,
        names::ERRORS,
        "omniscope.exporter.exported",
        "omniscope.exporter.queue_length",
        "omniscope.spans.sampled_out",
        "omniscope.log_records.lost",
        "omniscope.format_panics",
        "omniscope.dropped_on_reentry",
    ] {
        assert!(names.contains(&want), "no {want} in {names:?}");
    }
    let unit = |name: &str| snapshot.family(name).unwrap().unit.as_str();
    assert_eq!(unit(names::FUNCTION_DURATION), "s");
    assert_eq!(unit(names::FUNCTION_CALLS), "{call}");
    assert_eq!(unit(names::ERRORS), "{error}");
    assert!(snapshot
        .series(names::ERRORS, &[("kind", "Declined")])
        .is_some());
    drop(guard);
}
