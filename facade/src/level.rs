//! Severity levels, the global level filter, and compile-time stripping.
//!
//! Every log macro first compares its level with [`STATIC_MAX_LEVEL`] (a
//! constant, so disabled levels vanish at compile time) and then with
//! [`max_level()`], one relaxed atomic load. Installing a logger sets the
//! global filter from [`Logger::max_level_hint`](crate::Logger::max_level_hint),
//! so an installed backend is never silent because a second setter was forgotten.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// The severity of a log record or span, from most to least severe.
#[repr(usize)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Something failed and needs attention.
    Error = 1,
    /// Something unexpected happened, but the program carries on.
    Warn = 2,
    /// Normal operation worth recording.
    Info = 3,
    /// Detail useful while debugging.
    Debug = 4,
    /// Very detailed tracing of execution.
    Trace = 5,
}

/// A level threshold: [`LevelFilter::Off`] or the most verbose [`Level`] let through.
#[repr(usize)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LevelFilter {
    /// Nothing is let through.
    Off = 0,
    /// Only [`Level::Error`].
    Error = 1,
    /// [`Level::Warn`] and more severe.
    Warn = 2,
    /// [`Level::Info`] and more severe.
    Info = 3,
    /// [`Level::Debug`] and more severe.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl Level {
    /// All levels, most severe first.
    pub const ALL: [Level; 5] = [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ];

    /// The upper-case name (`"ERROR"` … `"TRACE"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }

    /// The filter that lets this level and everything more severe through.
    pub const fn to_filter(self) -> LevelFilter {
        match self {
            Level::Error => LevelFilter::Error,
            Level::Warn => LevelFilter::Warn,
            Level::Info => LevelFilter::Info,
            Level::Debug => LevelFilter::Debug,
            Level::Trace => LevelFilter::Trace,
        }
    }

    /// The OpenTelemetry severity number (1–24) of the first step of this level.
    pub const fn severity_number(self) -> u8 {
        match self {
            Level::Trace => 1,
            Level::Debug => 5,
            Level::Info => 9,
            Level::Warn => 13,
            Level::Error => 17,
        }
    }
}

impl LevelFilter {
    /// The upper-case name (`"OFF"`, `"ERROR"` … `"TRACE"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            LevelFilter::Off => "OFF",
            LevelFilter::Error => "ERROR",
            LevelFilter::Warn => "WARN",
            LevelFilter::Info => "INFO",
            LevelFilter::Debug => "DEBUG",
            LevelFilter::Trace => "TRACE",
        }
    }

    /// The most verbose level let through, or `None` for [`LevelFilter::Off`].
    pub const fn to_level(self) -> Option<Level> {
        match self {
            LevelFilter::Off => None,
            LevelFilter::Error => Some(Level::Error),
            LevelFilter::Warn => Some(Level::Warn),
            LevelFilter::Info => Some(Level::Info),
            LevelFilter::Debug => Some(Level::Debug),
            LevelFilter::Trace => Some(Level::Trace),
        }
    }

    const fn from_usize(n: usize) -> LevelFilter {
        match n {
            0 => LevelFilter::Off,
            1 => LevelFilter::Error,
            2 => LevelFilter::Warn,
            3 => LevelFilter::Info,
            4 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        }
    }
}

// A level compares as "less" when it is more severe, as in the `log` crate,
// so `level <= filter` reads "is let through".
impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Level) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Level) -> Ordering {
        (*self as usize).cmp(&(*other as usize))
    }
}

impl PartialEq<LevelFilter> for Level {
    fn eq(&self, other: &LevelFilter) -> bool {
        *self as usize == *other as usize
    }
}

impl PartialOrd<LevelFilter> for Level {
    fn partial_cmp(&self, other: &LevelFilter) -> Option<Ordering> {
        Some((*self as usize).cmp(&(*other as usize)))
    }
}

impl PartialEq<Level> for LevelFilter {
    fn eq(&self, other: &Level) -> bool {
        *self as usize == *other as usize
    }
}

impl PartialOrd<Level> for LevelFilter {
    fn partial_cmp(&self, other: &Level) -> Option<Ordering> {
        Some((*self as usize).cmp(&(*other as usize)))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for LevelFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The error returned when a string is not a level name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError {
    input: String,
}

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid level `{}`: expected one of off, error, warn, info, debug, trace",
            self.input
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for LevelFilter {
    type Err = ParseLevelError;

    /// Parses a level name, case-insensitively (`"off"`, `"error"`, `"warn"`/`"warning"`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Ok(LevelFilter::Off),
            "error" => Ok(LevelFilter::Error),
            "warn" | "warning" => Ok(LevelFilter::Warn),
            "info" => Ok(LevelFilter::Info),
            "debug" => Ok(LevelFilter::Debug),
            "trace" => Ok(LevelFilter::Trace),
            _ => Err(ParseLevelError {
                input: s.to_owned(),
            }),
        }
    }
}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Parses a level name, case-insensitively; `"off"` is rejected.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<LevelFilter>()?
            .to_level()
            .ok_or_else(|| ParseLevelError {
                input: s.to_owned(),
            })
    }
}

/// The most verbose level compiled in, set by the `max_level_*` and
/// `release_max_level_*` Cargo features (`release_*` only when
/// `debug_assertions` are off).
///
/// Unlike the `log` crate, when several of these features are on, the most
/// *verbose* one wins: features are additive, so turning one more on never
/// compiles logging out, and `--all-features` keeps every level. These
/// features belong to the application; libraries must not enable them.
pub const STATIC_MAX_LEVEL: LevelFilter = static_max_level();

const fn static_max_level() -> LevelFilter {
    // Every level whose feature is on (for this build profile), then the
    // most verbose of them; no feature at all means everything.
    let enabled = [
        (cfg!(feature = "max_level_off"), LevelFilter::Off),
        (cfg!(feature = "max_level_error"), LevelFilter::Error),
        (cfg!(feature = "max_level_warn"), LevelFilter::Warn),
        (cfg!(feature = "max_level_info"), LevelFilter::Info),
        (cfg!(feature = "max_level_debug"), LevelFilter::Debug),
        (cfg!(feature = "max_level_trace"), LevelFilter::Trace),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_off"
            )),
            LevelFilter::Off,
        ),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_error"
            )),
            LevelFilter::Error,
        ),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_warn"
            )),
            LevelFilter::Warn,
        ),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_info"
            )),
            LevelFilter::Info,
        ),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_debug"
            )),
            LevelFilter::Debug,
        ),
        (
            cfg!(all(
                not(debug_assertions),
                feature = "release_max_level_trace"
            )),
            LevelFilter::Trace,
        ),
    ];
    let mut any = false;
    let mut most_verbose = LevelFilter::Off;
    let mut i = 0;
    while i < enabled.len() {
        let (on, level) = enabled[i];
        if on && level as usize > most_verbose as usize {
            most_verbose = level;
        }
        any |= on;
        i += 1;
    }
    if any {
        most_verbose
    } else {
        LevelFilter::Trace
    }
}

static MAX_LEVEL: AtomicUsize = AtomicUsize::new(LevelFilter::Info as usize);

/// The global level filter: records more verbose than this are dropped by
/// the macros before anything is built. One relaxed atomic load.
#[inline(always)]
pub fn max_level() -> LevelFilter {
    LevelFilter::from_usize(MAX_LEVEL.load(AtomicOrdering::Relaxed))
}

/// Sets the global level filter.
///
/// Installing a logger already sets it from the logger's
/// [`max_level_hint`](crate::Logger::max_level_hint); call this only to
/// change it at run time. The effective filter is never below what an active
/// [`testing`](crate::testing) capture needs.
pub fn set_max_level(filter: LevelFilter) {
    crate::global::set_requested_level(filter);
}

/// What the installed logger (or, before one, the pre-init buffer) asked
/// for: [`max_level`] without the widening an active `testing` capture
/// causes. Records let through only for a capture must not reach them.
static BASE_MAX_LEVEL: AtomicUsize = AtomicUsize::new(LevelFilter::Info as usize);

pub(crate) fn base_max_level() -> LevelFilter {
    LevelFilter::from_usize(BASE_MAX_LEVEL.load(AtomicOrdering::Relaxed))
}

pub(crate) fn store_max_level(effective: LevelFilter, base: LevelFilter) {
    BASE_MAX_LEVEL.store(base as usize, AtomicOrdering::Relaxed);
    MAX_LEVEL.store(effective as usize, AtomicOrdering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_like_log() {
        assert!(Level::Error < Level::Trace);
        assert!(Level::Debug <= LevelFilter::Debug);
        assert!(Level::Trace > LevelFilter::Debug);
        assert!(Level::Error > LevelFilter::Off);
    }

    #[test]
    fn parses_names_case_insensitively() {
        assert_eq!("WARNING".parse::<LevelFilter>(), Ok(LevelFilter::Warn));
        assert_eq!("Debug".parse::<Level>(), Ok(Level::Debug));
        let err = "loud".parse::<LevelFilter>().unwrap_err();
        assert!(err.to_string().contains("`loud`"));
        assert!("off".parse::<Level>().is_err());
    }
}
