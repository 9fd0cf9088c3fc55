//! A blocking HTTP/1 client for exporters that send one request per export
//! (Zipkin's spans, the Prometheus Pushgateway's metrics): hyper's client
//! on a private single-threaded runtime, made on the export thread at the
//! first request, so the application needs no runtime of its own; each
//! request bounded by a timeout; answers classified by [`retry`].
//!
//! Only `http://`: a backend that needs TLS, HTTP/2 or gRPC (OTLP) has a
//! transport of its own.
//!
//! ```no_run
//! use std::time::Duration;
//! use omniscope_sdk::export::http::HttpClient;
//!
//! let mut client = HttpClient::new();
//! let request = http::Request::post("http://127.0.0.1:9411/api/v2/spans")
//!     .header(http::header::CONTENT_TYPE, "application/json")
//!     .body(b"[]".to_vec())?;
//! let sent = client.send(request, Duration::from_secs(10), |status, said| {
//!     format!("the collector answered HTTP {status}: {said}")
//! });
//! # Ok::<(), http::Error>(())
//! ```

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::runtime::Runtime;

use super::ExportError;
use crate::retry;

/// The most of an error answer read, for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The most of an error answer shown in a message, in characters.
const SHOWN_ERROR_BODY: usize = 300;

/// The client and its runtime, both made at the first request. Dropping it
/// never blocks, even inside another runtime.
#[derive(Default)]
pub struct HttpClient {
    runtime: Option<Runtime>,
    client: Option<Client<HttpConnector, Full<Bytes>>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("started", &self.runtime.is_some())
            .finish()
    }
}

impl HttpClient {
    /// A client that starts nothing until its first request.
    pub fn new() -> HttpClient {
        HttpClient::default()
    }

    /// Sends `request` and waits at most `timeout` for the whole answer
    /// (connecting included).
    ///
    /// # Errors
    ///
    /// - [`ExportError::Retryable`] when the server cannot be reached
    ///   ("cannot send to {uri}: …", with the cause);
    /// - [`ExportError::Timeout`] when no whole answer came in time;
    /// - for an answer that is not a success, the error
    ///   [`retry::http_error`] makes of its status
    ///   and `Retry-After`, with the message `refused` writes from the
    ///   status and what the server said (trimmed, at most 300 characters);
    /// - [`ExportError::Internal`] when the client's runtime cannot start.
    pub fn send(
        &mut self,
        request: Request<Vec<u8>>,
        timeout: Duration,
        refused: impl FnOnce(StatusCode, &str) -> String,
    ) -> Result<(), ExportError> {
        let runtime = match &mut self.runtime {
            Some(runtime) => runtime,
            None => self.runtime.insert(start_runtime()?),
        };
        let client = self
            .client
            .get_or_insert_with(|| {
                let mut connector = HttpConnector::new();
                connector.set_connect_timeout(Some(timeout));
                connector.set_nodelay(true);
                // No idle connections kept: the runtime only runs during an
                // export, so a kept connection could not notice the server
                // closing it, and the next export would fail on it.
                Client::builder(TokioExecutor::new())
                    .pool_max_idle_per_host(0)
                    .build(connector)
            })
            .clone();
        let uri = request.uri().clone();
        let request = request.map(|body| Full::new(Bytes::from(body)));
        runtime.block_on(async move {
            let answer = async {
                let response =
                    client
                        .request(request)
                        .await
                        .map_err(|e| ExportError::Retryable {
                            message: omniscope::error::chain_message(
                                format!("cannot send to {uri}"),
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
                    let retry_after = retry_after.as_ref().and_then(|v| v.to_str().ok());
                    outcome(status, retry_after, &body, refused)
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

fn start_runtime() -> Result<Runtime, ExportError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| ExportError::Internal(format!("cannot start the HTTP client's runtime: {e}")))
}

/// The pipeline's view of an answer.
fn outcome(
    status: StatusCode,
    retry_after: Option<&str>,
    body: &[u8],
    refused: impl FnOnce(StatusCode, &str) -> String,
) -> Result<(), ExportError> {
    if status.is_success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(body);
    let said = said.trim();
    let said = match said.char_indices().nth(SHOWN_ERROR_BODY) {
        Some((cut, _)) => format!("{}…", said.get(..cut).unwrap_or(said)),
        None => said.to_owned(),
    };
    let retry_after = retry_after.and_then(|v| retry::retry_after(v, SystemTime::now()));
    Err(retry::http_error(
        status.as_u16(),
        retry_after,
        refused(status, &said),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: StatusCode, said: &str) -> String {
        format!("answered {status}: {said}")
    }

    #[test]
    fn answers_map_to_success_retry_or_failure() {
        assert_eq!(outcome(StatusCode::ACCEPTED, None, b"", refused), Ok(()));
        for code in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(
                outcome(status, Some("7"), b" busy\n", refused),
                Err(ExportError::Retryable {
                    message: format!("answered {status}: busy"),
                    retry_after: Some(Duration::from_secs(7)),
                })
            );
        }
        assert_eq!(
            outcome(StatusCode::BAD_REQUEST, None, b"0/id: too short\n", refused),
            Err(ExportError::Internal(
                "answered 400 Bad Request: 0/id: too short".into()
            ))
        );
    }

    #[test]
    fn long_answers_are_cut_on_a_character() {
        let long = "é".repeat(1000);
        match outcome(StatusCode::BAD_REQUEST, None, long.as_bytes(), refused) {
            Err(ExportError::Internal(message)) => {
                assert!(message.ends_with('…') && message.len() < 800, "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unreachable_server_is_retryable_and_named() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let uri = format!("http://127.0.0.1:{port}/api/v2/spans");
        let request = Request::post(uri.as_str()).body(Vec::new()).unwrap();
        match HttpClient::new().send(request, Duration::from_secs(5), refused) {
            Err(ExportError::Retryable { message, .. }) => {
                assert!(
                    message.starts_with(&format!("cannot send to {uri}: ")),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
