//! Regression test for issue #12 (item 6): an error has one `kind`,
//! whichever counter counts it. `errors{kind}` (the error handler)
//! and `function.errors{kind}` (an `#[instrument]`ed function that
//! returns it) both use `omniscope::error::kind_label`. Before, the handler
//! named an enum error by its variant (`Declined`) and `#[instrument]` by
//! its type (`PaymentError`).

use std::error::Error;
use std::fmt;

use omniscope::{ErrorContext, ErrorHandler};
use omniscope_sdk::errors::SdkErrors;

#[derive(Debug)]
#[allow(dead_code)] // `code` is read through `Debug` only
enum PaymentError {
    Declined { code: u16 },
    Timeout,
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment failed")
    }
}

impl Error for PaymentError {}

#[omniscope::instrument]
fn pay(timeout: bool) -> Result<(), PaymentError> {
    Err(if timeout {
        PaymentError::Timeout
    } else {
        PaymentError::Declined { code: 51 }
    })
}

#[omniscope::instrument]
fn read_config() -> Result<(), std::io::Error> {
    Err(std::io::Error::from_raw_os_error(2))
}

#[omniscope::instrument]
fn boxed() -> Result<(), Box<dyn Error + Send + Sync>> {
    Err("no route to the warehouse".into())
}

#[test]
fn handler_and_instrument_count_the_same_kinds() {
    let errors = SdkErrors::builder().build().unwrap();
    let captured = omniscope::testing::capture(|| {
        for timeout in [false, true] {
            let e = pay(timeout).unwrap_err();
            errors.handle(&e, &ErrorContext::new(&[]));
        }
        let e = read_config().unwrap_err();
        errors.handle(&e, &ErrorContext::new(&[]));
        let e = boxed().unwrap_err();
        errors.handle(&*e, &ErrorContext::new(&[]));
    });
    for (function, kind) in [
        ("pay", "Declined"),
        ("pay", "Timeout"),
        ("read_config", "io::Error"),
        ("boxed", "Error"),
    ] {
        let function = format!("{}::{function}", module_path!());
        assert_eq!(
            captured.counter("errors", &[("kind", kind)]),
            Some(1),
            "errors_total{{kind={kind:?}}}"
        );
        assert_eq!(
            captured.counter(
                "function.errors",
                &[("function", &function), ("kind", kind)]
            ),
            Some(1),
            "function.errors{{function={function:?},kind={kind:?}}}"
        );
    }
}
