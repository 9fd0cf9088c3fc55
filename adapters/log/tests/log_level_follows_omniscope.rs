//! `log`'s level filter follows omniscope's: set from the installed logger's
//! hint, by `omniscope::set_max_level`, and widened while a `testing`
//! capture runs; a record omniscope's filter drops is dropped by `log`'s
//! macros before anything is built, and the logger's per-target filter
//! answers `log::log_enabled!`.

mod common;

use common::Capture;
use omniscope::{Level, LevelFilter};

#[test]
fn log_filter_tracks_omniscope_filter() {
    let capture = Capture::new(LevelFilter::Info, "noisy");
    omniscope_log::install().unwrap();
    // Before omniscope has a logger, `log` follows the pre-init buffer's level.
    assert_eq!(
        log::max_level(),
        omniscope_log_filter(omniscope::max_level())
    );
    omniscope::set_logger(capture.clone()).unwrap();
    assert_eq!(log::max_level(), log::LevelFilter::Info);

    omniscope::set_max_level(LevelFilter::Warn);
    assert_eq!(log::max_level(), log::LevelFilter::Warn);
    log::info!("dropped by log's filter");
    log::warn!("kept");
    assert!(log::log_enabled!(target: "app", log::Level::Warn));
    assert!(!log::log_enabled!(target: "noisy", log::Level::Warn));
    assert!(!log::log_enabled!(target: "app", log::Level::Info));

    let captured = omniscope::testing::capture(|| {
        assert_eq!(log::max_level(), log::LevelFilter::Trace);
        log::trace!("captured");
    });
    assert_eq!(log::max_level(), log::LevelFilter::Warn);
    captured.assert_logged(Level::Trace, "captured");

    // `log`'s filter set by hand, wider than omniscope's: omniscope's decides.
    log::set_max_level(log::LevelFilter::Trace);
    log::debug!("dropped by the bridge");

    let seen = capture.take();
    let messages: Vec<&str> = seen.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["kept"]);
}

fn omniscope_log_filter(filter: LevelFilter) -> log::LevelFilter {
    match filter {
        LevelFilter::Off => log::LevelFilter::Off,
        LevelFilter::Error => log::LevelFilter::Error,
        LevelFilter::Warn => log::LevelFilter::Warn,
        LevelFilter::Info => log::LevelFilter::Info,
        LevelFilter::Debug => log::LevelFilter::Debug,
        LevelFilter::Trace => log::LevelFilter::Trace,
    }
}
