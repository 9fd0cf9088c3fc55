//! Helpers for omniscope's integration tests: a blocking HTTP client for
//! loopback servers, a headless-Chromium WebDriver session, the `orders`
//! example as a process, private Prometheus and Pushgateway servers, and
//! the OTLP and Zipkin receivers, and the Sentry-protocol server (Bugsink). Test code:
//! failures panic with a message that says what was expected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod dashboard;
pub mod http;
pub mod orders;
pub mod otlp_receiver;
pub mod prometheus;
pub mod sentry_server;
pub mod zipkin_receiver;
