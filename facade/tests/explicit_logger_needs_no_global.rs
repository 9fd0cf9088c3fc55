//! `log!(logger: &l, …)` (and `info!(logger: &l, …)` & co.) sends to the
//! given logger with nothing installed globally, asks its `enabled` filter,
//! and leaves the global logger and the pre-init buffer alone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{all_levels_compiled_in, RecordingLogger};
use omniscope::{
    debug, error, info, log, trace, warn, Level, LevelFilter, Logger, Metadata, OwnedValue, Record,
};

/// A logger that keeps only `Warn` and above, and nothing from `noisy`.
struct Filtered(RecordingLogger);

impl Logger for Filtered {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= Level::Warn && metadata.target() != "noisy"
    }

    fn log(&self, record: &Record<'_>) {
        self.0.log(record);
    }
}

#[test]
fn explicit_logger_receives_records_without_a_global() {
    omniscope::preinit::disable();
    if !all_levels_compiled_in() {
        return;
    }
    let l = RecordingLogger::new(LevelFilter::Off);
    let user = "ada";

    // The global filter is off; an explicit logger does not consult it.
    assert_eq!(omniscope::max_level(), LevelFilter::Off);
    log!(logger: &l, Level::Info, "plain");
    log!(logger: l, Level::Debug, "by value {}", 1; n = 1);
    log!(logger: &l, target: "audit", Level::Warn, "with target"; user);
    trace!(logger: &l, "trace {}", 5; a.b = %user);
    debug!(logger: &l, "debug"; x = ?Some(1));
    info!(logger: &l, target: "audit", "info with target {}", user; user.name = user);
    warn!(logger: &l, "warn");
    error!(logger: &l, target: "db", "error with target");

    let logs = l.logs();
    let seen: Vec<(Level, &str, &str)> = logs
        .iter()
        .map(|r| (r.level, r.target.as_str(), r.message.as_str()))
        .collect();
    let here = module_path!();
    assert_eq!(
        seen,
        [
            (Level::Info, here, "plain"),
            (Level::Debug, here, "by value 1"),
            (Level::Warn, "audit", "with target"),
            (Level::Trace, here, "trace 5"),
            (Level::Debug, here, "debug"),
            (Level::Info, "audit", "info with target ada"),
            (Level::Warn, here, "warn"),
            (Level::Error, "db", "error with target"),
        ]
    );
    assert_eq!(logs[2].field("user"), Some(&OwnedValue::Str("ada".into())));
    assert_eq!(logs[3].field("a.b"), Some(&OwnedValue::Str("ada".into())));
    assert_eq!(logs[4].field("x"), Some(&OwnedValue::Str("Some(1)".into())));
    assert_eq!(
        logs[5].field("user.name"),
        Some(&OwnedValue::Str("ada".into()))
    );
    assert_eq!(logs[0].file.as_deref(), Some(file!()));
    assert!(logs.iter().all(|r| r.trace_id.is_none()));

    // The logger's own filter is asked first.
    let filtered = Filtered(RecordingLogger::new(LevelFilter::Trace));
    info!(logger: &filtered, "too verbose");
    warn!(logger: &filtered, target: "noisy", "filtered target");
    error!(logger: &filtered, "kept");
    assert_eq!(filtered.0.messages(), ["kept"]);

    // Nothing went to the global logger or the pre-init buffer.
    assert_eq!(omniscope::preinit::dropped(), 0);
    let global = RecordingLogger::new(LevelFilter::Trace);
    omniscope::set_logger(global.clone()).unwrap();
    assert!(global.logs().is_empty());
}
