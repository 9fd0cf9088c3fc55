//! Every handled error is counted as `errors{kind}` (`kind` as
//! `omniscope::error::kind_label` names it) and every panic as `panics`,
//! through the facade (here, a capture).

use std::error::Error;
use std::fmt;

use omniscope::{ErrorContext, ErrorHandler, ErrorKind};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[derive(Debug)]
struct Timeout;

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl Error for Timeout {}

#[test]
fn errors_by_type_and_panics_are_counted() {
    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    let io = std::io::Error::from_raw_os_error(2);
    let captured = omniscope::testing::capture(|| {
        for _ in 0..3 {
            errors.handle(&Timeout, &ErrorContext::new(&[]));
        }
        errors.handle(&io, &ErrorContext::new(&[]));
        // A panic, as the panic hook reports it: the context's kind decides
        // (the hook's own `PanicError` is covered by errors_panic_hook.rs).
        errors.handle(
            &Timeout,
            &ErrorContext::new(&[]).with_kind(ErrorKind::Panic),
        );
    });

    assert_eq!(captured.counter("errors", &[("kind", "Timeout")]), Some(3));
    assert_eq!(
        captured.counter("errors", &[("kind", "io::Error")]),
        Some(1)
    );
    assert_eq!(captured.counter("panics", &[]), Some(1));
    assert_eq!(captured.counter("errors", &[("kind", "panic")]), None);
    assert_eq!(errors.handled_total(), 4);
    assert_eq!(errors.panics_total(), 1);
    errors
        .flush(std::time::Instant::now() + std::time::Duration::from_secs(10))
        .unwrap();
    assert_eq!(received.len(), 5);
}
