//! Golden file for issue #12 (item 6): the metrics omniscope emits on its
//! own — `#[instrument]`'s per-function meters, the error handler's counts,
//! the SDK's self-metrics — carry OpenTelemetry names and units in the SDK,
//! and this backend writes them under the Prometheus names its mapping
//! gives (`function.duration` in `s` → `function_duration_seconds`,
//! `omniscope.exporter.dropped` → `omniscope_exporter_dropped_total`),
//! with HELP from their descriptions. The golden file holds the metadata
//! lines (`TYPE`, `UNIT`, `HELP`) of an OpenMetrics scrape of a real SDK:
//! values and timestamps vary from run to run, names must not.
//!
//! After an intended change, rewrite it with
//! `OMNISCOPE_UPDATE_GOLDEN=1 cargo test -p omniscope-prometheus --test library_metric_names`
//! and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use omniscope_prometheus::{render, Format};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

#[derive(Debug)]
enum PaymentError {
    Declined,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

impl std::error::Error for PaymentError {}

#[omniscope::instrument]
fn charge(amount: u64) -> Result<u64, PaymentError> {
    if amount > 100 {
        return Err(PaymentError::Declined);
    }
    if amount == 0 {
        panic!("nothing to charge");
    }
    Ok(amount)
}

#[test]
fn library_metrics_keep_their_prometheus_names() {
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
    for amount in [10, 200, 0] {
        // 0 panics: caught, and counted in `function.panics`.
        if let Ok(Err(e)) = std::panic::catch_unwind(|| charge(amount)) {
            omniscope::handle_error(&e);
        }
    }
    sdk.flush(Instant::now() + Duration::from_secs(10)).unwrap();

    let om = render(&sdk.meter().snapshot(), sdk.resource(), Format::OpenMetrics);
    common::check(&om, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{om}"));
    let text = render(&sdk.meter().snapshot(), sdk.resource(), Format::Text004);
    common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let metadata: String = om
        .lines()
        .filter(|l| l.starts_with("# ") && !l.starts_with("# EOF"))
        .map(|l| format!("{l}\n"))
        .collect();

    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/library_metrics.openmetrics");
    if std::env::var_os("OMNISCOPE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &metadata).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(
        metadata == want,
        "the library's metrics changed names, types, units or help: \
         (after an intended change: OMNISCOPE_UPDATE_GOLDEN=1 cargo test -p omniscope-prometheus \
         --test library_metric_names)\n--- golden ---\n{want}--- now ---\n{metadata}"
    );
    drop(guard);
}
