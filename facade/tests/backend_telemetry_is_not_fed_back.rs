//! Telemetry a backend emits while it handles a record — live or replayed
//! from the pre-init buffer — is dropped, not fed back into the backends;
//! a thread that suppressed itself emits nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::{
    handle_error, info, span, warn, ErrorContext, ErrorHandler, LevelFilter, Logger, Record,
};

/// A logger that logs, reports and spans about every record it gets.
struct Chatty(RecordingLogger);

impl Logger for Chatty {
    fn log(&self, record: &Record<'_>) {
        assert!(omniscope::is_dispatching());
        self.0.log(record);
        warn!("about the record");
        omniscope::handle_error(&std::fmt::Error);
        let _s = span!("about_the_record");
    }
}

/// An error handler that logs about every error.
struct ChattyHandler(RecordingHandler);

impl ErrorHandler for ChattyHandler {
    fn handle(&self, error: &(dyn std::error::Error + 'static), context: &ErrorContext<'_>) {
        self.0.handle(error, context);
        info!("about the error");
        omniscope::handle_error(&std::fmt::Error);
    }
}

#[test]
fn what_backends_emit_while_handling_is_dropped() {
    if !all_levels_compiled_in() {
        return;
    }
    let tracer = IdTracer::default();
    omniscope::set_tracer(tracer.clone()).unwrap();
    info!("early");
    handle_error!(&std::fmt::Error; early = true);

    let logger = RecordingLogger::new(LevelFilter::Trace);
    omniscope::set_logger(Chatty(logger.clone())).unwrap();
    let handler = RecordingHandler::default();
    omniscope::set_error_handler(ChattyHandler(handler.clone())).unwrap();
    assert!(!omniscope::is_dispatching());

    info!("live");
    handle_error!(&std::fmt::Error; live = true);
    assert_eq!(logger.messages(), ["early", "live"]);
    let reports = handler.reports();
    let fields: Vec<&str> = reports.iter().map(|r| r.fields[0].0.as_str()).collect();
    assert_eq!(fields, ["early", "live"]);
    assert!(tracer.spans().is_empty());

    // An export thread suppresses itself: nothing it emits is kept.
    std::thread::spawn(|| {
        omniscope::suppress_current_thread();
        info!("from the exporter");
        handle_error!(&std::fmt::Error);
        let s = span!("export");
        assert!(!s.is_recording());
    })
    .join()
    .unwrap();
    assert_eq!(logger.messages().len(), 2);
    assert_eq!(handler.reports().len(), 2);
    assert!(tracer.spans().is_empty());
}
