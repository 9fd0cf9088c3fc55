//! `install` when `log` already has a logger fails with a message that says
//! what to do, and the `log` crate's own error as its source.

use std::error::Error;

#[test]
fn a_second_install_is_refused_with_the_way_out() {
    omniscope_log::install().unwrap();
    let error = omniscope_log::install().unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("a `log` logger is already installed"),
        "{message}"
    );
    assert!(message.contains("LogForwarder"), "{message}");
    let source = error.source().map(ToString::to_string);
    assert!(source.is_some_and(|s| s.contains("logger")), "{error:?}");
}
