//! The HTTP client of the push exporter: hyper's legacy client on a private
//! single-threaded runtime, created on the export thread at the first push
//! (so the application needs no runtime), every request bounded by a
//! timeout. Answers are mapped to [`ExportError`]s the pipeline
//! understands, by the SDK's classification ([`retry`]): retry on 429,
//! 502, 503, 504 (after `Retry-After`, seconds or a date) and on connection
//! failures; give up on anything else, with the Pushgateway's own message.

use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use omniscope_sdk::export::ExportError;
use omniscope_sdk::retry;
use tokio::runtime::Runtime;

use crate::format::Format;

/// The most of an error answer kept for the message.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The most of an error answer shown in the message.
const SHOWN_ERROR_BODY: usize = 300;

/// One request to send.
pub(crate) struct Push<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) authorization: Option<&'a HeaderValue>,
    pub(crate) body: String,
}

/// The client and its runtime, both made at the first push.
#[derive(Default)]
pub(crate) struct HttpClient {
    runtime: Option<Runtime>,
    client: Option<Client<HttpConnector, Full<Bytes>>>,
}

impl HttpClient {
    /// Sends `push`, waiting at most `timeout` for the whole answer.
    pub(crate) fn send(&mut self, push: Push<'_>, timeout: Duration) -> Result<(), ExportError> {
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| {
                    ExportError::Internal(format!("cannot start the push client's runtime: {e}"))
                })?;
            self.runtime = Some(runtime);
        }
        let client = self
            .client
            .get_or_insert_with(|| {
                // No idle connections kept: the runtime only runs during a
                // push, so a kept connection could not notice the server
                // closing it, and the next push (a minute later) would fail
                // on it. A push per interval can afford a new connection.
                Client::builder(TokioExecutor::new())
                    .pool_max_idle_per_host(0)
                    .build_http()
            })
            .clone();
        let Some(runtime) = &self.runtime else {
            return Err(ExportError::Internal(
                "the push client has no runtime".to_owned(),
            ));
        };
        let what = format!("{} {}", push.method, push.url);
        let request = request(push)?;
        runtime.block_on(async move {
            let answer = async {
                let response =
                    client
                        .request(request)
                        .await
                        .map_err(|e| ExportError::Retryable {
                            message: omniscope::error::chain_message(
                                format!("cannot reach the Pushgateway ({what})"),
                                &e,
                            ),
                            retry_after: None,
                        })?;
                let (parts, body) = response.into_parts();
                // The body is only read for the error message.
                let body = match parts.status.is_success() {
                    true => Bytes::new(),
                    false => Limited::new(body, MAX_ERROR_BODY)
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default(),
                };
                Ok((parts.status, parts.headers.get(RETRY_AFTER).cloned(), body))
            };
            match tokio::time::timeout(timeout, answer).await {
                Err(_) => Err(ExportError::Timeout),
                Ok(Err(e)) => Err(e),
                Ok(Ok((status, retry_after, body))) => {
                    outcome(status, retry_after.as_ref(), &body, &what)
                }
            }
        })
    }
}

impl Drop for HttpClient {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime
        // (an exporter dropped in async code): this does not.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn request(push: Push<'_>) -> Result<Request<Full<Bytes>>, ExportError> {
    let url = push.url;
    let mut builder = Request::builder()
        .method(push.method)
        .uri(push.url)
        .header(CONTENT_TYPE, Format::Text004.content_type());
    if let Some(authorization) = push.authorization {
        builder = builder.header(AUTHORIZATION, authorization.clone());
    }
    builder
        .body(Full::new(Bytes::from(push.body)))
        .map_err(|e| ExportError::Internal(format!("cannot build the push request to {url}: {e}")))
}

/// The pipeline's view of an answer.
fn outcome(
    status: StatusCode,
    retry_after: Option<&HeaderValue>,
    body: &[u8],
    what: &str,
) -> Result<(), ExportError> {
    if status.is_success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(body);
    let said = said.trim();
    let said = match said.char_indices().nth(SHOWN_ERROR_BODY) {
        Some((cut, _)) => format!("{}…", &said[..cut]),
        None => said.to_owned(),
    };
    let mut message = format!("the Pushgateway answered {status} to {what}: {said}");
    if matches!(status.as_u16(), 401 | 403) {
        message.push_str(" (check the credentials given to with_basic_auth)");
    }
    let retry_after = retry_after
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::retry_after(v, SystemTime::now()));
    Err(retry::http_error(status.as_u16(), retry_after, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_export_errors() {
        let what = "PUT http://pgw/metrics/job/x";
        assert_eq!(outcome(StatusCode::OK, None, b"", what), Ok(()));
        assert_eq!(outcome(StatusCode::ACCEPTED, None, b"", what), Ok(()));
        let after = HeaderValue::from_static("7");
        for code in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            match outcome(status, Some(&after), b"busy", what) {
                Err(ExportError::Retryable {
                    message,
                    retry_after,
                }) => {
                    assert_eq!(retry_after, Some(Duration::from_secs(7)));
                    assert!(message.contains("busy"), "{message}");
                }
                other => panic!("{code}: {other:?}"),
            }
        }
        let body = b"text format parsing error in line 1: unexpected end of input stream\n";
        match outcome(StatusCode::BAD_REQUEST, None, body, what) {
            Err(ExportError::Internal(message)) => assert_eq!(
                message,
                "the Pushgateway answered 400 Bad Request to PUT http://pgw/metrics/job/x: \
                 text format parsing error in line 1: unexpected end of input stream"
            ),
            other => panic!("{other:?}"),
        }
        match outcome(StatusCode::UNAUTHORIZED, None, b"Unauthorized", what) {
            Err(ExportError::Internal(message)) => {
                assert!(message.contains("with_basic_auth"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let long = "é".repeat(1000);
        match outcome(StatusCode::BAD_REQUEST, None, long.as_bytes(), what) {
            Err(ExportError::Internal(message)) => {
                assert!(message.ends_with('…') && message.len() < 800, "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Issue #12: `Retry-After` as an HTTP date was ignored here (OTLP
    /// honoured it); both read it through the SDK's one classifier now.
    #[test]
    fn retry_after_as_seconds_or_a_date() {
        let wait = |value: &'static str| {
            let header = HeaderValue::from_static(value);
            match outcome(StatusCode::SERVICE_UNAVAILABLE, Some(&header), b"", "PUT x") {
                Err(ExportError::Retryable { retry_after, .. }) => retry_after,
                other => panic!("{value}: {other:?}"),
            }
        };
        assert_eq!(wait(" 120 "), Some(Duration::from_secs(120)));
        let far = wait("Fri, 31 Dec 9999 23:59:59 GMT");
        assert!(
            far.is_some_and(|d| d > Duration::from_secs(250_000_000_000)),
            "{far:?}"
        );
        assert_eq!(
            wait("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "past"
        );
        assert_eq!(
            wait("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
