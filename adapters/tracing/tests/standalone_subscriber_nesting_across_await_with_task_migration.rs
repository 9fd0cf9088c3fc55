//! omniscope and `tracing` spans nest in one trace across `.await` on a
//! multi-threaded runtime, while tasks move between worker threads:
//! `tracing`'s `Instrumented` and omniscope's `in_span` enter their span on
//! whichever thread polls them. Here through the standalone
//! subscriber, which keeps its spans in a slab of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[test]
fn nesting_holds_across_await_while_tasks_migrate() {
    let telemetry = common::install("trace");
    omniscope_tracing::install().unwrap();
    common::nesting::run_and_check(&telemetry);
}
