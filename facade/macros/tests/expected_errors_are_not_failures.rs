//! Issue #14, item 7: an error whose type is a `UserError` that says so is
//! expected: no error status, not a failed call (`outcome="ok"`), counted
//! in `function.user_errors{kind}` rather than `function.errors{kind}`; the
//! same type's other errors stay failures. `handle_error!` marks the report.

mod common;

use std::fmt;

use common::spans_compiled_in;
use omniscope::testing::{capture, Captured};
use omniscope::{instrument, Status, UserError};

#[derive(Debug)]
enum OrderError {
    NotFound(u64),
    Database(&'static str),
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::NotFound(id) => write!(f, "order {id} not found"),
            OrderError::Database(why) => write!(f, "database: {why}"),
        }
    }
}

impl std::error::Error for OrderError {}

impl UserError for OrderError {
    fn is_user_error(&self) -> bool {
        matches!(self, OrderError::NotFound(_))
    }
}

/// Marked with the default: every value is expected.
#[derive(Debug)]
struct Invalid;

impl UserError for Invalid {}

#[instrument]
fn get(id: u64) -> Result<u64, OrderError> {
    match id {
        0 => Err(OrderError::NotFound(id)),
        1 => Err(OrderError::Database("timeout")),
        _ => Ok(id),
    }
}

#[instrument]
async fn get_async(id: u64) -> Result<u64, OrderError> {
    get(id)
}

#[instrument]
fn validate() -> Result<(), Box<Invalid>> {
    Err(Box::new(Invalid))
}

#[instrument]
fn generic<E: std::error::Error>(error: E) -> Result<(), E> {
    Err(error)
}

fn name(function: &str) -> String {
    format!("{}::{function}", module_path!())
}

fn count(captured: &Captured, metric: &str, function: &str, kind: &str) -> Option<u64> {
    captured.counter(metric, &[("function", &name(function)), ("kind", kind)])
}

fn durations(captured: &Captured, function: &str, outcome: &str) -> usize {
    captured
        .histogram(
            "function.duration",
            &[("function", &name(function)), ("outcome", outcome)],
        )
        .map_or(0, |samples| samples.len())
}

#[test]
fn an_expected_error_is_counted_apart_and_is_no_failure() {
    let captured = capture(|| {
        assert!(get(0).is_err());
        assert!(get(1).is_err());
    });
    assert_eq!(
        count(&captured, "function.user_errors", "get", "NotFound"),
        Some(1)
    );
    assert_eq!(count(&captured, "function.errors", "get", "NotFound"), None);
    assert_eq!(
        count(&captured, "function.errors", "get", "Database"),
        Some(1)
    );
    assert_eq!(durations(&captured, "get", "ok"), 1);
    assert_eq!(durations(&captured, "get", "error"), 1);
    if !spans_compiled_in() {
        return;
    }
    let spans = captured.spans();
    assert_eq!(spans[0].status, Status::Unset);
    assert!(!spans[0].has_event("exception"));
    let (_, fields) = spans[0]
        .events
        .iter()
        .find(|(n, _)| n == "user_error")
        .expect("a user_error event");
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.to_string())
    };
    assert_eq!(field("kind").as_deref(), Some("NotFound"));
    assert_eq!(field("message").as_deref(), Some("order 0 not found"));
    assert_eq!(spans[1].status, Status::error("database: timeout"));
}

#[tokio::test]
async fn an_async_function_honours_it_too() {
    let recorder = omniscope::testing::Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        assert!(get_async(0).await.is_err());
    }
    let captured = recorder.captured();
    assert_eq!(
        count(&captured, "function.user_errors", "get_async", "NotFound"),
        Some(1)
    );
    assert_eq!(durations(&captured, "get_async", "ok"), 1);
    if spans_compiled_in() {
        let span = captured.span("get_async").expect("recorded");
        assert_eq!(span.status, Status::Unset);
    }
}

#[test]
fn boxes_of_user_errors_are_seen_and_generic_code_needs_no_bound() {
    let captured = capture(|| {
        assert!(validate().is_err());
        assert!(generic(Invalid2).is_err());
        assert!(generic(OrderError::NotFound(3)).is_err());
    });
    assert_eq!(
        count(&captured, "function.user_errors", "validate", "Invalid"),
        Some(1)
    );
    // Inside a generic function the macro sees `E`, not the caller's type:
    // a failure, as before (documented on `UserError`).
    assert_eq!(
        count(&captured, "function.errors", "generic", "Invalid2"),
        Some(1)
    );
    assert_eq!(
        count(&captured, "function.errors", "generic", "NotFound"),
        Some(1)
    );
}

#[derive(Debug)]
struct Invalid2;

impl fmt::Display for Invalid2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid")
    }
}

impl std::error::Error for Invalid2 {}

#[test]
fn handle_error_marks_expected_errors() {
    let captured = capture(|| {
        omniscope::handle_error!(&OrderError::NotFound(9); order.id = 9);
        let e = OrderError::Database("down");
        omniscope::handle_error!(&e);
        let dynamic: Box<dyn std::error::Error> = Box::new(OrderError::NotFound(1));
        omniscope::handle_error!(&*dynamic);
    });
    let marks: Vec<bool> = captured.errors().iter().map(|e| e.user_error).collect();
    // A `dyn Error` does not tell its type: not marked.
    assert_eq!(marks, [true, false, false]);
}
