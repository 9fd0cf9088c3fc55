//! The Zipkin receiver of `scripts/zipkin-receiver` (official
//! `zipkin2-api.yaml`, jsonschema; shared with the cross-crate tests), and
//! an SDK exporting to it.
// each test binary uses part of it
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use omniscope_sdk::export::{PipelineConfig, PipelineStats};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use omniscope_zipkin::Zipkin;

pub(crate) use omniscope_tests::zipkin_receiver::{wait_until, ZipkinReceiver as Receiver};

/// A pipeline that batches quickly and retries a little.
pub(crate) fn pipeline(export_timeout: Duration) -> PipelineConfig {
    PipelineConfig::default()
        .with_queue_capacity(4096)
        .with_max_batch(64)
        .with_batch_timeout(Duration::from_millis(50))
        .with_export_timeout(export_timeout)
        .with_max_retries(3)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(200))
}

/// Installs an SDK sending spans of service `orders` to each `zipkin`.
pub(crate) fn install(zipkins: &[Zipkin], config: PipelineConfig) -> SdkGuard {
    install_sampling(zipkins, config, Sampler::AlwaysOn)
}

/// [`install`] with another sampler.
pub(crate) fn install_sampling(
    zipkins: &[Zipkin],
    config: PipelineConfig,
    sampler: Sampler,
) -> SdkGuard {
    let mut tracer = SdkTracer::builder()
        .with_sampler(sampler)
        .with_pipeline_config(config);
    for zipkin in zipkins {
        tracer = tracer.with_exporter(Box::new(zipkin.spans()));
    }
    Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(tracer)
        .with_shutdown_timeout(Duration::from_secs(10))
        .install()
        .unwrap()
}

/// The pipelines of the exporters named `zipkin`.
pub(crate) fn stats(sdk: &Sdk) -> Vec<PipelineStats> {
    sdk.pipeline_stats()
        .into_iter()
        .filter(|s| s.exporter == "zipkin")
        .collect()
}
