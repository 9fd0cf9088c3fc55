//! A `testing::capture` wants every level, so while one is active the
//! macros let everything through; the installed logger must still receive
//! only what its `max_level_hint()` asked for, from any thread.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::sync::mpsc;

use common::{all_levels_compiled_in, RecordingLogger};
use omniscope::{debug, info, log_enabled, trace, Level, LevelFilter};

#[test]
fn an_active_capture_does_not_change_what_the_logger_receives() {
    if !all_levels_compiled_in() {
        return;
    }
    let logger = RecordingLogger::new(LevelFilter::Info);
    omniscope::set_logger(logger.clone()).unwrap();
    assert_eq!(omniscope::max_level(), LevelFilter::Info);

    let (started, wait_started) = mpsc::channel();
    let (finish, wait_finish) = mpsc::channel::<()>();
    let capturing = std::thread::spawn(move || {
        omniscope::testing::capture(|| {
            debug!("captured debug");
            started.send(()).unwrap();
            wait_finish.recv().unwrap();
        })
    });
    wait_started.recv().unwrap();

    // Another thread, outside the capture, while it is active.
    assert_eq!(omniscope::max_level(), LevelFilter::Trace, "the capture's");
    debug!("not for the logger");
    trace!("not for the logger either");
    info!("for the logger");
    assert!(!log_enabled!(Level::Debug));
    assert!(log_enabled!(Level::Info));

    finish.send(()).unwrap();
    let captured = capturing.join().unwrap();
    captured.assert_logged(Level::Debug, "captured debug");
    assert_eq!(omniscope::max_level(), LevelFilter::Info, "restored");
    assert_eq!(logger.messages(), ["for the logger"]);
}
