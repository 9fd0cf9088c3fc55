//! The same five levels on both sides: `log`'s and omniscope's, one to one.

use omniscope::{Level, LevelFilter};

/// omniscope's level for a `log` level.
pub(crate) const fn from_log(level: log::Level) -> Level {
    match level {
        log::Level::Error => Level::Error,
        log::Level::Warn => Level::Warn,
        log::Level::Info => Level::Info,
        log::Level::Debug => Level::Debug,
        log::Level::Trace => Level::Trace,
    }
}

/// `log`'s level for an omniscope level.
pub(crate) const fn to_log(level: Level) -> log::Level {
    match level {
        Level::Error => log::Level::Error,
        Level::Warn => log::Level::Warn,
        Level::Info => log::Level::Info,
        Level::Debug => log::Level::Debug,
        Level::Trace => log::Level::Trace,
    }
}

/// omniscope's filter for a `log` filter.
pub(crate) const fn filter_from_log(filter: log::LevelFilter) -> LevelFilter {
    match filter {
        log::LevelFilter::Off => LevelFilter::Off,
        log::LevelFilter::Error => LevelFilter::Error,
        log::LevelFilter::Warn => LevelFilter::Warn,
        log::LevelFilter::Info => LevelFilter::Info,
        log::LevelFilter::Debug => LevelFilter::Debug,
        log::LevelFilter::Trace => LevelFilter::Trace,
    }
}

/// `log`'s filter for an omniscope filter.
pub(crate) const fn filter_to_log(filter: LevelFilter) -> log::LevelFilter {
    match filter {
        LevelFilter::Off => log::LevelFilter::Off,
        LevelFilter::Error => log::LevelFilter::Error,
        LevelFilter::Warn => log::LevelFilter::Warn,
        LevelFilter::Info => log::LevelFilter::Info,
        LevelFilter::Debug => log::LevelFilter::Debug,
        LevelFilter::Trace => log::LevelFilter::Trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_filters_map_both_ways() {
        for level in log::Level::iter() {
            assert_eq!(to_log(from_log(level)), level);
            assert_eq!(from_log(level) as usize, level as usize);
        }
        for filter in log::LevelFilter::iter() {
            assert_eq!(filter_to_log(filter_from_log(filter)), filter);
        }
    }
}
