//! A span exported through the Jaeger profile (endpoint from
//! `OTEL_EXPORTER_OTLP_*`, as a deployment sets it) reaches an OTLP
//! receiver on the official definitions (what Jaeger's own OTLP receiver
//! decodes), over gRPC and HTTP, counted as `exporter="jaeger"`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::otlp_receiver::{string_attribute, OtlpReceiver, Via, WAIT};

#[test]
fn spans_reach_an_otlp_receiver() {
    let receiver = OtlpReceiver::start();
    let grpc = omniscope_jaeger::builder()
        .from_env_with(|name| match name {
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => Some(receiver.grpc_endpoint()),
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" => Some("grpc".into()),
            _ => None,
        })
        .build()
        .unwrap();
    let http = omniscope_jaeger::builder()
        .from_env_with(|name| {
            (name == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| receiver.http_endpoint())
        })
        .build()
        .unwrap();
    let guard = Sdk::builder()
        .with_resource(Resource::new("checkout"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(grpc.spans()))
                .with_exporter(Box::new(http.spans())),
        )
        .install()
        .unwrap();
    {
        let _span = omniscope::span!("charge_card", amount = 12.5);
    }
    let sdk = guard.sdk();
    sdk.flush(Instant::now() + Duration::from_secs(20)).unwrap();
    receiver.wait_for("the span over both transports", WAIT, |r| {
        r.spans().len() >= 2
    });
    for via in [Via::Grpc, Via::HttpProtobuf] {
        let span = receiver
            .spans()
            .into_iter()
            .find(|s| s.via == via)
            .unwrap_or_else(|| panic!("nothing over {via:?}"));
        assert_eq!(span.span.name, "charge_card");
        assert_eq!(
            string_attribute(&span.resource, "service.name"),
            Some("checkout")
        );
    }
    let names: Vec<String> = sdk
        .pipeline_stats()
        .into_iter()
        .map(|s| s.exporter)
        .collect();
    assert_eq!(names, ["jaeger", "jaeger"]);
}
