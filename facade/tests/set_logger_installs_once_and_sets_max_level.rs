//! Installing: the first `set_*` wins and the global level follows the
//! logger's `max_level_hint()`; a second `set_*` hands the rejected value
//! back in `SetGlobalError` and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::metrics::{Counter, Key, MetricMeta};
use omniscope::{
    debug, info, log_enabled, trace, warn, Level, LevelFilter, Logger, Metadata, Meter, Record,
};

/// A logger with a per-target filter, to see `log_enabled!` ask it.
struct NotNoisy(RecordingLogger);

impl Logger for NotNoisy {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() != "noisy"
    }

    fn log(&self, record: &Record<'_>) {
        self.0.log(record);
    }

    fn max_level_hint(&self) -> LevelFilter {
        self.0.max_level_hint()
    }
}

/// A meter that says which one it is.
#[derive(Debug, PartialEq)]
struct NamedMeter(&'static str);

impl Meter for NamedMeter {
    fn counter(&self, _: &Key<'_>, _: &MetricMeta) -> Counter {
        Counter::noop()
    }
}

#[test]
fn first_install_wins_and_sets_the_level() {
    omniscope::preinit::disable();
    assert_eq!(
        omniscope::max_level(),
        LevelFilter::Off,
        "nothing installed"
    );

    let first = RecordingLogger::new(LevelFilter::Debug);
    omniscope::set_logger(NotNoisy(first.clone())).unwrap();
    assert_eq!(omniscope::max_level(), LevelFilter::Debug, "from the hint");

    // A second logger is handed back, untouched, and changes nothing.
    let second = RecordingLogger::new(LevelFilter::Trace);
    let err = omniscope::set_logger(second.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a global backend of this kind is already installed: install once, at the start of main"
    );
    assert!(format!("{err:?}").starts_with("SetGlobalError"));
    let rejected = err.into_inner();
    assert_eq!(rejected.max_level_hint(), LevelFilter::Trace);
    assert_eq!(omniscope::max_level(), LevelFilter::Debug);
    assert_eq!(omniscope::logger().max_level_hint(), LevelFilter::Debug);

    // The same for the other three kinds.
    omniscope::set_meter(NamedMeter("first")).unwrap();
    let err = omniscope::set_meter(NamedMeter("second")).unwrap_err();
    assert_eq!(err.into_inner(), NamedMeter("second"));
    omniscope::set_tracer(IdTracer::default()).unwrap();
    assert!(omniscope::set_tracer(IdTracer::default()).is_err());
    let handler = RecordingHandler::default();
    omniscope::set_error_handler(handler.clone()).unwrap();
    let other = RecordingHandler::default();
    let err = omniscope::set_error_handler(other.clone()).unwrap_err();
    omniscope::handle_error(&std::fmt::Error);
    assert_eq!(handler.reports().len(), 1);
    assert!(err.into_inner().reports().is_empty() && other.reports().is_empty());

    if !all_levels_compiled_in() {
        return;
    }
    trace!("dropped by the level");
    debug!("kept at debug");
    info!(target: "noisy", "kept: the global macros leave target filters to `log`");
    assert!(log_enabled!(Level::Debug));
    assert!(!log_enabled!(Level::Trace));
    assert!(
        !log_enabled!(target: "noisy", Level::Info),
        "asks `enabled`"
    );

    // `set_max_level` overrides the hint at run time.
    omniscope::set_max_level(LevelFilter::Warn);
    assert_eq!(omniscope::max_level(), LevelFilter::Warn);
    info!("dropped at warn");
    warn!("kept at warn");
    omniscope::set_max_level(LevelFilter::Trace);
    trace!("kept at trace");

    assert_eq!(
        first.messages(),
        [
            "kept at debug",
            "kept: the global macros leave target filters to `log`",
            "kept at warn",
            "kept at trace"
        ]
    );
    assert!(second.logs().is_empty());
}
