//! omniscope → `log`: [`LogForwarder`], an omniscope `Logger` that hands
//! records to a `log` logger (env_logger and friends).

use std::fmt;

use omniscope::{LevelFilter, Logger, Metadata, Record};

use crate::kv::Fields;
use crate::level::{filter_from_log, to_log};

/// An omniscope [`Logger`] that hands each record to a `log` logger: level,
/// target, module path, file, line, the message, and the fields as `kv`
/// key-values with their types (an error stays an error, its `source()`
/// chain reachable), followed by `trace_id` and `span_id` when the record
/// was emitted in a span.
///
/// For teams that migrate one module at a time: the application keeps its
/// `log` logger, and what the migrated modules log through omniscope reaches
/// it too. Install it as omniscope's logger (`omniscope::set_logger`).
///
/// With [`LogForwarder::global`], `log`'s own level filter applies as in
/// `log`'s macros. If `log`'s logger is the [`LogBridge`](crate::LogBridge)
/// too, records would go round: the facade's re-entrancy guard drops the
/// second pass (counted in [`omniscope::dropped_on_reentry`]), so it ends,
/// but delivers nothing; give the forwarder its logger with
/// [`LogForwarder::to`] to use both directions.
pub struct LogForwarder {
    target: Target,
}

enum Target {
    /// `log::logger()`, looked up at each record.
    Global,
    /// A logger of its own.
    Given(Box<dyn log::Log>),
}

impl LogForwarder {
    /// Forwards to `log`'s global logger (whatever `log::set_logger`
    /// installed, looked up at each record), filtered by `log::max_level()`.
    pub fn global() -> LogForwarder {
        LogForwarder {
            target: Target::Global,
        }
    }

    /// Forwards to `logger`, which filters by its own `enabled`.
    pub fn to<L: log::Log + 'static>(logger: L) -> LogForwarder {
        LogForwarder {
            target: Target::Given(Box::new(logger)),
        }
    }

    /// The `log` logger, if `level` passes `log`'s filter for it.
    fn logger(&self, level: log::Level) -> Option<&dyn log::Log> {
        match &self.target {
            Target::Global => (level <= log::max_level()).then(log::logger),
            Target::Given(logger) => Some(&**logger),
        }
    }
}

impl fmt::Debug for LogForwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match self.target {
            Target::Global => "log::logger()",
            Target::Given(_) => "its own log::Log",
        };
        f.debug_struct("LogForwarder")
            .field("target", &target)
            .finish()
    }
}

impl Logger for LogForwarder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let level = to_log(metadata.level());
        self.logger(level).is_some_and(|logger| {
            logger.enabled(
                &log::Metadata::builder()
                    .level(level)
                    .target(metadata.target())
                    .build(),
            )
        })
    }

    fn log(&self, record: &Record<'_>) {
        let level = to_log(record.level());
        let Some(logger) = self.logger(level) else {
            return;
        };
        let fields = Fields {
            fields: record.fields(),
            ids: record.ids(),
        };
        let metadata = record.metadata();
        let forwarded = log::Record::builder()
            .args(*record.args())
            .level(level)
            .target(record.target())
            .module_path(metadata.module_path())
            .file(metadata.file())
            .line(metadata.line())
            .key_values(&fields)
            .build();
        // The `log` logger formats the message and the fields, the
        // application's `Display` impls: one that panics must not unwind
        // into the code that logged (counted in `omniscope::format_panics`).
        let _ = omniscope::catch_format_panic(|| logger.log(&forwarded));
    }

    fn flush(&self) {
        if let Some(logger) = self.logger(log::Level::Error) {
            let _ = omniscope::catch_format_panic(|| logger.flush());
        }
    }

    /// `log::max_level()` for the global logger, read when installed (set
    /// `log`'s level first, as `env_logger::init` does); everything for a
    /// logger of its own, which filters in its `enabled`.
    fn max_level_hint(&self) -> LevelFilter {
        match self.target {
            Target::Global => filter_from_log(log::max_level()),
            Target::Given(_) => LevelFilter::Trace,
        }
    }
}
