//! Shared pieces of the Criterion benches in `benches/`.
//!
//! Every bench file uses [`criterion()`] for its settings, so that group
//! results compare across files and commits, and [`relaxed_load_branch`] as
//! the baseline beside a disabled call. `scripts/bench-report` runs the
//! benches and turns Criterion's estimates into `BENCHMARKS.md`.
//!
//! The benches against peer crates (`sdk*.rs`) share their timing loops
//! ([`timing`]) and their no-op destinations ([`sinks`]), so that every
//! crate is measured the same way. A line printed by [`note`] ends up in the
//! report, under the bench's tables.

pub mod sinks;
pub mod timing;

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};

/// The settings of every bench: short warm-up and measurement, 50 samples,
/// so a whole bench file runs in well under a minute on two cores.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

/// The word read by [`relaxed_load_branch`]: 3, like a level filter at
/// `Info`, and never changed.
static FLAG: AtomicUsize = AtomicUsize::new(3);

/// The baseline: one relaxed atomic load and a branch on it, which is what
/// a disabled call should cost. `black_box` hides the static's address and
/// the branch's work, so neither is folded away.
#[inline(always)]
pub fn relaxed_load_branch() {
    let level = black_box(&FLAG).load(Ordering::Relaxed);
    if level >= 4 {
        black_box(level);
    }
}

/// Values recorded by the `histogram_record` groups, in turn: spread over
/// Prometheus' default buckets (seconds), so that consecutive records land
/// in different buckets, as they do in a service.
pub const HISTOGRAM_VALUES: [f64; 16] = [
    0.0012, 0.0031, 0.0074, 0.012, 0.021, 0.033, 0.047, 0.071, 0.093, 0.15, 0.31, 0.42, 0.74, 1.6,
    3.2, 7.5,
];

/// Prints a note for the report: `scripts/bench-report` copies every line
/// starting with `bench-note: ` from the last run of a bench into that
/// bench's section (what each crate exported, for instance).
pub fn note(text: &str) {
    eprintln!("bench-note: {text}");
}

/// The ids of an enabled-log group: `omniscope`, `info!("x {}", n)` through
/// the installed facade logger, and `log`, the same call through `log`'s.
/// Both level filters must let `Info` through.
pub fn enabled_log_calls(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.bench_function("omniscope", |b| {
        b.iter(|| {
            let n = black_box(42_u64);
            omniscope::info!("x {}", n);
        });
    });
    group.bench_function("log", |b| {
        b.iter(|| {
            let n = black_box(42_u64);
            log::info!("x {}", n);
        });
    });
}
