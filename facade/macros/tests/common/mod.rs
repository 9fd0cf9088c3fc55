//! Helpers shared by the test files.

use omniscope::LevelFilter;

/// Whether spans (and log calls) are compiled in. The facade's `max_level_*`
/// features (all on under `--all-features`) compile them out, so checks of
/// spans are skipped then; the per-function meters are never compiled out,
/// and are checked either way.
pub(crate) fn spans_compiled_in() -> bool {
    let all = omniscope::STATIC_MAX_LEVEL == LevelFilter::Trace;
    if !all {
        eprintln!(
            "note: STATIC_MAX_LEVEL is {} (max_level_* features): span checks are skipped",
            omniscope::STATIC_MAX_LEVEL
        );
    }
    all
}
