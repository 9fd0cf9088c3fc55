//! Checks of omniscope's parsers of outside input: HTTP headers
//! (`traceparent`, `tracestate`, `baggage`, `uber-trace-id`, `uberctx-*`),
//! `RUST_LOG` directives, the `OTEL_*` and `OMNISCOPE_*` variables, metric
//! names and labels, and the dashboard's query parameters.
//!
//! Each public function takes arbitrary bytes, feeds them to one parser
//! through its public API, and panics if a property fails: beyond "does not
//! panic", a parsed value encodes to text that parses back to an equal
//! value, limits hold (180 baggage members and 8192 bytes, 32 `tracestate`
//! members), errors name the variable at fault, and what is served stays
//! well-formed. The same functions run in two places:
//!
//! - the fuzz targets in `fuzz/` (cargo-fuzz, nightly; `fuzz/README.md`
//!   says how to run them for longer), one target per function;
//! - the property tests of this crate (`tests/`, stable, a bounded number
//!   of cases), run by `cargo test` with the rest of the workspace.
//!
//! Inputs holding several values ([`input`]) are split at NUL bytes, which
//! no header or environment value can hold.
//!
//! Test code: a failed property panics with a message saying what was
//! expected and the input, which is what a fuzzer reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod config;
pub mod dashboard;
pub mod input;
pub mod log_filter;
pub mod metrics;
pub mod propagation;
