//! An `Err` return is recorded on the span (an `exception` event and an
//! error status) and counted in `function.errors{kind}`, `kind` as
//! `omniscope::error::kind_label` names it (issue #12: the error handler's
//! `errors{kind}` uses the same); `Ok` leaves the status unset.

mod common;

use std::fmt;
use std::io;

use common::spans_compiled_in;
use omniscope::testing::{capture, Captured, CapturedSpan};
use omniscope::{instrument, OwnedValue, Status};

#[derive(Debug)]
struct OutOfStock {
    sku: &'static str,
}

impl fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is out of stock", self.sku)
    }
}

impl std::error::Error for OutOfStock {}

#[instrument]
fn reserve(sku: &'static str) -> Result<u32, OutOfStock> {
    if sku.is_empty() {
        return Err(OutOfStock { sku: "?" });
    }
    let stock = lookup(sku)?;
    Ok(stock)
}

fn lookup(sku: &'static str) -> Result<u32, OutOfStock> {
    if sku == "gone" {
        Err(OutOfStock { sku })
    } else {
        Ok(3)
    }
}

#[instrument]
fn read_config(path: &str) -> io::Result<String> {
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("{path} not found"),
    ))
}

#[instrument]
fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err("boxed failure".into())
}

#[instrument]
fn displayed() -> Result<(), String> {
    Err("plain string".to_owned())
}

#[derive(Debug)]
enum DebugOnly {
    Broken,
}

#[instrument]
fn debugged() -> Result<(), DebugOnly> {
    Err(DebugOnly::Broken)
}

struct Opaque;

#[instrument]
fn opaque() -> Result<(), Opaque> {
    Err(Opaque)
}

#[derive(Debug)]
struct Wrapper<T>(T);

#[instrument]
fn generic_error() -> Result<(), Wrapper<u8>> {
    Err(Wrapper(1))
}

#[instrument(skip(attempt))]
fn retry<T, E: std::error::Error, F: FnMut() -> Result<T, E>>(
    mut attempt: F,
    times: u8,
) -> Result<T, E> {
    let mut result = attempt();
    for _ in 1..times {
        if result.is_ok() {
            break;
        }
        result = attempt();
    }
    result
}

fn function(name: &str) -> String {
    format!("{}::{name}", module_path!())
}

fn errors(captured: &Captured, name: &str, kind: &str) -> Option<u64> {
    captured.counter(
        "function.errors",
        &[("function", &function(name)), ("kind", kind)],
    )
}

fn exception_message(span: &CapturedSpan) -> Option<String> {
    let (_, fields) = span.events.iter().find(|(n, _)| n == "exception")?;
    let (_, value) = fields.iter().find(|(k, _)| k == "exception.message")?;
    Some(value.to_string())
}

#[test]
fn an_error_is_recorded_on_the_span_and_counted_by_kind() {
    let captured = capture(|| {
        assert!(reserve("gone").is_err());
        assert!(reserve("").is_err());
        assert_eq!(reserve("apple").ok(), Some(3));
    });
    assert_eq!(errors(&captured, "reserve", "OutOfStock"), Some(2));
    let durations = |outcome| {
        captured
            .histogram(
                "function.duration",
                &[("function", &function("reserve")), ("outcome", outcome)],
            )
            .map(|samples| samples.len())
    };
    assert_eq!(durations("error"), Some(2));
    assert_eq!(durations("ok"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let spans: Vec<&CapturedSpan> = captured.spans().iter().collect();
    assert_eq!(spans.len(), 3);
    assert_eq!(
        spans[0].status,
        Status::error("gone is out of stock"),
        "`?` passes through the guard"
    );
    assert_eq!(
        exception_message(spans[0]).as_deref(),
        Some("gone is out of stock")
    );
    // The full type path, as OpenTelemetry's `exception.type` asks (#12).
    let (_, fields) = &spans[0].events[0];
    let type_name = format!("{}::OutOfStock", module_path!());
    assert!(fields.contains(&("exception.type".to_owned(), OwnedValue::Str(type_name))));
    assert_eq!(
        spans[1].status,
        Status::error("? is out of stock"),
        "`return` passes through the guard"
    );
    assert_eq!(spans[2].status, Status::Unset);
    assert!(!spans[2].has_event("exception"));
}

#[test]
fn result_aliases_are_results_too() {
    let captured = capture(|| assert!(read_config("app.toml").is_err()));
    assert_eq!(errors(&captured, "read_config", "io::Error"), Some(1));
    if spans_compiled_in() {
        let span = captured.span("read_config").expect("recorded");
        assert_eq!(span.status, Status::error("app.toml not found"));
    }
}

#[test]
fn a_boxed_error_is_recorded_as_an_error() {
    let captured = capture(|| assert!(boxed().is_err()));
    // The boxed error's own kind; one made from a string has none.
    assert_eq!(errors(&captured, "boxed", "Error"), Some(1));
    if spans_compiled_in() {
        let span = captured.span("boxed").expect("recorded");
        assert_eq!(span.status, Status::error("boxed failure"));
    }
}

#[test]
fn other_errors_are_recorded_through_display_then_debug() {
    let captured = capture(|| {
        assert!(displayed().is_err());
        assert!(debugged().is_err());
        assert!(opaque().is_err());
        assert!(generic_error().is_err());
    });
    assert_eq!(errors(&captured, "displayed", "String"), Some(1));
    // Named by its `Debug` output (the variant), as an `Error` would be;
    // `Display`-only errors by their type.
    assert_eq!(errors(&captured, "debugged", "Broken"), Some(1));
    assert_eq!(errors(&captured, "opaque", "Opaque"), Some(1));
    assert_eq!(errors(&captured, "generic_error", "Wrapper"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("displayed").expect("recorded");
    assert_eq!(span.status, Status::error("plain string"));
    assert_eq!(exception_message(span).as_deref(), Some("plain string"));

    let span = captured.span("debugged").expect("recorded");
    assert_eq!(span.status, Status::error("Broken"));

    let span = captured.span("opaque").expect("recorded");
    let type_name = format!("{}::Opaque", module_path!());
    assert_eq!(span.status, Status::error(type_name.clone()));
    let (_, fields) = &span.events[0];
    assert!(fields.contains(&("exception.type".to_owned(), OwnedValue::Str(type_name))));
}

#[test]
fn a_generic_error_is_recorded_as_an_error() {
    let captured = capture(|| assert!(retry(|| lookup("gone"), 3).is_err()));
    assert_eq!(errors(&captured, "retry", "OutOfStock"), Some(1));
    if spans_compiled_in() {
        let span = captured.span("retry").expect("recorded");
        assert_eq!(span.status, Status::error("gone is out of stock"));
    }
}
