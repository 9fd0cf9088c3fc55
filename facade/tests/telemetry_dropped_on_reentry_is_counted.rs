//! Regression test for issue #11: what the re-entrancy guard drops (logs,
//! spans and errors emitted while a backend, or the pre-init buffer,
//! handles telemetry on the same thread) is counted, by signal, in
//! `omniscope::dropped_on_reentry()`; what a thread that suppressed itself
//! emits is discarded by design and not counted.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::fmt;

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::{
    handle_error, info, span, ErrorContext, ErrorHandler, LevelFilter, Logger, Record,
};

/// Formatting it emits a log, an error and a span: the first thing a
/// logger that formats fields runs into.
struct Chatty;

impl fmt::Display for Chatty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        info!("while formatting");
        omniscope::handle_error(&fmt::Error);
        let _s = span!("while_formatting");
        f.write_str("chatty")
    }
}

/// A logger that formats every record (as most do).
struct Formatting(RecordingLogger);

impl Logger for Formatting {
    fn log(&self, record: &Record<'_>) {
        self.0.log(record);
    }
}

/// An error handler that logs about every error.
struct ChattyHandler(RecordingHandler);

impl ErrorHandler for ChattyHandler {
    fn handle(&self, error: &(dyn std::error::Error + 'static), context: &ErrorContext<'_>) {
        self.0.handle(error, context);
        info!("about the error");
    }
}

#[test]
fn what_the_guard_drops_is_counted() {
    if !all_levels_compiled_in() {
        return;
    }
    let tracer = IdTracer::default();
    omniscope::set_tracer(tracer.clone()).unwrap();
    assert_eq!(omniscope::dropped_on_reentry().total(), 0);
    // Before any logger: the pre-init buffer formats the field.
    info!("early"; v = %Chatty);
    let buffered = omniscope::dropped_on_reentry();
    assert_eq!((buffered.logs, buffered.errors, buffered.spans), (1, 1, 1));

    let logger = RecordingLogger::new(LevelFilter::Trace);
    omniscope::set_logger(Formatting(logger.clone())).unwrap();

    let handler = RecordingHandler::default();
    omniscope::set_error_handler(ChattyHandler(handler.clone())).unwrap();
    info!("live"; v = %Chatty);
    handle_error!(&fmt::Error);
    assert_eq!(logger.messages(), ["early", "live"]);
    assert_eq!(handler.reports().len(), 1);
    let counted = omniscope::dropped_on_reentry();
    assert_eq!(
        (counted.logs, counted.errors, counted.spans),
        (3, 2, 2),
        "and the live record's field (a log, an error, a span), and the handler's log"
    );
    assert!(tracer.span("while_formatting").is_none());

    // An export thread suppresses itself: what it emits is not a loss.
    std::thread::spawn(|| {
        omniscope::suppress_current_thread();
        info!("from the exporter"; v = %Chatty);
        handle_error!(&fmt::Error);
        let _s = span!("export");
    })
    .join()
    .unwrap();
    assert_eq!(omniscope::dropped_on_reentry(), counted);
}
