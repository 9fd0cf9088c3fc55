//! The facade with nothing installed, against `log` and a bare relaxed load
//! (issue #2; budgets in DESIGN.md, "Budgets").
//!
//! Group and id names are fixed: `scripts/bench-report` and results from
//! earlier commits refer to them.
//!
//! - `log_disabled`: a log call below the level filter (`Info`, the default
//!   while nothing is installed), against `log` with a no-op logger
//!   installed and its filter at `Info`.
//! - `noop_span`: `span!` created and its guard dropped, no tracer.
//! - `noop_counter`: `counter!(..).increment` and `histogram!(..).record`,
//!   no meter.
//! - `log_enabled_guarded_sink` (last: it installs a logger): as
//!   `log_enabled_noop_sink` in `sdk.rs`, to a no-op logger that keeps the
//!   default `needs_reentrancy_guard() == true`, so the facade marks the
//!   thread as dispatching around every record: what the guard costs.

use std::hint::black_box;
use std::sync::Once;

use criterion::{criterion_group, criterion_main, Criterion};
use omniscope_benches::relaxed_load_branch;

/// `log`'s side: a logger that keeps nothing. `log` checks its level filter
/// before it ever reaches the logger.
struct NoopLogger;

impl log::Log for NoopLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        false
    }

    fn log(&self, _: &log::Record<'_>) {}

    fn flush(&self) {}
}

static NOOP_LOGGER: NoopLogger = NoopLogger;

/// Installs `log`'s side once, its filter at `Info`.
fn install_log_peer() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        if log::set_logger(&NOOP_LOGGER).is_err() {
            panic!("another `log` logger is installed");
        }
        log::set_max_level(log::LevelFilter::Info);
    });
}

/// omniscope's side of `log_enabled_guarded_sink`: a logger that keeps
/// nothing and leaves `needs_reentrancy_guard` at its default.
struct GuardedNoopSink;

impl omniscope::Logger for GuardedNoopSink {
    fn log(&self, record: &omniscope::Record<'_>) {
        let _ = record;
    }
}

/// Checks the state the groups assume: nothing installed in omniscope, so
/// the level filter is `Info` and no signal dispatches.
fn assert_nothing_installed() {
    assert_eq!(omniscope::max_level(), omniscope::LevelFilter::Info);
    assert_eq!(omniscope::STATIC_MAX_LEVEL, omniscope::LevelFilter::Trace);
    assert!(omniscope::Level::Debug > omniscope::max_level());
}

fn log_disabled(c: &mut Criterion) {
    assert_nothing_installed();
    install_log_peer();

    let mut group = c.benchmark_group("log_disabled");
    group.bench_function("omniscope", |b| {
        b.iter(|| {
            let n = black_box(42_u64);
            omniscope::debug!("x {}", n; k = n);
        });
    });
    group.bench_function("log", |b| {
        b.iter(|| {
            let n = black_box(42_u64);
            log::debug!("x {}", n);
        });
    });
    group.bench_function("atomic_load", |b| b.iter(relaxed_load_branch));
    group.finish();
}

fn noop_span(c: &mut Criterion) {
    assert_nothing_installed();
    let mut group = c.benchmark_group("noop_span");
    group.bench_function("omniscope", |b| {
        // The guard does not escape, as in `let _span = span!(..);` before
        // code that never touches it: its drop is part of the cost.
        b.iter(|| {
            let _guard = omniscope::span!("x");
        });
    });
    group.bench_function("atomic_load", |b| b.iter(relaxed_load_branch));
    group.finish();
}

fn noop_counter(c: &mut Criterion) {
    assert_nothing_installed();
    let mut group = c.benchmark_group("noop_counter");
    group.bench_function("omniscope", |b| {
        b.iter(|| omniscope::counter!("x_total").increment(black_box(1)));
    });
    group.bench_function("omniscope_histogram", |b| {
        b.iter(|| omniscope::histogram!("x").record(black_box(1.0)));
    });
    group.bench_function("atomic_load", |b| b.iter(relaxed_load_branch));
    group.finish();
}

fn log_enabled_guarded_sink(c: &mut Criterion) {
    install_log_peer();
    if omniscope::set_logger(GuardedNoopSink).is_err() {
        panic!("an omniscope logger is already installed");
    }
    omniscope::set_max_level(omniscope::LevelFilter::Info);
    let mut group = c.benchmark_group("log_enabled_guarded_sink");
    omniscope_benches::enabled_log_calls(&mut group);
    group.finish();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = log_disabled, noop_span, noop_counter, log_enabled_guarded_sink
}
criterion_main!(benches);
