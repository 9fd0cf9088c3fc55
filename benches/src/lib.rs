//! Shared pieces of the Criterion benches in `benches/`.
//!
//! Every bench file uses [`criterion`] for its settings, so that group
//! results compare across files and commits, and [`relaxed_load_branch`] as
//! the baseline beside a disabled call. `scripts/bench-report` runs the
//! benches and turns Criterion's estimates into `BENCHMARKS.md`.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::Criterion;

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
