//! Spans, metrics and logs recorded through the SDK reach a receiver built
//! on the official OTLP definitions over gRPC (gzip, headers), HTTP with
//! protobuf, and HTTP with JSON (gzip); the decoded content is what was
//! recorded: span names and parent links, the resource, a counter's value,
//! a histogram's count and sum, and a log record carrying its span's trace id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use omniscope::SpanKind;
use omniscope_otlp::{Compression, Otlp, Protocol};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::otlp_receiver::{string_attribute, text, OtlpReceiver, Via, WAIT};
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};

const VIAS: [Via; 3] = [Via::Grpc, Via::HttpProtobuf, Via::HttpJson];

#[test]
fn every_signal_reaches_the_official_decoder() {
    let receiver = OtlpReceiver::start();
    let grpc = Otlp::builder()
        .with_name("otlp-grpc")
        .with_protocol(Protocol::Grpc)
        .with_endpoint(receiver.grpc_endpoint())
        .with_compression(Compression::Gzip)
        .with_header("api-key", "s3cret")
        .build()
        .unwrap();
    let http = Otlp::builder()
        .with_name("otlp-http")
        .with_endpoint(receiver.http_endpoint())
        .with_header("api-key", "s3cret")
        .build()
        .unwrap();
    let json = Otlp::builder()
        .with_name("otlp-json")
        .with_protocol(Protocol::HttpJson)
        .with_compression(Compression::Gzip)
        .with_endpoint(receiver.http_endpoint())
        .build()
        .unwrap();
    let all = [&grpc, &http, &json];
    let mut tracer = SdkTracer::builder().with_sampler(Sampler::AlwaysOn);
    let mut logger = SdkLogger::builder().with_filter("info");
    let mut sdk = Sdk::builder().with_resource(Resource::new("orders"));
    for otlp in all {
        tracer = tracer.with_exporter(Box::new(otlp.spans()));
        logger = logger.with_exporter(Box::new(otlp.logs()));
        // Exported once, at shutdown.
        sdk = sdk.with_metric_exporter(
            Box::new(otlp.metrics()),
            Duration::from_secs(3600),
            Temporality::Cumulative,
        );
    }
    let guard = sdk
        .with_tracer(tracer)
        .with_logger(logger)
        .with_shutdown_timeout(WAIT)
        .install()
        .unwrap();

    let trace_id = {
        let _request =
            omniscope::span!(kind: SpanKind::Server, "POST /orders", http.route = "/orders");
        let trace_id = omniscope::context::current_ids().unwrap().0;
        omniscope::info!("order received"; order.id = 7);
        {
            let _create = omniscope::span!("create_order");
            let _validate = omniscope::span!("validate");
        }
        omniscope::counter!("orders_created_total", "channel" => "web").increment(3);
        let totals = omniscope::histogram!("order_total_dollars");
        totals.record(12.5);
        totals.record(7.5);
        trace_id
    };
    drop(guard);

    receiver.wait_for("spans of every transport", WAIT, |r| {
        VIAS.iter()
            .all(|via| r.spans().iter().filter(|s| s.via == *via).count() >= 3)
    });
    for via in VIAS {
        check_spans(&receiver, via, trace_id);
        check_metrics(&receiver, via);
        check_logs(&receiver, via, trace_id);
    }
    for request in receiver.requests() {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        match request.via {
            Via::Grpc => {
                assert!(request.gzip, "{request:?}");
                assert_eq!(header("api-key"), Some("s3cret"));
            }
            Via::HttpProtobuf => assert_eq!(header("api-key"), Some("s3cret")),
            Via::HttpJson => assert!(request.gzip, "{request:?}"),
        }
        let agent = header("user-agent").unwrap_or_default();
        assert!(agent.contains("omniscope-otlp/"), "{agent}");
    }
}

fn check_spans(receiver: &OtlpReceiver, via: Via, trace_id: omniscope::TraceId) {
    let spans: Vec<_> = receiver
        .spans()
        .into_iter()
        .filter(|s| s.via == via)
        .collect();
    let find = |name: &str| {
        spans
            .iter()
            .find(|s| s.span.name == name)
            .unwrap_or_else(|| panic!("{via:?}: no span {name}: {spans:?}"))
    };
    let (root, create, validate) = (find("POST /orders"), find("create_order"), find("validate"));
    for s in [root, create, validate] {
        assert_eq!(s.span.trace_id, trace_id.to_bytes(), "{via:?}");
        assert_eq!(
            string_attribute(&s.resource, "service.name"),
            Some("orders"),
            "{via:?}"
        );
        assert_eq!(s.scope, module_path!(), "{via:?}");
    }
    assert!(root.span.parent_span_id.is_empty(), "{via:?}");
    assert_eq!(create.span.parent_span_id, root.span.span_id, "{via:?}");
    assert_eq!(validate.span.parent_span_id, create.span.span_id, "{via:?}");
    assert_eq!(root.span.kind, 2, "{via:?}: SPAN_KIND_SERVER");
    assert_eq!(
        string_attribute(&root.span.attributes, "http.route"),
        Some("/orders")
    );
    assert!(root.span.end_time_unix_nano >= root.span.start_time_unix_nano);
}

fn check_metrics(receiver: &OtlpReceiver, via: Via) {
    let metrics: Vec<_> = receiver
        .metrics()
        .into_iter()
        .filter(|m| m.via == via)
        .collect();
    let find = |name: &str| {
        metrics
            .iter()
            .rev()
            .find(|m| m.metric.name == name)
            .unwrap_or_else(|| panic!("{via:?}: no metric {name}"))
    };
    let counter = find("orders_created_total");
    assert_eq!(
        string_attribute(&counter.resource, "service.name"),
        Some("orders")
    );
    let Some(metric::Data::Sum(sum)) = &counter.metric.data else {
        panic!("{counter:?}")
    };
    assert!(sum.is_monotonic);
    assert_eq!(sum.aggregation_temporality, 2, "cumulative");
    let point = &sum.data_points[0];
    assert_eq!(
        point.value,
        Some(number_data_point::Value::AsInt(3)),
        "{via:?}"
    );
    assert_eq!(string_attribute(&point.attributes, "channel"), Some("web"));

    let histogram = find("order_total_dollars");
    let Some(metric::Data::Histogram(h)) = &histogram.metric.data else {
        panic!("{histogram:?}")
    };
    let point = &h.data_points[0];
    assert_eq!((point.count, point.sum), (2, Some(20.0)), "{via:?}");
    assert_eq!(point.bucket_counts.len(), point.explicit_bounds.len() + 1);
    assert_eq!(point.bucket_counts.iter().sum::<u64>(), 2);
    assert_eq!((point.min, point.max), (Some(7.5), Some(12.5)));
}

fn check_logs(receiver: &OtlpReceiver, via: Via, trace_id: omniscope::TraceId) {
    let logs: Vec<_> = receiver
        .logs()
        .into_iter()
        .filter(|l| l.via == via)
        .collect();
    let record = logs
        .iter()
        .find(|l| text(&l.record.body) == Some("order received"))
        .unwrap_or_else(|| panic!("{via:?}: no log record: {logs:?}"));
    assert_eq!(record.record.trace_id, trace_id.to_bytes(), "{via:?}");
    assert_eq!(record.record.severity_number, 9);
    assert_eq!(
        string_attribute(&record.resource, "service.name"),
        Some("orders")
    );
}
