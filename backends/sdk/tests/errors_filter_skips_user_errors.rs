//! The filter predicate skips errors that need no report (user errors):
//! they are counted as filtered, and still counted in `errors_total`.

use std::error::Error;
use std::fmt;
use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler, ErrorKind};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[derive(Debug)]
struct InvalidInput;

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("quantity must be positive")
    }
}

impl Error for InvalidInput {}

/// A request failure caused by something else.
#[derive(Debug)]
struct RequestFailed(InvalidInput);

impl fmt::Display for RequestFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request failed")
    }
}

impl Error for RequestFailed {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

/// Marks user errors anywhere in the chain.
fn is_user_error(error: &(dyn Error + 'static)) -> bool {
    omniscope::error_sources(error).any(|e| e.is::<InvalidInput>())
}

#[test]
fn user_errors_are_skipped_and_counted() {
    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_filter(|error, context| context.kind() == ErrorKind::Panic || !is_user_error(error))
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    let captured = omniscope::testing::capture(|| {
        errors.handle(&InvalidInput, &ErrorContext::new(&[]));
        errors.handle(&RequestFailed(InvalidInput), &ErrorContext::new(&[]));
        errors.handle(
            &std::io::Error::other("database down"),
            &ErrorContext::new(&[]),
        );
    });
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let events = received.take();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].message(), "database down");
    assert_eq!(errors.handled_total(), 3);
    assert_eq!(errors.filtered_total(), 2);
    // Counting is not filtering: the metric sees every handled error.
    assert_eq!(
        captured.counter("errors", &[("kind", "InvalidInput")]),
        Some(1)
    );
    assert_eq!(
        captured.counter("errors", &[("kind", "RequestFailed")]),
        Some(1)
    );
    assert_eq!(
        captured.counter("errors", &[("kind", "io::Error")]),
        Some(1)
    );
}

#[test]
fn a_panicking_filter_lets_the_error_through() {
    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_filter(|_, _| panic!("filter bug"))
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    errors.handle(&InvalidInput, &ErrorContext::new(&[]));
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(errors.filtered_total(), 0);
}
