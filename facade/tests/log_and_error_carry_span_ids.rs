//! Acceptance: a log and a handled error emitted inside a span carry that
//! span's trace id and span id (globally installed logger, tracer and
//! error handler).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::fmt;

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::{handle_error, info, span, warn, LevelFilter, OwnedValue};

#[derive(Debug)]
struct PaymentDeclined;

impl fmt::Display for PaymentDeclined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment declined")
    }
}

impl std::error::Error for PaymentDeclined {}

#[test]
fn logs_and_errors_inside_a_span_carry_its_ids() {
    let tracer = IdTracer::default();
    let logger = RecordingLogger::new(LevelFilter::Trace);
    let handler = RecordingHandler::default();
    omniscope::set_tracer(tracer.clone()).unwrap();
    omniscope::set_logger(logger.clone()).unwrap();
    omniscope::set_error_handler(handler.clone()).unwrap();
    if !all_levels_compiled_in() {
        return;
    }

    let (outer_ids, inner_ids, error_line);
    {
        let outer = span!("checkout", order.id = 42);
        outer_ids = outer
            .context()
            .map(|c| (c.trace_id(), c.span_id()))
            .unwrap();
        assert_eq!(omniscope::context::current_ids(), Some(outer_ids));
        info!("charging card"; amount = 9.5);
        {
            let inner = span!("call_bank");
            inner_ids = inner
                .context()
                .map(|c| (c.trace_id(), c.span_id()))
                .unwrap();
            warn!("bank is slow");
            error_line = line!() + 1;
            handle_error!(&PaymentDeclined; attempt = 2);
        }
        omniscope::handle_error(&PaymentDeclined);
        // A thread started with the context carries it too.
        omniscope::context::spawn(|| info!("from a helper thread"))
            .join()
            .unwrap();
    }
    info!("after the span");
    handle_error!(&PaymentDeclined);

    // The ids are the tracer's: the inner span is a child in the same trace.
    let traced = tracer.spans();
    assert_eq!(traced.len(), 2);
    assert!(traced.iter().all(|s| s.ended));
    assert_eq!(traced[0].name, "checkout");
    assert_eq!(
        (traced[0].context.trace_id(), traced[0].context.span_id()),
        outer_ids
    );
    assert_eq!(traced[1].parent, Some(outer_ids.1));
    assert_eq!(inner_ids.0, outer_ids.0);
    assert_ne!(inner_ids.1, outer_ids.1);

    let logs = logger.logs();
    let messages: Vec<&str> = logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "charging card",
            "bank is slow",
            "from a helper thread",
            "after the span"
        ]
    );
    assert_eq!(logs[0].ids(), Some(outer_ids));
    assert_eq!(logs[0].field("amount"), Some(&OwnedValue::F64(9.5)));
    assert_eq!(logs[1].ids(), Some(inner_ids));
    assert_eq!(logs[2].ids(), Some(outer_ids));
    assert_eq!(logs[3].ids(), None);
    assert!(logs.iter().all(|l| l.timestamp.is_none()), "live records");

    let reports = handler.reports();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].ids(), Some(inner_ids));
    assert_eq!(reports[0].chain, ["payment declined"]);
    assert_eq!(
        reports[0].fields,
        [("attempt".to_owned(), OwnedValue::I64(2))]
    );
    // The location is the macro's call site, not the facade's.
    assert_eq!(reports[0].file.as_deref(), Some(file!()));
    assert_eq!(reports[0].line, Some(error_line));
    assert_eq!(reports[1].ids(), Some(outer_ids));
    assert_eq!(reports[1].file.as_deref(), Some(file!()));
    assert_eq!(reports[2].ids(), None);
}
