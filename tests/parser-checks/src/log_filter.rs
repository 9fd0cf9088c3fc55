//! `RUST_LOG` directives ([`LogFilter::parse`]).

use omniscope_sdk::logs::LogFilter;

use crate::input::text;

/// `RUST_LOG`: an accepted list of directives displays as directives that
/// parse back to an equal filter, displayed the same way, and no target
/// lets through more than the filter's most verbose level. (The SDK's own
/// round-trip test draws directives from a small vocabulary; this one
/// takes any text.)
pub fn log_filter(data: &[u8]) {
    let directives = text(data);
    let Ok(filter) = LogFilter::parse(&directives) else {
        return;
    };
    let shown = filter.to_string();
    let back = LogFilter::parse(&shown)
        .unwrap_or_else(|e| panic!("{directives:?} shown as {shown:?}, which is refused: {e}"));
    assert_eq!(back, filter, "{directives:?} shown as {shown:?}");
    assert_eq!(back.to_string(), shown, "{directives:?}");
    for directive in directives.split(',') {
        let target = directive.split('=').next().unwrap_or("").trim();
        assert!(
            filter.level_for(target) <= filter.max_level(),
            "{directives:?}: {target:?} above the maximum level"
        );
    }
}
