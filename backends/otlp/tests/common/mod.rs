//! What the outage tests share: an SDK exporting spans over gRPC and over
//! HTTP to one receiver, and its self-metrics.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::export::{PipelineConfig, PipelineStats};
use omniscope_sdk::metrics::SeriesValue;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use omniscope_tests::otlp_receiver::{OtlpReceiver, Via};

/// The exporter names in self-metrics, and the transport each uses.
pub(crate) const EXPORTERS: [(&str, Via); 2] =
    [("otlp-grpc", Via::Grpc), ("otlp-http", Via::HttpProtobuf)];

/// How the pipelines of a test queue and retry.
pub(crate) struct Setup {
    /// The OTLP request timeout.
    pub(crate) request_timeout: Duration,
    /// The pipeline's budget per batch, retries included.
    pub(crate) export_timeout: Duration,
    /// The queue capacity, in spans.
    pub(crate) queue_capacity: usize,
}

/// Installs an SDK whose spans go to `receiver` over gRPC and over HTTP.
pub(crate) fn install(receiver: &OtlpReceiver, setup: &Setup) -> SdkGuard {
    let pipeline = PipelineConfig::for_signal("traces")
        .with_queue_capacity(setup.queue_capacity)
        .with_max_batch(setup.queue_capacity.min(64))
        .with_batch_timeout(Duration::from_millis(50))
        .with_export_timeout(setup.export_timeout)
        .with_max_retries(100)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(200));
    let mut tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_pipeline_config(pipeline);
    for (name, via) in EXPORTERS {
        let (protocol, endpoint) = match via {
            Via::Grpc => (Protocol::Grpc, receiver.grpc_endpoint()),
            _ => (Protocol::HttpProtobuf, receiver.http_endpoint()),
        };
        let otlp = Otlp::builder()
            .with_name(name)
            .with_protocol(protocol)
            .with_endpoint(endpoint)
            .with_timeout(setup.request_timeout)
            .build()
            .unwrap();
        tracer = tracer.with_exporter(Box::new(otlp.spans()));
    }
    Sdk::builder()
        .with_resource(Resource::new("outage-test"))
        .with_tracer(tracer)
        .with_shutdown_timeout(Duration::from_secs(20))
        .install()
        .unwrap()
}

/// Records `n` spans named `name` on this thread.
pub(crate) fn record(n: usize, name: &'static str) {
    for i in 0..n {
        let _span = match name {
            "before" => omniscope::span!("before", i = i),
            "after" => omniscope::span!("after", i = i),
            "warmup" => omniscope::span!("warmup", i = i),
            "outage" => omniscope::span!("outage", i = i),
            _ => omniscope::span!("recovered", i = i),
        };
    }
}

/// The pipeline of exporter `name`.
pub(crate) fn stats(sdk: &Sdk, name: &str) -> PipelineStats {
    sdk.pipeline_stats()
        .into_iter()
        .find(|s| s.exporter == name)
        .unwrap_or_else(|| panic!("no pipeline for exporter {name}"))
}

/// A self-metric of exporter `name` as the SDK's meter reports it (what a
/// metrics backend would receive).
pub(crate) fn self_metric(sdk: &Sdk, metric: &str, name: &str, reason: Option<&str>) -> u64 {
    let snapshot = sdk.meter().snapshot();
    let mut labels = vec![("signal", "traces"), ("exporter", name)];
    if let Some(reason) = reason {
        labels.push(("reason", reason));
    }
    let series = snapshot
        .series(metric, &labels)
        .unwrap_or_else(|| panic!("no self-metric {metric}{labels:?}"));
    match series.value {
        SeriesValue::Counter(v) => v,
        SeriesValue::FloatCounter(v) => v as u64,
        ref other => panic!("{metric} is {other:?}"),
    }
}

/// After shutdown: every span produced is exported or dropped, exactly,
/// in the self-metrics; returns (exported, dropped).
pub(crate) fn assert_accounted(sdk: &Sdk, name: &str, produced: u64) -> (u64, u64) {
    let exported = self_metric(sdk, PipelineStats::EXPORTED, name, None);
    let dropped: u64 = ["queue_full", "export_failed", "rejected", "shutdown"]
        .iter()
        .map(|r| self_metric(sdk, PipelineStats::DROPPED, name, Some(r)))
        .sum();
    let s = stats(sdk, name);
    assert_eq!((s.queued, s.in_flight), (0, 0), "{name}: {s:?}");
    assert_eq!(
        exported + dropped,
        produced,
        "{name}: exported {exported} + dropped {dropped}: {s:?}"
    );
    (exported, dropped)
}

/// Polls `ready` until it holds, at most `wait`.
pub(crate) fn wait_until(what: &str, wait: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + wait;
    while !ready() {
        assert!(Instant::now() < deadline, "not within {wait:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// How many spans named `name` the receiver got over `via`.
pub(crate) fn received(receiver: &OtlpReceiver, via: Via, name: &str) -> usize {
    receiver
        .spans()
        .iter()
        .filter(|s| s.via == via && s.span.name == name)
        .count()
}
