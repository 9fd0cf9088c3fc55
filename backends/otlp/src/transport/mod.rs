//! Sending encoded batches: gRPC (tonic, on the stubs generated from the
//! official `.proto` files) or HTTP/1.1 (hyper), with TLS through rustls,
//! and the mapping of the answers to `ExportError` / `Accepted`.

mod grpc;
mod http;
mod outcome;
mod tls;

use omniscope_sdk::export::{Accepted, ExportError};
use omniscope_sdk::BuildError;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::config::SignalConfig;

/// One request's content.
#[derive(Debug)]
pub(crate) enum Payload {
    Traces(ExportTraceServiceRequest),
    Metrics(ExportMetricsServiceRequest),
    Logs(ExportLogsServiceRequest),
}

/// A client for one signal's endpoint; clones share connections.
#[derive(Clone, Debug)]
pub(crate) enum Transport {
    Grpc(grpc::GrpcClient),
    /// Boxed: the HTTP client is much larger than a gRPC channel.
    Http(Box<http::HttpClient>),
}

impl Transport {
    /// A client for `config`, not connected yet. Must run inside the I/O
    /// runtime's context (gRPC channels start a background task).
    pub(crate) fn new(config: &SignalConfig) -> Result<Transport, BuildError> {
        if config.protocol.is_http() {
            http::HttpClient::new(config).map(|c| Transport::Http(Box::new(c)))
        } else {
            grpc::GrpcClient::new(config).map(Transport::Grpc)
        }
    }

    /// Sends `payload` and reads the answer.
    pub(crate) async fn send(self, payload: Payload) -> Result<Accepted, ExportError> {
        match self {
            Transport::Grpc(client) => client.send(payload).await,
            Transport::Http(client) => client.send(payload).await,
        }
    }
}
