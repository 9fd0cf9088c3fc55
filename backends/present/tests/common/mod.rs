//! Shared by the integration tests: the blocking HTTP client of
//! `omniscope-tests`, and spans made without a global tracer.

#![allow(dead_code, unreachable_pub)] // each test file uses part of it
// Test support: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../src/testutil.rs"]
pub mod spans;
pub mod workload;

#[allow(unused_imports)] // not every test file talks HTTP
pub use omniscope_tests::http::*;

/// The keys of a JSON object, sorted.
pub fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}
