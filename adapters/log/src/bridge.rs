//! `log` → omniscope: [`LogBridge`], the `log::Log` that hands `log`'s
//! records to omniscope, and [`install`].

use std::error::Error;
use std::fmt;

use omniscope::log::{dispatch, watch_max_level};
use omniscope::{Metadata, Record, SourceLocation};

use crate::kv::with_fields;
use crate::level::{filter_to_log, from_log};

/// A `log::Log` that hands every record to omniscope: level, target, module
/// path, file, line, the message, and the `kv` key-values as typed fields
/// (see [`MAX_FIELDS`](crate::MAX_FIELDS)). A record carries the trace and
/// span ids of the span current where it was emitted.
///
/// omniscope's filters apply: the global level ([`omniscope::max_level`])
/// and, in [`enabled`](log::Log::enabled), the installed logger's per-target
/// filter. Records pass through the facade's dispatch, so a record that a
/// backend emits while it handles one (a `log` call inside a `Display`
/// impl, a transport that logs) is dropped and counted
/// ([`omniscope::dropped_on_reentry`]), as are records from export threads
/// ([`omniscope::suppress_current_thread`]): nothing loops back.
///
/// [`install`] makes it `log`'s logger; use the type directly only to put
/// it behind a `log` logger of your own.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let level = from_log(metadata.level());
        omniscope::log_enabled!(target: metadata.target(), level)
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = from_log(record.level());
        // `log`'s own filter normally follows omniscope's (see `install`),
        // but an application may set it by hand: omniscope's decides.
        if level > omniscope::STATIC_MAX_LEVEL || level > omniscope::max_level() {
            return;
        }
        let location = match (record.module_path(), record.file(), record.line()) {
            (None, None, None) => None,
            (module_path, file, line) => Some(SourceLocation::new(
                module_path.unwrap_or_default(),
                file.unwrap_or_default(),
                line.unwrap_or_default(),
            )),
        };
        let mut metadata = Metadata::new(level, record.target());
        if let Some(location) = &location {
            metadata = metadata.with_location(location);
        }
        let source = record.key_values();
        if source.count() == 0 {
            dispatch(&Record::new(metadata, *record.args(), &[]));
        } else {
            with_fields(source, |fields| {
                dispatch(&Record::new(metadata, *record.args(), fields));
            });
        }
    }

    fn flush(&self) {
        omniscope::logger().flush();
    }
}

/// The bridge `install` gives `log`.
static BRIDGE: LogBridge = LogBridge;

/// Makes [`LogBridge`] `log`'s logger, and `log`'s level filter
/// (`log::max_level`) follow omniscope's from now on ([`omniscope::max_level`],
/// as a backend, `set_max_level` or a `testing` capture sets it), so that a
/// `log` call omniscope would drop costs one load and a branch, as before.
///
/// Call it once, early in `main` (the kit's `log` feature does, in one
/// builder line). Records logged before omniscope's logger is installed wait
/// in the facade's pre-init buffer, as omniscope's own do.
///
/// # Errors
/// `log` already has a logger ([`InstallError`]); nothing was changed.
pub fn install() -> Result<(), InstallError> {
    log::set_logger(&BRIDGE).map_err(InstallError)?;
    watch_max_level(|filter| log::set_max_level(filter_to_log(filter)));
    Ok(())
}

/// The error of [`install`]: `log` already had a logger.
pub struct InstallError(log::SetLoggerError);

impl fmt::Debug for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InstallError").finish()
    }
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a `log` logger is already installed: omniscope_log::install must be the only \
             log::set_logger call (to keep that logger, forward omniscope's records to it with \
             omniscope_log::LogForwarder instead)",
        )
    }
}

impl Error for InstallError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}
