//! `install_panic_hook` reports every panic — message, location, thread
//! name, the current span's ids — to the installed error handler, then
//! still calls the hook that was there before, once however often it is
//! installed. A span open during the panic records it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{all_levels_compiled_in, IdTracer, RecordingHandler};
use omniscope::{span, ErrorKind};

#[test]
fn panics_reach_the_handler_and_the_previous_hook() {
    // The hook in place before: records what it saw, then defers to the
    // default one (which prints the usual message).
    let previous_saw = Arc::new(Mutex::new(Vec::<String>::new()));
    let default_hook = std::panic::take_hook();
    let saw = previous_saw.clone();
    std::panic::set_hook(Box::new(move |info| {
        saw.lock().unwrap().push(info.to_string());
        default_hook(info);
    }));

    let handler = RecordingHandler::default();
    let tracer = IdTracer::default();
    omniscope::set_error_handler(handler.clone()).unwrap();
    omniscope::set_tracer(tracer.clone()).unwrap();
    omniscope::install_panic_hook();
    // A second call (a library and `main` both asking) changes nothing:
    // each panic below is reported once.
    omniscope::install_panic_hook();

    // A panic with a formatted message, on a named thread, inside a span.
    let joined = std::thread::Builder::new()
        .name("worker-7".into())
        .spawn(|| {
            let s = span!("doomed");
            let ids = s.context().map(|c| (c.trace_id(), c.span_id()));
            *IDS.lock().unwrap() = ids;
            PANIC_LINE.store(line!() + 1, Ordering::Relaxed);
            panic!("boom {}", 42);
        })
        .unwrap()
        .join();
    assert!(joined.is_err());
    // A panic whose payload is not a string, on an unnamed thread.
    let joined = std::thread::spawn(|| std::panic::panic_any(7_u8)).join();
    assert!(joined.is_err());

    let reports = handler.reports();
    assert_eq!(reports.len(), 2);
    let boom = &reports[0];
    assert_eq!(boom.kind, ErrorKind::Panic);
    assert_eq!(boom.chain, ["panicked: boom 42"]);
    assert_eq!(boom.file.as_deref(), Some(file!()));
    assert_eq!(boom.line, Some(PANIC_LINE.load(Ordering::Relaxed)));
    assert_eq!(boom.thread.as_deref(), Some("worker-7"));
    assert!(boom.has_backtrace);
    assert_eq!(reports[1].chain, ["panicked: Box<dyn Any>"]);
    assert_eq!(reports[1].thread, None);

    // The previous hook ran for both, after ours.
    let saw = previous_saw.lock().unwrap();
    assert_eq!(saw.len(), 2);
    assert!(saw[0].contains("boom 42"), "{saw:?}");

    if all_levels_compiled_in() {
        // The report carries the span's ids, and the span recorded the panic.
        let ids = IDS.lock().unwrap().unwrap();
        assert_eq!(boom.ids(), Some(ids));
        let doomed = tracer.span("doomed").unwrap();
        assert!(doomed.panicked && doomed.ended);
    }
}

static PANIC_LINE: AtomicU32 = AtomicU32::new(0);
static IDS: Mutex<Option<(omniscope::TraceId, omniscope::SpanId)>> = Mutex::new(None);
