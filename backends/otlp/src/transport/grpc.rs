//! OTLP/gRPC through tonic and `opentelemetry-proto`'s generated clients.

use std::fmt;
use std::time::Duration;

use hyper::HeaderMap;
use omniscope_sdk::export::{Accepted, ExportError};
use omniscope_sdk::BuildError;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use tonic::codec::CompressionEncoding;
use tonic::metadata::MetadataMap;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use super::outcome::{accepted, grpc_status};
use super::tls::{invalid, trusted};
use super::Payload;
use crate::config::{origin, SignalConfig};
use crate::protocol::Compression;

/// A lazily connected channel to one endpoint, and what every request carries.
#[derive(Clone)]
pub(crate) struct GrpcClient {
    channel: Channel,
    endpoint: String,
    metadata: MetadataMap,
    gzip: bool,
    timeout: Duration,
}

impl fmt::Debug for GrpcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrpcClient")
            .field("endpoint", &self.endpoint)
            .field("gzip", &self.gzip)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// How much later than the exporter's timeout the gRPC deadline falls.
const DEADLINE_SLACK: Duration = Duration::from_millis(250);

impl GrpcClient {
    pub(super) fn new(config: &SignalConfig) -> Result<GrpcClient, BuildError> {
        let endpoint = origin(&config.endpoint);
        let mut channel = Endpoint::from_shared(endpoint.clone())
            .map_err(|e| invalid(config, format!("{endpoint} is not a gRPC endpoint: {e}")))?
            // The request timeout is the exporter's own (so that it reads
            // `ExportError::Timeout`), not a tower layer's.
            .connect_timeout(config.timeout)
            .user_agent(concat!("omniscope-otlp/", env!("CARGO_PKG_VERSION")))
            .map_err(|e| invalid(config, format!("bad user agent: {e}")))?;
        if config.endpoint.scheme_str() == Some("https") {
            channel = channel
                .tls_config(tls_config(config)?)
                .map_err(|e| invalid(config, format!("cannot set up TLS for {endpoint}: {e}")))?;
        }
        let headers: HeaderMap = config.headers.iter().cloned().collect();
        Ok(GrpcClient {
            channel: channel.connect_lazy(),
            endpoint,
            metadata: MetadataMap::from_headers(headers),
            gzip: config.compression == Compression::Gzip,
            timeout: config.timeout,
        })
    }

    fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        *request.metadata_mut() = self.metadata.clone();
        // The server learns the deadline (`grpc-timeout`), a little after
        // the exporter's own: tonic enforces it on this side too, and the
        // exporter's timer must be the one that fires, so that a timeout
        // reads `ExportError::Timeout` rather than a `Cancelled` status.
        request.set_timeout(self.timeout.saturating_add(DEADLINE_SLACK));
        request
    }

    pub(super) async fn send(self, payload: Payload) -> Result<Accepted, ExportError> {
        // The generated clients differ in type only: one arm per service.
        macro_rules! export {
            ($client:ident, $request:expr, $rejected:ident) => {{
                let mut client = $client::new(self.channel.clone());
                if self.gzip {
                    client = client
                        .send_compressed(CompressionEncoding::Gzip)
                        .accept_compressed(CompressionEncoding::Gzip);
                }
                let response = client
                    .export(self.request($request))
                    .await
                    .map_err(|status| grpc_status(&status, &self.endpoint))?;
                Ok(accepted(
                    response.into_inner().partial_success.map(|p| p.$rejected),
                ))
            }};
        }
        match payload {
            Payload::Traces(r) => export!(TraceServiceClient, r, rejected_spans),
            Payload::Metrics(r) => export!(MetricsServiceClient, r, rejected_data_points),
            Payload::Logs(r) => export!(LogsServiceClient, r, rejected_log_records),
        }
    }
}

fn tls_config(config: &SignalConfig) -> Result<ClientTlsConfig, BuildError> {
    let tls = ClientTlsConfig::new();
    Ok(match &config.certificate {
        Some((path, pem)) => {
            // Checked as for OTLP/HTTP: tonic itself skips the
            // certificates it cannot parse, failing every handshake later.
            trusted(config, path, pem)?;
            tls.ca_certificate(Certificate::from_pem(pem))
        }
        None => tls.with_native_roots(),
    })
}
