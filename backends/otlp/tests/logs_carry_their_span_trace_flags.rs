//! A log record carries the trace flags of the span it was emitted in, as
//! the logs data model asks (they are taken from the context): decoded by
//! the official OTLP definitions, `LogRecord.flags` is `0x01` under a
//! sampled span, `0x00` under an unsampled one and outside any span, and
//! the whole flags byte is carried (issue #12). It was `0x00` on every
//! record before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope::{Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::logs::SdkLogger;
use omniscope_tests::otlp_receiver::{text, OtlpReceiver, WAIT};

/// Logs `message` with `flags` current (none: outside any span).
fn log_under(logger: &SdkLogger, flags: Option<u8>, message: &'static str) {
    let _entered = flags.map(|byte| {
        let parent = SpanContext::new_remote(
            TraceId::from_u128(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
            SpanId::from_u64(0x00f0_67aa_0ba9_02b7),
            TraceFlags::new(byte),
            TraceState::new(),
        );
        Context::current().with_remote_span(parent).attach()
    });
    omniscope::info!(logger: logger, "{}", message);
}

#[test]
fn logs_carry_their_span_trace_flags() {
    let receiver = OtlpReceiver::start();
    let otlp = Otlp::builder()
        .with_protocol(Protocol::HttpProtobuf)
        .with_endpoint(receiver.http_endpoint())
        .build()
        .unwrap();
    let logger = SdkLogger::builder()
        .with_exporter(Box::new(otlp.logs()))
        .build()
        .unwrap();
    log_under(&logger, Some(0x01), "sampled");
    log_under(&logger, Some(0x00), "unsampled");
    log_under(&logger, Some(0x03), "sampled and random");
    log_under(&logger, None, "outside");
    logger.shutdown(Instant::now() + WAIT).unwrap();

    receiver.wait_for("four log records", Duration::from_secs(10), |r| {
        r.logs().len() >= 4
    });
    let logs = receiver.logs();
    let flags = |message: &str| {
        let log = logs
            .iter()
            .find(|l| text(&l.record.body) == Some(message))
            .unwrap_or_else(|| panic!("no record {message:?}: {logs:?}"));
        (log.record.flags, log.record.trace_id.len())
    };
    assert_eq!(flags("sampled"), (0x01, 16));
    assert_eq!(flags("unsampled"), (0x00, 16));
    assert_eq!(flags("sampled and random"), (0x03, 16));
    assert_eq!(flags("outside"), (0x00, 0));
}
