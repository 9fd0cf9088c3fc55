//! omniscope and `tracing` spans nest in one trace across `.await` on a
//! multi-threaded runtime, while tasks move between worker threads:
//! `tracing`'s `Instrumented` and omniscope's `in_span` enter their span on
//! whichever thread polls them. Here through the layer on a registry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn nesting_holds_across_await_while_tasks_migrate() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::set_global_default(subscriber).unwrap();
    common::nesting::run_and_check(&telemetry);
}
