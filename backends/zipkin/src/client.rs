//! The HTTP client: hyper's legacy client on a private single-threaded
//! runtime, created on the export thread at the first export (so the
//! application needs no runtime of its own), each request bounded by the
//! timeout. Answers are classified by the SDK ([`retry`]): 429, 502, 503
//! and 504 (after `Retry-After`) and unreachable collectors are retried,
//! anything else fails the batch with the collector's own message.
//!
//! Why not omniscope-otlp's transport: it is private to that crate and
//! bound to OTLP's request types and settings (gRPC, TLS, partial
//! success); exposing it would put hyper types in its public API. This is
//! the smallest client a JSON POST needs, shaped like the Prometheus
//! push client (plain `http://`).

use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use omniscope_sdk::export::ExportError;
use omniscope_sdk::retry;
use tokio::runtime::Runtime;

/// The most of an error answer kept for the message.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// The most of an error answer shown in the message.
const SHOWN_ERROR_BODY: usize = 300;

const USER_AGENT_VALUE: &str = concat!("omniscope-zipkin/", env!("CARGO_PKG_VERSION"));

/// The client and its runtime, both made at the first request.
#[derive(Default)]
pub(crate) struct HttpClient {
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
    /// POSTs `body` (of `content_type`, gzipped when `gzip`) to `uri`,
    /// waiting at most `timeout` for the whole answer.
    pub(crate) fn post(
        &mut self,
        uri: &Uri,
        body: Vec<u8>,
        content_type: &'static str,
        gzip: bool,
        timeout: Duration,
    ) -> Result<(), ExportError> {
        if self.runtime.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| {
                    ExportError::Internal(format!("cannot start the zipkin client's runtime: {e}"))
                })?;
            self.runtime = Some(runtime);
        }
        let client = self
            .client
            .get_or_insert_with(|| {
                let mut connector = HttpConnector::new();
                connector.set_connect_timeout(Some(timeout));
                connector.set_nodelay(true);
                // No idle connections kept: the runtime only runs during an
                // export, so a kept connection could not notice the
                // collector closing it, and the next export would fail on it.
                Client::builder(TokioExecutor::new())
                    .pool_max_idle_per_host(0)
                    .build(connector)
            })
            .clone();
        let Some(runtime) = &self.runtime else {
            return Err(ExportError::Internal(
                "the zipkin client has no runtime".to_owned(),
            ));
        };
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        if gzip {
            request = request.header(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| {
            ExportError::Internal(format!("cannot build the request to {uri}: {e}"))
        })?;
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
                    outcome(status, retry_after.as_ref(), &body, uri)
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

/// The pipeline's view of an answer.
fn outcome(
    status: StatusCode,
    retry_after: Option<&HeaderValue>,
    body: &[u8],
    uri: &Uri,
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
    let message = match said.is_empty() {
        true => format!("{uri} answered HTTP {status}"),
        false => format!("{uri} answered HTTP {status}: {said}"),
    };
    let retry_after = retry_after
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::retry_after(v, SystemTime::now()));
    Err(retry::http_error(status.as_u16(), retry_after, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_success_retry_or_failure() {
        let uri: Uri = "http://c:9411/api/v2/spans".parse().unwrap();
        assert_eq!(outcome(StatusCode::ACCEPTED, None, b"", &uri), Ok(()));
        let wait = HeaderValue::from_static("3");
        assert_eq!(
            outcome(StatusCode::SERVICE_UNAVAILABLE, Some(&wait), b"", &uri),
            Err(ExportError::Retryable {
                message: "http://c:9411/api/v2/spans answered HTTP 503 Service Unavailable".into(),
                retry_after: Some(Duration::from_secs(3)),
            })
        );
        let bad = outcome(StatusCode::BAD_REQUEST, None, b"0/id: too short\n", &uri);
        assert_eq!(
            bad,
            Err(ExportError::Internal(
                "http://c:9411/api/v2/spans answered HTTP 400 Bad Request: 0/id: too short".into()
            ))
        );
    }
}
