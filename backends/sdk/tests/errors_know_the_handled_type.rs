//! Issue #15: `handle_error!` gives the handled error's Rust type to the
//! reporters (`ErrorEvent::error_type`), which a `&dyn Error` no longer
//! tells: an enum is named by its type, not by the variant its `Debug`
//! output shows; a reference to a reference names the error itself; a
//! trait object names nothing, nor does the `handle_error` function; and a pre-install error keeps its type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::time::{Duration, Instant};

use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[derive(Debug)]
enum PaymentError {
    Declined,
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined")
    }
}
impl std::error::Error for PaymentError {}

const TYPE: &str = "errors_know_the_handled_type::PaymentError";

#[test]
fn errors_know_the_handled_type() {
    // Before install: kept by the pre-init buffer and replayed.
    omniscope::handle_error!(&PaymentError::Declined);

    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    omniscope::set_error_handler(errors.clone()).unwrap();
    let error = PaymentError::Declined;
    omniscope::handle_error!(&error);
    static DECLINED: PaymentError = PaymentError::Declined;
    let by_ref: &'static PaymentError = &DECLINED;
    omniscope::handle_error!(&by_ref);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(PaymentError::Declined);
    omniscope::handle_error!(&*boxed);
    omniscope::handle_error(&error);
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let types: Vec<Option<&str>> = received.items().iter().map(|e| e.error_type).collect();
    assert_eq!(
        types,
        [Some(TYPE), Some(TYPE), Some(TYPE), None, None],
        "replayed, by value, by reference, a trait object, the function"
    );
    // The chain still names each error by its kind label, the variant.
    assert_eq!(received.items()[1].chain[0].type_name, "Declined");
}
