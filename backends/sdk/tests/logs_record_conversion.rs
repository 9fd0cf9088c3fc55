//! A record becomes `LogData` faithfully: message formatted once, level,
//! target, location, the span's trace and span ids, the replay timestamp,
//! typed fields, and length limits.

use std::time::{Duration, Instant, SystemTime};

use omniscope::{Field, Level, Logger, Metadata, Record, SourceLocation, SpanId, TraceId, Value};
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::logs::{LogData, SdkLogger};

fn logger() -> (SdkLogger, InMemoryHandle<LogData>) {
    let (exporter, handle) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter("trace")
        .with_max_fields(3)
        .with_max_field_len(5)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    (logger, handle)
}

fn flush(logger: &SdkLogger) {
    logger
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_record_keeps_everything_it_carried() {
    let (logger, received) = logger();
    let trace_id = TraceId::from_bytes([7; 16]);
    let span_id = SpanId::from_bytes([9; 8]);
    let emitted = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let before = SystemTime::now();
    let location = SourceLocation::new("orders::api", "src/api.rs", 42);
    let metadata = Metadata::new(Level::Warn, "orders::api").with_location(&location);
    let fields = [
        Field::new_static("order.id", Value::U64(42)),
        Field::new_static("note", Value::Str("abcdefgh")),
        Field::new("dynamic", Value::I64(-1)),
        Field::new_static("fourth", Value::Bool(true)),
    ];
    let total = 9.5;
    logger.log(
        &Record::new(metadata, format_args!("order {} cost {total}", 42), &fields)
            .with_ids(Some((trace_id, span_id)))
            .with_timestamp(emitted),
    );
    logger.log(&Record::new(
        Metadata::new(Level::Trace, "bare"),
        format_args!("a literal"),
        &[],
    ));
    flush(&logger);

    let logs = received.take();
    assert_eq!(logs.len(), 2);
    let log = &logs[0];
    assert_eq!(log.message, "order 42 cost 9.5");
    assert_eq!(log.level, Level::Warn);
    assert_eq!(log.target, "orders::api");
    assert_eq!(log.trace_id, Some(trace_id));
    assert_eq!(log.span_id, Some(span_id));
    assert_eq!(log.timestamp, emitted);
    assert!(log.observed_timestamp >= before);
    let (module, file, line) = log.location.clone().unwrap();
    assert_eq!(
        (module.as_ref(), file.as_ref(), line),
        ("orders::api", "src/api.rs", 42)
    );
    // Three fields kept (the limit), strings cut to 5 bytes, types kept.
    assert_eq!(log.fields.len(), 3);
    assert!(matches!(log.fields.get("order.id"), Some(Value::U64(42))));
    assert_eq!(
        log.fields.get("note").and_then(|v| v.as_str()),
        Some("abcde")
    );
    assert!(matches!(log.fields.get("dynamic"), Some(Value::I64(-1))));
    assert!(log.fields.get("fourth").is_none());
    assert_eq!(logger.dropped_fields_total(), 1);

    let bare = &logs[1];
    assert_eq!(bare.message, "a literal");
    assert_eq!(bare.location, None);
    assert_eq!(bare.trace_id, None);
    assert!(bare.timestamp >= before);
}

#[test]
fn records_inside_a_span_carry_its_ids() {
    if omniscope::STATIC_MAX_LEVEL < omniscope::LevelFilter::Info {
        return; // spans compiled out (max_level_* features)
    }
    let (logger, received) = logger();
    let mut ids = None;
    let captured = omniscope::testing::capture(|| {
        let _span = omniscope::span!("checkout");
        ids = omniscope::context::current_ids();
        logger.log(&Record::new(
            Metadata::new(Level::Info, "orders"),
            format_args!("in span"),
            &[],
        ));
    });
    flush(&logger);
    let logs = received.take();
    let (trace_id, span_id) = ids.expect("the capture's tracer started a span");
    assert_eq!(
        captured.span("checkout").map(|s| s.trace_id),
        Some(trace_id)
    );
    assert_eq!(logs[0].trace_id, Some(trace_id));
    assert_eq!(logs[0].span_id, Some(span_id));
}

/// A `Display` impl that fails ends the message early; one that panics ends
/// it with the placeholder (the record is kept: issue #11). Never the caller.
#[test]
fn broken_display_impls_do_not_escape() {
    struct Fails;
    impl std::fmt::Display for Fails {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }
    struct Panics;
    impl std::fmt::Display for Panics {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("display panicked")
        }
    }
    let (logger, received) = logger();
    logger.log(&Record::new(
        Metadata::new(Level::Info, "t"),
        format_args!("before {}", Fails),
        &[],
    ));
    logger.log(&Record::new(
        Metadata::new(Level::Info, "t"),
        format_args!("x {}", Panics),
        &[],
    ));
    logger.log(&Record::new(
        Metadata::new(Level::Info, "t"),
        format_args!("after"),
        &[],
    ));
    flush(&logger);
    let messages: Vec<String> = received.take().into_iter().map(|l| l.message).collect();
    assert_eq!(
        messages,
        ["before ", "x <panicked while formatting>", "after"]
    );
}
