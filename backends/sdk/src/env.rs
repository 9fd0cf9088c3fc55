//! Reading configuration from environment variables the same way in every
//! crate: the kit and each backend's `from_env`.
//!
//! - A variable that is unset, empty or blank counts as unset (the
//!   OpenTelemetry specification treats an empty value as unset).
//! - A value that is not UTF-8 is an [`EnvError`] naming the variable, never
//!   "unset": taken as unset, it would silently send data to a default
//!   endpoint.
//! - Durations in milliseconds ([`parse_millis`]) are positive and at most
//!   [`MAX_MILLIS`], so that adding one to an `Instant` never overflows.

use std::error::Error;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::time::Duration;

/// Reads variables: the process environment ([`var`]), or a function
/// standing in for it (tests, a configuration file mapped to the same names).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Result<Option<String>, EnvError>;

/// A variable that is set to a value that is not UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    variable: String,
    value: OsString,
}

impl EnvError {
    /// An error for `variable`, set to `value` (not UTF-8).
    pub fn new(variable: impl Into<String>, value: impl Into<OsString>) -> EnvError {
        EnvError {
            variable: variable.into(),
            value: value.into(),
        }
    }

    /// The variable's name.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// The value found, for messages that may show it (leave it out of
    /// messages about variables that hold credentials).
    pub fn value(&self) -> &OsStr {
        &self.value
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not valid UTF-8: write it in UTF-8, or unset it",
            self.variable, self.value
        )
    }
}

impl Error for EnvError {}

/// The process environment's value of `name`: `Ok(None)` when it is unset
/// (empty and blank values are dropped by [`get`]).
///
/// # Errors
/// The value is not UTF-8.
pub fn var(name: &str) -> Result<Option<String>, EnvError> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(value) => value
            .into_string()
            .map(Some)
            .map_err(|value| EnvError::new(name, value)),
    }
}

/// `lookup`'s value of `name`, `None` when unset, empty or blank.
///
/// # Errors
/// The value is not UTF-8 (only [`var`] and lookups built on it find one).
pub fn get(lookup: Lookup<'_>, name: &str) -> Result<Option<String>, EnvError> {
    Ok(lookup(name)?.filter(|v| !v.trim().is_empty()))
}

/// A lookup over a function that cannot meet a value that is not UTF-8
/// (what every `from_env_with` takes).
pub fn infallible(
    lookup: impl Fn(&str) -> Option<String>,
) -> impl Fn(&str) -> Result<Option<String>, EnvError> {
    move |name| Ok(lookup(name))
}

/// The longest duration [`parse_millis`] accepts: one day (86,400,000 ms).
/// A longer timeout or interval is a mistake (a unit slip), and bounding it
/// keeps `Instant` arithmetic far from overflow.
pub const MAX_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// A whole number of milliseconds from 1 to [`MAX_MILLIS`] (surrounding
/// blanks ignored), as OpenTelemetry's duration variables are written;
/// `None` for anything else, for the caller to name the variable.
pub fn parse_millis(value: &str) -> Option<Duration> {
    let value = value.trim();
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match value.parse::<u64>() {
        Ok(ms @ 1..=MAX_MILLIS) => Some(Duration::from_millis(ms)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_are_unset() {
        let lookup = infallible(|name| match name {
            "BLANK" => Some(" \t".to_owned()),
            "EMPTY" => Some(String::new()),
            "SET" => Some(" x ".to_owned()),
            _ => None,
        });
        assert_eq!(get(&lookup, "BLANK"), Ok(None));
        assert_eq!(get(&lookup, "EMPTY"), Ok(None));
        assert_eq!(get(&lookup, "UNSET"), Ok(None));
        assert_eq!(get(&lookup, "SET"), Ok(Some(" x ".to_owned())));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_values_name_the_variable() {
        use std::os::unix::ffi::OsStrExt;
        let e = EnvError::new("OTEL_SERVICE_NAME", OsStr::from_bytes(b"a\xffb"));
        assert_eq!(
            e.to_string(),
            r#"OTEL_SERVICE_NAME="a\xFFb" is not valid UTF-8: write it in UTF-8, or unset it"#
        );
        let lookup = |name: &str| Err(EnvError::new(name, OsStr::from_bytes(b"\xff")));
        assert_eq!(get(&lookup, "X").unwrap_err().variable(), "X");
    }

    #[test]
    fn millis_are_positive_and_at_most_a_day() {
        assert_eq!(parse_millis(" 10000 "), Some(Duration::from_secs(10)));
        assert_eq!(parse_millis("86400000"), Some(Duration::from_secs(86_400)));
        for bad in [
            "0",
            "-1",
            "+5",
            "1.5",
            "5s",
            "",
            "86400001",
            "18446744073709551615",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_millis(bad), None, "{bad}");
        }
    }
}
