//! Issue #15: an error handled before any handler is installed (kept by
//! the facade's pre-init buffer) reaches the first one with each error of
//! its chain named by its own type, as when it was reported, and with the
//! location it was handled at — not as the buffer's stand-in type without
//! a location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::time::{Duration, Instant};

use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[derive(Debug)]
struct CheckoutError(std::io::Error);

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("checkout failed")
    }
}
impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn errors_replayed_keep_type_and_location() {
    let line = line!() + 1;
    omniscope::handle_error(&CheckoutError(std::io::Error::other("disk full")));

    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    omniscope::set_error_handler(errors.clone()).unwrap();
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let events = received.items();
    assert_eq!(events.len(), 1);
    let types: Vec<&str> = events[0]
        .chain
        .iter()
        .map(|l| l.type_name.as_str())
        .collect();
    assert_eq!(types, ["CheckoutError", "io::Error"]);
    assert_eq!(events[0].message(), "checkout failed");
    let location = events[0].location.as_deref().unwrap();
    assert!(
        location.starts_with(&format!("{}:{line}:", file!())),
        "{location}"
    );
}
