//! What an HTTP answer that is not a success means for an export: which
//! statuses are worth retrying, and how long `Retry-After` asks to wait.
//!
//! One definition for every backend that exports over HTTP (OTLP/HTTP, the
//! Prometheus Pushgateway, and those to come), so that they agree.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use omniscope_sdk::export::ExportError;
//! use omniscope_sdk::retry;
//!
//! let wait = retry::retry_after("120", SystemTime::now());
//! let error = retry::http_error(503, wait, "collector answered 503".into());
//! assert_eq!(
//!     error,
//!     ExportError::Retryable {
//!         message: "collector answered 503".into(),
//!         retry_after: Some(Duration::from_secs(120)),
//!     }
//! );
//! assert!(!retry::http_error(400, None, "bad request".into()).is_retryable());
//! ```

use std::time::{Duration, SystemTime};

use crate::export::ExportError;

/// Whether an HTTP status asks the client to try again later: 429 Too Many
/// Requests, 502 Bad Gateway, 503 Service Unavailable and 504 Gateway
/// Timeout, the statuses the OTLP specification retries. Any other error
/// status would fail again the same way.
pub const fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` value asks for, counted from `now`: a number
/// of seconds, or an HTTP date (any of the three forms RFC 9110 requires a
/// recipient to read). A date already past asks for no wait. Seconds
/// beyond what `u64` holds are read as the longest wait, not as no header:
/// the server asked for more than any batch's budget, and the pipeline
/// then drops the batch (counted) rather than retrying at once. Anything
/// else is `None`, as if the header were absent.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The export error for an HTTP answer with error `status`: retryable,
/// after `retry_after` (from [`retry_after`]), for the statuses of
/// [`is_retryable_status`]; a failure of the batch otherwise. `message`
/// says who answered what.
pub fn http_error(status: u16, retry_after: Option<Duration>, message: String) -> ExportError {
    if is_retryable_status(status) {
        ExportError::Retryable {
            message,
            retry_after,
        }
    } else {
        ExportError::Internal(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_retried_and_not() {
        let table: &[(u16, bool)] = &[
            (429, true),
            (502, true),
            (503, true),
            (504, true),
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (408, false),
            (413, false),
            (500, false),
            (501, false),
            (505, false),
        ];
        for &(status, retried) in table {
            assert_eq!(is_retryable_status(status), retried, "{status}");
            let error = http_error(status, Some(Duration::from_secs(1)), format!("{status}"));
            assert_eq!(error.is_retryable(), retried, "{status}: {error:?}");
        }
    }

    /// Issue #12: the OTLP and Pushgateway exporters used to read
    /// `Retry-After` differently (the Pushgateway's ignored dates); issue
    /// #11: seconds beyond `u64` are the longest wait, not no header.
    #[test]
    fn retry_after_values() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let forever = Some(Duration::from_secs(u64::MAX));
        let table: &[(&str, Option<Duration>)] = &[
            ("7", Some(Duration::from_secs(7))),
            (" 120 ", Some(Duration::from_secs(120))),
            ("0", Some(Duration::ZERO)),
            ("18446744073709551615", forever),
            ("99999999999999999999999", forever),
            // The three forms of an HTTP date, 30 s after `now`.
            (
                "Sun, 06 Nov 1994 08:50:07 GMT",
                Some(Duration::from_secs(30)),
            ),
            (
                "Sunday, 06-Nov-94 08:50:07 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Sun Nov  6 08:50:07 1994", Some(Duration::from_secs(30))),
            // A date already past: no wait.
            ("Sun, 06 Nov 1994 08:00:00 GMT", Some(Duration::ZERO)),
            ("", None),
            ("soon", None),
            ("-1", None),
            ("1.5", None),
            ("+3", None),
        ];
        for &(value, wait) in table {
            assert_eq!(retry_after(value, now), wait, "{value:?}");
        }
        let far = retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now);
        assert!(far.is_some_and(|d| d > Duration::from_secs(250_000_000_000)));
    }
}
