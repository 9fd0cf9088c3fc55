//! Helpers for omniscope's integration tests: a blocking HTTP client for
//! loopback servers and a headless-Chromium WebDriver session. Test code:
//! failures panic with a message that says what was expected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod http;
