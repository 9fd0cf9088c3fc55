//! An error and its context become an `ErrorEvent`: the `source()` chain
//! with type names read from `Debug`, message, location, thread, trace and
//! span ids from the current span, fields, timestamp and backtrace.

use std::backtrace::Backtrace;
use std::error::Error;
use std::fmt;
use std::panic::Location;
use std::time::{Duration, Instant, SystemTime};

use omniscope::{ErrorContext, ErrorHandler, ErrorKind, Field, Value};
use omniscope_sdk::errors::{ErrorEvent, SdkErrors};
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};

/// Prints its `Debug` as a path with the variant, as hand-written impls do.
enum OrderError {
    Payment(CardDeclined),
}

impl fmt::Debug for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Payment(inner) => write!(f, "OrderError::Payment({inner:?})"),
        }
    }
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment failed")
    }
}

impl Error for OrderError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            OrderError::Payment(inner) => Some(inner),
        }
    }
}

#[derive(Debug)]
struct CardDeclined {
    io: std::io::Error,
}

impl fmt::Display for CardDeclined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined")
    }
}

impl Error for CardDeclined {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.io)
    }
}

fn handler() -> (SdkErrors, InMemoryHandle<ErrorEvent>) {
    let (reporter, handle) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    (errors, handle)
}

fn flushed(errors: &SdkErrors, received: &InMemoryHandle<ErrorEvent>) -> Vec<ErrorEvent> {
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    received.take()
}

fn order_error() -> OrderError {
    OrderError::Payment(CardDeclined {
        io: std::io::Error::from_raw_os_error(2),
    })
}

#[test]
fn the_chain_location_thread_and_fields_are_kept() {
    let (errors, received) = handler();
    let location = Location::caller();
    let before = SystemTime::now();
    let worker = std::thread::Builder::new()
        .name("checkout-worker".into())
        .spawn({
            let errors = errors.clone();
            move || {
                let fields = [
                    Field::new_static("order.id", Value::U64(42)),
                    Field::new_static("stage", Value::Str("charge")),
                ];
                errors.handle(
                    &order_error(),
                    &ErrorContext::new(&fields).with_location(location),
                );
            }
        })
        .unwrap();
    worker.join().unwrap();

    let events = flushed(&errors, &received);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.kind, ErrorKind::Handled);
    let chain: Vec<(&str, &str)> = event
        .chain
        .iter()
        .map(|l| (l.type_name.as_str(), l.message.as_str()))
        .collect();
    let os_message = std::io::Error::from_raw_os_error(2).to_string();
    assert_eq!(
        chain,
        [
            ("OrderError", "payment failed"),
            ("CardDeclined", "card declined"),
            ("io::Error", os_message.as_str())
        ]
    );
    assert_eq!(event.type_name(), "OrderError");
    assert_eq!(event.message(), "payment failed");
    assert_eq!(
        event.location.as_deref(),
        Some(
            format!(
                "{}:{}:{}",
                location.file(),
                location.line(),
                location.column()
            )
            .as_str()
        )
    );
    assert!(event.location.as_deref().is_some_and(|l| l
        .starts_with("backends/sdk/tests/errors_event_conversion.rs:")
        || l.starts_with("tests/errors_event_conversion.rs:")));
    assert_eq!(event.thread.as_deref(), Some("checkout-worker"));
    assert!(matches!(event.fields.get("order.id"), Some(Value::U64(42))));
    assert_eq!(
        event.fields.get("stage").and_then(|v| v.as_str()),
        Some("charge")
    );
    assert!(event.timestamp >= before);
    assert_eq!((event.trace_id, event.span_id), (None, None));
    assert_eq!(event.backtrace, None);
}

#[test]
fn trace_and_span_ids_come_from_the_current_span() {
    if omniscope::STATIC_MAX_LEVEL < omniscope::LevelFilter::Info {
        return; // spans compiled out (max_level_* features)
    }
    let (errors, received) = handler();
    let mut ids = None;
    omniscope::testing::capture(|| {
        let _span = omniscope::span!("checkout");
        ids = omniscope::context::current_ids();
        errors.handle(&order_error(), &ErrorContext::new(&[]));
    });
    let (trace_id, span_id) = ids.expect("a span was current");
    let events = flushed(&errors, &received);
    assert_eq!(events[0].trace_id, Some(trace_id));
    assert_eq!(events[0].span_id, Some(span_id));
}

#[test]
fn replayed_time_backtraces_and_odd_debug_outputs() {
    let (errors, received) = handler();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let backtrace = Backtrace::force_capture();
    let boxed: Box<dyn Error + Send + Sync> = "plain message".into();
    errors.handle(
        &*boxed,
        &ErrorContext::new(&[])
            .with_timestamp(when)
            .with_backtrace(&backtrace),
    );
    let disabled = Backtrace::disabled();
    errors.handle(
        &std::fmt::Error,
        &ErrorContext::new(&[]).with_backtrace(&disabled),
    );

    let events = flushed(&errors, &received);
    assert_eq!(events[0].timestamp, when);
    // A string error's `Debug` is a quoted string: no type name to read.
    assert_eq!(events[0].type_name(), "Error");
    assert_eq!(events[0].message(), "plain message");
    assert!(events[0]
        .backtrace
        .as_deref()
        .is_some_and(|b| !b.is_empty()));
    assert_eq!(events[1].type_name(), "fmt::Error");
    assert_eq!(events[1].backtrace, None);
}
