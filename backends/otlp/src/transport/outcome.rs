//! What an answer means for the pipeline: accepted (wholly or in part),
//! retryable (with the server's requested delay), or failed.

use std::error::Error;
use std::time::SystemTime;

use hyper::header::RETRY_AFTER;
use hyper::{HeaderMap, StatusCode};
use omniscope::error::chain_message;
use omniscope_sdk::export::{Accepted, ExportError};
use omniscope_sdk::retry;
use tonic::Code;
use tonic_types::StatusExt;

/// The items a partial-success answer rejected (`None` or 0: all accepted).
pub(super) fn accepted(rejected: Option<i64>) -> Accepted {
    match rejected.and_then(|r| u64::try_from(r).ok()) {
        Some(rejected) if rejected > 0 => Accepted::Partial { rejected },
        _ => Accepted::All,
    }
}

/// A gRPC error status. Retried, as the OTLP specification lists:
/// `CANCELLED`, `DEADLINE_EXCEEDED`, `ABORTED`, `OUT_OF_RANGE`,
/// `UNAVAILABLE`, `DATA_LOSS`, and `RESOURCE_EXHAUSTED` (the server's
/// `RetryInfo` delay honoured); anything else fails the batch.
pub(super) fn grpc_status(status: &tonic::Status, endpoint: &str) -> ExportError {
    let message = match status.source() {
        // tonic's status for a request that got no answer (refused,
        // reset, TLS failure): say so, as for OTLP/HTTP, with the cause.
        Some(transport) if transport.is::<tonic::transport::Error>() => {
            chain_message(format!("cannot send to {endpoint}"), transport)
        }
        source => {
            let answered = format!(
                "{endpoint} answered gRPC status {:?}: {}",
                status.code(),
                status.message()
            );
            match source {
                Some(source) => chain_message(answered, source),
                None => answered,
            }
        }
    };
    match status.code() {
        Code::Cancelled
        | Code::DeadlineExceeded
        | Code::Aborted
        | Code::OutOfRange
        | Code::Unavailable
        | Code::DataLoss
        | Code::ResourceExhausted => ExportError::Retryable {
            message,
            retry_after: status.get_details_retry_info().and_then(|i| i.retry_delay),
        },
        _ => ExportError::Internal(message),
    }
}

/// An HTTP answer that is not a success, as the SDK classifies it
/// ([`retry::http_error`]): 429, 502, 503 and 504 are retried, after the
/// `Retry-After` delay if the server gave one.
pub(super) fn http_status(status: StatusCode, headers: &HeaderMap, endpoint: &str) -> ExportError {
    let message = format!("{endpoint} answered HTTP {status}");
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::retry_after(v, SystemTime::now()));
    retry::http_error(status.as_u16(), retry_after, message)
}

/// A request that got no answer (refused, reset, TLS failure): retried.
pub(super) fn unreachable(endpoint: &str, error: &(dyn Error + 'static)) -> ExportError {
    ExportError::Retryable {
        message: chain_message(format!("cannot send to {endpoint}"), error),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;
    use std::time::Duration;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        h
    }

    /// The header reaches the SDK's classifier, dates included.
    #[test]
    fn http_statuses_map_to_retry_or_failure() {
        let far = http_status(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers("Fri, 31 Dec 9999 23:59:59 GMT"),
            "http://c/v1/traces",
        );
        assert!(
            matches!(far, ExportError::Retryable { retry_after: Some(d), .. } if d > Duration::from_secs(1 << 30)),
            "{far:?}"
        );
        for code in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            let e = http_status(status, &headers("3"), "http://c/v1/traces");
            assert_eq!(
                e,
                ExportError::Retryable {
                    message: format!("http://c/v1/traces answered HTTP {status}"),
                    retry_after: Some(Duration::from_secs(3)),
                }
            );
        }
        for code in [400, 401, 404, 413, 500] {
            let status = StatusCode::from_u16(code).unwrap();
            let e = http_status(status, &HeaderMap::new(), "http://c/v1/traces");
            assert!(matches!(e, ExportError::Internal(_)), "{code}: {e:?}");
        }
    }

    #[test]
    fn grpc_codes_map_to_retry_or_failure() {
        let retried = [
            Code::Unavailable,
            Code::ResourceExhausted,
            Code::Cancelled,
            Code::DeadlineExceeded,
            Code::Aborted,
            Code::OutOfRange,
            Code::DataLoss,
        ];
        for code in retried {
            let e = grpc_status(&tonic::Status::new(code, "busy"), "http://c:4317");
            assert!(e.is_retryable(), "{code:?}: {e:?}");
        }
        for code in [
            Code::InvalidArgument,
            Code::Unauthenticated,
            Code::Unimplemented,
        ] {
            let e = grpc_status(&tonic::Status::new(code, "no"), "http://c:4317");
            assert!(matches!(e, ExportError::Internal(_)), "{code:?}: {e:?}");
        }
    }

    #[test]
    fn grpc_retry_info_sets_the_delay() {
        let details = tonic_types::ErrorDetails::with_retry_info(Some(Duration::from_secs(4)));
        let status =
            tonic::Status::with_error_details(Code::ResourceExhausted, "slow down", details);
        let ExportError::Retryable { retry_after, .. } = grpc_status(&status, "http://c:4317")
        else {
            panic!("not retryable");
        };
        assert_eq!(retry_after, Some(Duration::from_secs(4)));
    }

    #[test]
    fn partial_success_counts_rejected_items() {
        assert_eq!(accepted(None), Accepted::All);
        assert_eq!(accepted(Some(0)), Accepted::All);
        assert_eq!(accepted(Some(-1)), Accepted::All);
        assert_eq!(accepted(Some(3)), Accepted::Partial { rejected: 3 });
    }
}
