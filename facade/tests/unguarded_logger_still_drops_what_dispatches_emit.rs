//! A logger that declares it emits nothing while logging
//! (`needs_reentrancy_guard() == false`) is called without the thread being
//! marked as dispatching, yet what a thread emits while another backend
//! handles its telemetry, or once it suppressed itself, is still dropped;
//! and a record dropped that way (not a suppressed thread's) is counted
//! (issue #11).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{all_levels_compiled_in, RecordingHandler, RecordingLogger};
use omniscope::{handle_error, info, ErrorContext, ErrorHandler, LevelFilter, Logger, Record};

/// Records, and checks that the facade skipped its guard for it.
struct Unguarded(RecordingLogger);

impl Logger for Unguarded {
    fn log(&self, record: &Record<'_>) {
        assert!(
            !omniscope::is_dispatching(),
            "an unguarded logger is called without the dispatch mark"
        );
        self.0.log(record);
    }

    fn needs_reentrancy_guard(&self) -> bool {
        false
    }
}

/// An error handler that logs about every error (its dispatch is guarded).
struct ChattyHandler(RecordingHandler);

impl ErrorHandler for ChattyHandler {
    fn handle(&self, error: &(dyn std::error::Error + 'static), context: &ErrorContext<'_>) {
        self.0.handle(error, context);
        info!("about the error");
    }
}

#[test]
fn unguarded_logger_still_drops_what_dispatches_emit() {
    if !all_levels_compiled_in() {
        return;
    }
    let logger = RecordingLogger::new(LevelFilter::Info);
    omniscope::set_logger(Unguarded(logger.clone())).unwrap();
    let handler = RecordingHandler::default();
    omniscope::set_error_handler(ChattyHandler(handler.clone())).unwrap();

    let line = line!() + 1;
    info!("live"; n = 1);
    handle_error!(&std::fmt::Error);
    assert_eq!(handler.reports().len(), 1);
    assert_eq!(logger.messages(), ["live"], "the handler's log is dropped");
    assert_eq!(omniscope::dropped_on_reentry().logs, 1, "and counted");
    let live = &logger.logs()[0];
    assert_eq!(live.line, Some(line), "the call site's location is carried");
    assert!(live.file.as_deref().is_some_and(|f| f.ends_with(".rs")));

    std::thread::spawn(|| {
        omniscope::suppress_current_thread();
        info!("from the exporter");
    })
    .join()
    .unwrap();
    assert_eq!(
        logger.messages(),
        ["live"],
        "a suppressed thread's log is dropped"
    );
    assert_eq!(
        omniscope::dropped_on_reentry().logs,
        1,
        "by design: not counted as lost"
    );
}
