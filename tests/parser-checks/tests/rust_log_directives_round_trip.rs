//! Issue #11: `RUST_LOG` directives of any text never panic the parser, and
//! an accepted list shows as directives that parse back to an equal filter.
//! The fuzz target `log_filter` runs the same check for longer.

use omniscope_parser_checks::log_filter::log_filter;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_text(data in prop::collection::vec(any::<u8>(), 0..80)) {
        log_filter(&data);
    }

    #[test]
    fn near_misses(text in "([a-zA-Z_:]{0,6}(=(off|error|warn|warning|info|debug|trace|INFO|inof|[a-z]{0,3}))?[ \t]*,?){0,10}") {
        log_filter(text.as_bytes());
    }
}
