//! An error recorded on a span becomes an `exception` event with
//! OpenTelemetry's attributes, as the official OTLP definitions decode it
//! (issue #12): `exception.type` (the full Rust type path, which
//! `#[instrument]` knows), `exception.message`, and `exception.stacktrace`
//! when a backtrace was captured (here: `RUST_LIB_BACKTRACE=1`). Before,
//! only `exception.message` was set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::time::Duration;

use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::otlp_receiver::{string_attribute, OtlpReceiver, WAIT};
use opentelemetry_proto::tonic::trace::v1::span::Event;

#[derive(Debug)]
struct PaymentDeclined;

impl fmt::Display for PaymentDeclined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined")
    }
}

impl std::error::Error for PaymentDeclined {}

#[omniscope::instrument]
fn charge_card() -> Result<(), PaymentDeclined> {
    Err(PaymentDeclined)
}

#[omniscope::instrument]
fn parse_amount() -> Result<u64, String> {
    Err("not a number".to_owned())
}

#[test]
fn exception_events_follow_the_conventions() {
    // Read once, at the first capture: before anything records an error.
    std::env::set_var("RUST_LIB_BACKTRACE", "1");
    let receiver = OtlpReceiver::start();
    let otlp = Otlp::builder()
        .with_protocol(Protocol::HttpProtobuf)
        .with_endpoint(receiver.http_endpoint())
        .build()
        .unwrap();
    let guard = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(otlp.spans())),
        )
        .with_shutdown_timeout(WAIT)
        .install()
        .unwrap();
    assert!(charge_card().is_err());
    assert!(parse_amount().is_err());
    {
        let span = omniscope::span!("load_order");
        span.record_error(&std::io::Error::other("disk full"));
    }
    drop(guard);

    receiver.wait_for("three spans", Duration::from_secs(10), |r| {
        r.spans().len() >= 3
    });
    let spans = receiver.spans();
    let exception = |name: &str| -> Event {
        let span = spans
            .iter()
            .find(|s| s.span.name == name)
            .unwrap_or_else(|| panic!("no span {name}: {spans:?}"));
        let events: Vec<_> = span
            .span
            .events
            .iter()
            .filter(|e| e.name == "exception")
            .collect();
        assert_eq!(events.len(), 1, "{name}: {:?}", span.span.events);
        events[0].clone()
    };
    let attribute = |e: &Event, key: &str| string_attribute(&e.attributes, key).map(str::to_owned);

    let charge = exception("charge_card");
    assert_eq!(
        attribute(&charge, "exception.type").as_deref(),
        Some("exception_events_follow_the_conventions::PaymentDeclined")
    );
    assert_eq!(
        attribute(&charge, "exception.message").as_deref(),
        Some("card declined")
    );
    let stacktrace = attribute(&charge, "exception.stacktrace").expect("a captured backtrace");
    assert!(stacktrace.contains("charge_card"), "{stacktrace}");

    let parse = exception("parse_amount");
    assert_eq!(
        attribute(&parse, "exception.type").as_deref(),
        Some("alloc::string::String")
    );
    assert_eq!(
        attribute(&parse, "exception.message").as_deref(),
        Some("not a number")
    );
    assert!(attribute(&parse, "exception.stacktrace").is_some());

    // A `&dyn Error` does not tell its type, and nobody captured a backtrace.
    let load = exception("load_order");
    assert_eq!(
        attribute(&load, "exception.message").as_deref(),
        Some("disk full")
    );
    assert_eq!(attribute(&load, "exception.type"), None);
    assert_eq!(attribute(&load, "exception.stacktrace"), None);
}
