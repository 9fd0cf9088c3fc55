//! [`ZipkinExporter`]: what [`Zipkin`](crate::Zipkin) hands to the SDK.

use std::io::Write as _;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE, USER_AGENT};
use http::{Method, Request, Uri};
use omniscope_sdk::export::http::HttpClient;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::encode::{self, Encoding};

const USER_AGENT_VALUE: &str = concat!("omniscope-zipkin/", env!("CARGO_PKG_VERSION"));

/// Exports span batches as Zipkin v2 JSON (or proto3) to `POST /api/v2/spans`.
///
/// It runs on the SDK pipeline's export thread, which queues, batches,
/// retries and counts drops; this only translates and sends:
///
/// | answer | result | the pipeline |
/// |---|---|---|
/// | 2xx | `Accepted::All` | counts the spans exported |
/// | 429, 502, 503, 504; no connection | `ExportError::Retryable` (with `Retry-After`) | retries with backoff |
/// | no answer within the timeout | `ExportError::Timeout` | retries with backoff |
/// | any other status | `ExportError::Internal` | drops and counts (`reason="export_failed"`) |
#[derive(Debug)]
pub struct ZipkinExporter {
    endpoint: Uri,
    timeout: Duration,
    encoding: Encoding,
    gzip: bool,
    client: HttpClient,
    shut_down: bool,
}

impl ZipkinExporter {
    pub(crate) fn new(
        endpoint: Uri,
        timeout: Duration,
        encoding: Encoding,
        gzip: bool,
    ) -> ZipkinExporter {
        ZipkinExporter {
            endpoint,
            timeout,
            encoding,
            gzip,
            client: HttpClient::new(),
            shut_down: false,
        }
    }
}

impl Exporter<SpanData> for ZipkinExporter {
    fn name(&self) -> &str {
        "zipkin"
    }

    fn export(
        &mut self,
        batch: &Batch<SpanData>,
        resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        if self.shut_down {
            return Err(ExportError::AlreadyShutdown);
        }
        let body = encode::encode(batch.iter(), resource, self.encoding).map_err(|e| {
            ExportError::Internal(format!("cannot encode the spans as Zipkin JSON: {e}"))
        })?;
        let body = if self.gzip { gzip(&body)? } else { body };
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.endpoint.clone())
            .header(CONTENT_TYPE, self.encoding.content_type())
            .header(USER_AGENT, USER_AGENT_VALUE);
        if self.gzip {
            request = request.header(CONTENT_ENCODING, "gzip");
        }
        let request = request.body(body).map_err(|e| {
            ExportError::Internal(format!(
                "cannot build the request to {}: {e}",
                self.endpoint
            ))
        })?;
        let endpoint = &self.endpoint;
        self.client.send(request, self.timeout, |status, said| {
            refused(endpoint, status, said)
        })?;
        Ok(Accepted::All)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<(), ExportError> {
        self.shut_down = true;
        Ok(())
    }
}

/// The message of an answer that is not a success.
fn refused(endpoint: &Uri, status: http::StatusCode, said: &str) -> String {
    match said.is_empty() {
        true => format!("{endpoint} answered HTTP {status}"),
        false => format!("{endpoint} answered HTTP {status}: {said}"),
    }
}

fn gzip(body: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut gz = GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    gz.write_all(body)
        .and_then(|()| gz.finish())
        .map_err(|e| ExportError::Internal(format!("cannot gzip the request body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_endpoint_and_what_it_said() {
        let endpoint: Uri = "http://c:9411/api/v2/spans".parse().unwrap();
        assert_eq!(
            refused(&endpoint, http::StatusCode::BAD_REQUEST, "0/id: too short"),
            "http://c:9411/api/v2/spans answered HTTP 400 Bad Request: 0/id: too short"
        );
        assert_eq!(
            refused(&endpoint, http::StatusCode::SERVICE_UNAVAILABLE, ""),
            "http://c:9411/api/v2/spans answered HTTP 503 Service Unavailable"
        );
    }
}
