//! Issue #14, item 7: an error reported as expected
//! (`ErrorContext::is_user_error`, which `handle_error!` sets for a
//! `UserError`, as the facade's tests check) is counted in
//! `user_errors{kind}`, not in `errors{kind}`, and reaches no reporter; the
//! type's other errors are reported as before.

use std::fmt;
use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler, UserError};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[derive(Debug)]
enum OrderError {
    NotFound,
    Database,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrderError::NotFound => "order not found",
            OrderError::Database => "database down",
        })
    }
}

impl std::error::Error for OrderError {}

impl UserError for OrderError {
    fn is_user_error(&self) -> bool {
        matches!(self, OrderError::NotFound)
    }
}

#[test]
fn expected_errors_are_counted_and_not_reported() {
    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    let captured = omniscope::testing::capture(|| {
        for error in [OrderError::NotFound, OrderError::Database] {
            let context = ErrorContext::new(&[]).with_user_error(error.is_user_error());
            errors.handle(&error, &context);
        }
    });
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let messages: Vec<String> = received
        .items()
        .iter()
        .map(|e| e.message().to_owned())
        .collect();
    assert_eq!(messages, ["database down"]);
    assert_eq!(errors.user_errors_total(), 1);
    assert_eq!(errors.handled_total(), 1);
    assert_eq!(
        captured.counter("user_errors", &[("kind", "NotFound")]),
        Some(1)
    );
    assert_eq!(captured.counter("errors", &[("kind", "NotFound")]), None);
    assert_eq!(captured.counter("errors", &[("kind", "Database")]), Some(1));
}
