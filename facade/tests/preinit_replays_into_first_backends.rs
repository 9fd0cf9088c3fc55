//! Logs and errors emitted before any logger or error handler is installed
//! are replayed into the first one installed, with their original
//! timestamps, trace ids, fields, levels, targets and source locations;
//! panics keep their kind and thread name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::fmt;
use std::time::SystemTime;

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::{debug, handle_error, info, span, warn, ErrorKind, Level, LevelFilter, OwnedValue};

#[derive(Debug)]
struct ConfigInvalid(std::io::Error);

impl fmt::Display for ConfigInvalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("config invalid")
    }
}

impl std::error::Error for ConfigInvalid {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn early_logs_and_errors_reach_the_first_backends() {
    if !all_levels_compiled_in() {
        return;
    }
    // A tracer is installed first (so early spans have ids), but no
    // logger and no error handler yet.
    let tracer = IdTracer::default();
    omniscope::set_tracer(tracer.clone()).unwrap();
    omniscope::install_panic_hook();
    // Keep debug records too; the logger will ask for `Info` only.
    omniscope::preinit::configure(16, 16, LevelFilter::Debug);
    assert_eq!(omniscope::max_level(), LevelFilter::Debug);

    let before = SystemTime::now();
    let (ids, log_line);
    {
        let startup = span!("startup");
        ids = startup.context().map(|c| (c.trace_id(), c.span_id()));
        log_line = line!() + 1;
        info!(target: "config", "reading {}", "/etc/app.toml"; path = "/etc/app.toml", tries = 2);
        let err = ConfigInvalid(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ));
        handle_error!(&err; path = "/etc/app.toml");
    }
    debug!("more verbose than the logger wants");
    warn!("outside any span");
    let panicked = std::thread::Builder::new()
        .name("loader".into())
        .spawn(|| panic!("cannot load plugin"))
        .unwrap()
        .join();
    assert!(panicked.is_err());
    let after = SystemTime::now();
    assert!(ids.is_some());

    let logger = RecordingLogger::new(LevelFilter::Info);
    omniscope::set_logger(logger.clone()).unwrap();
    assert_eq!(omniscope::max_level(), LevelFilter::Info);
    let logs = logger.logs();
    assert_eq!(logs.len(), 2);
    let first = &logs[0];
    assert_eq!(first.message, "reading /etc/app.toml");
    assert_eq!(first.level, Level::Info);
    assert_eq!(first.target, "config");
    assert_eq!(first.ids(), ids);
    assert_eq!(
        first.fields,
        [
            ("path".to_owned(), OwnedValue::Str("/etc/app.toml".into())),
            ("tries".to_owned(), OwnedValue::I64(2)),
        ]
    );
    assert_eq!(first.file.as_deref(), Some(file!()));
    assert_eq!(first.line, Some(log_line));
    let stamp = first.timestamp.unwrap();
    assert!(before <= stamp && stamp <= after, "the time it was emitted");
    assert_eq!(logs[1].message, "outside any span");
    assert_eq!(logs[1].ids(), None);
    assert!(logs[0].timestamp <= logs[1].timestamp);

    // A second logger gets nothing: the buffer went to the first.
    assert!(omniscope::set_logger(RecordingLogger::new(LevelFilter::Trace)).is_err());

    let handler = RecordingHandler::default();
    omniscope::set_error_handler(handler.clone()).unwrap();
    let reports = handler.reports();
    assert_eq!(reports.len(), 2);
    let handled = &reports[0];
    assert_eq!(handled.kind, ErrorKind::Handled);
    assert_eq!(handled.chain, ["config invalid", "no such file"]);
    assert_eq!(handled.ids(), ids);
    assert_eq!(
        handled.fields,
        [("path".to_owned(), OwnedValue::Str("/etc/app.toml".into()))]
    );
    let stamp = handled.timestamp.unwrap();
    assert!(before <= stamp && stamp <= after);
    let panic = &reports[1];
    assert_eq!(panic.kind, ErrorKind::Panic);
    assert_eq!(panic.chain, ["panicked: cannot load plugin"]);
    assert_eq!(panic.thread.as_deref(), Some("loader"));
    assert!(panic.timestamp.is_some());

    // Live reports are not timestamped (they happen now).
    omniscope::handle_error(&std::fmt::Error);
    assert_eq!(handler.reports()[2].timestamp, None);
    assert_eq!(omniscope::preinit::dropped(), 0);
}
