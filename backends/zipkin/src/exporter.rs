//! [`ZipkinExporter`]: what [`Zipkin`](crate::Zipkin) hands to the SDK.

use std::io::Write as _;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use hyper::Uri;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::client::HttpClient;
use crate::encode::{self, Encoding};

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
            client: HttpClient::default(),
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
        self.client.post(
            &self.endpoint,
            body,
            self.encoding.content_type(),
            self.gzip,
            self.timeout,
        )?;
        Ok(Accepted::All)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<(), ExportError> {
        self.shut_down = true;
        Ok(())
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
