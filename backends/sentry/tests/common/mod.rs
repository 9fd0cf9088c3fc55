//! An SDK sending errors (and breadcrumbs) to a Sentry backend, and the
//! Bugsink server of `scripts/sentry-server` to read them back.
// each test binary uses part of it
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope::OwnedValue;
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::{PipelineConfig, PipelineStats};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::SdkTracer;
use omniscope_sdk::{Resource, Sdk, SdkBuilder, SdkGuard};
use omniscope_sentry::Sentry;

pub(crate) use omniscope_tests::sentry_server::{assert_normalized_as_sent, SentryServer};

/// A pipeline that batches quickly.
pub(crate) fn pipeline() -> PipelineConfig {
    PipelineConfig::for_signal("errors")
        .with_batch_timeout(Duration::from_millis(20))
        .with_export_timeout(Duration::from_secs(5))
}

/// The resource of the tests' service.
pub(crate) fn resource() -> Resource {
    Resource::new("orders")
        .with(Resource::SERVICE_VERSION, OwnedValue::Str("1.4.2".into()))
        .with(
            Resource::DEPLOYMENT_ENVIRONMENT,
            OwnedValue::Str("test".into()),
        )
        .with("host.name", OwnedValue::Str("test-host".into()))
}

/// An SDK (tracer, logger, errors) with `sentry` as error reporter and
/// breadcrumb source.
pub(crate) fn sdk(sentry: &Sentry) -> SdkBuilder {
    Sdk::builder()
        .with_resource(resource())
        .with_tracer(SdkTracer::builder())
        .with_logger(SdkLogger::builder().with_exporter(Box::new(sentry.breadcrumbs())))
        .with_errors(
            SdkErrors::builder()
                .with_reporter(Box::new(sentry.reporter()))
                .with_pipeline_config(pipeline()),
        )
        .with_shutdown_timeout(Duration::from_secs(10))
}

/// Installs [`sdk`] as the globals.
pub(crate) fn install(sentry: &Sentry) -> SdkGuard {
    sdk(sentry).install().unwrap()
}

/// The pipeline of the Sentry reporter.
pub(crate) fn stats(sdk: &Sdk) -> PipelineStats {
    sdk.pipeline_stats()
        .into_iter()
        .find(|s| s.exporter == "sentry")
        .unwrap()
}

/// Waits (at most `within`) until `done`, or fails naming `what`.
pub(crate) fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < until, "not within {within:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The exception types of a stored event, root cause first.
pub(crate) fn exception_types(event: &serde_json::Value) -> Vec<String> {
    event["exception"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}
