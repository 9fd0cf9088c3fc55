//! OTLP/HTTP (protobuf or JSON bodies) through hyper-util's client.

use std::fmt;
use std::io::Write as _;

use flate2::write::GzEncoder;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, USER_AGENT};
use hyper::{HeaderMap, Method, Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use omniscope_sdk::export::{Accepted, ExportError};
use omniscope_sdk::BuildError;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;

use super::outcome::{accepted, http_status, unreachable};
use super::{tls, Payload};
use crate::config::SignalConfig;
use crate::protocol::{Compression, Protocol};

/// The most of an answer's body read (partial-success details are small).
const MAX_RESPONSE: usize = 64 * 1024;

const USER_AGENT_VALUE: &str = concat!("omniscope-otlp/", env!("CARGO_PKG_VERSION"));

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A pooled HTTP/1.1 client for one signal's URL.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: HttpsClient,
    uri: Uri,
    headers: HeaderMap,
    json: bool,
    gzip: bool,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("uri", &self.uri)
            .field("json", &self.json)
            .field("gzip", &self.gzip)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    pub(super) fn new(config: &SignalConfig) -> Result<HttpClient, BuildError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.timeout));
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(config)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let json = config.protocol == Protocol::HttpJson;
        let mut headers: HeaderMap = config.headers.iter().cloned().collect();
        let content_type = if json {
            "application/json"
        } else {
            "application/x-protobuf"
        };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let gzip = config.compression == Compression::Gzip;
        if gzip {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Ok(HttpClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
            uri: config.endpoint.clone(),
            headers,
            json,
            gzip,
        })
    }

    pub(super) async fn send(self, payload: Payload) -> Result<Accepted, ExportError> {
        let endpoint = self.uri.to_string();
        let body = self.body(&payload)?;
        let mut request = Request::new(Full::new(Bytes::from(body)));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| unreachable(&endpoint, &e))?;
        let (parts, body) = response.into_parts();
        if !parts.status.is_success() {
            return Err(http_status(parts.status, &parts.headers, &endpoint));
        }
        // The batch was taken: an unreadable answer only loses the
        // partial-success details.
        let answer = Limited::new(body, MAX_RESPONSE)
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        Ok(accepted(self.rejected(&payload, &answer)))
    }

    fn body(&self, payload: &Payload) -> Result<Vec<u8>, ExportError> {
        let encoded = match (payload, self.json) {
            (Payload::Traces(r), false) => r.encode_to_vec(),
            (Payload::Metrics(r), false) => r.encode_to_vec(),
            (Payload::Logs(r), false) => r.encode_to_vec(),
            (Payload::Traces(r), true) => to_json(r)?,
            (Payload::Metrics(r), true) => to_json(r)?,
            (Payload::Logs(r), true) => to_json(r)?,
        };
        if !self.gzip {
            return Ok(encoded);
        }
        let mut gz = GzEncoder::new(
            Vec::with_capacity(encoded.len() / 4),
            flate2::Compression::fast(),
        );
        gz.write_all(&encoded)
            .and_then(|()| gz.finish())
            .map_err(|e| ExportError::Internal(format!("cannot gzip the request body: {e}")))
    }

    /// The rejected count of a partial-success answer (empty: none).
    fn rejected(&self, payload: &Payload, answer: &[u8]) -> Option<i64> {
        fn decode<M: Message + Default + serde::de::DeserializeOwned>(
            json: bool,
            b: &[u8],
        ) -> Option<M> {
            if b.is_empty() {
                return None;
            }
            if json {
                serde_json::from_slice(b).ok()
            } else {
                M::decode(b).ok()
            }
        }
        match payload {
            Payload::Traces(_) => decode::<ExportTraceServiceResponse>(self.json, answer)?
                .partial_success
                .map(|p| p.rejected_spans),
            Payload::Metrics(_) => decode::<ExportMetricsServiceResponse>(self.json, answer)?
                .partial_success
                .map(|p| p.rejected_data_points),
            Payload::Logs(_) => decode::<ExportLogsServiceResponse>(self.json, answer)?
                .partial_success
                .map(|p| p.rejected_log_records),
        }
    }
}

fn to_json(message: &impl serde::Serialize) -> Result<Vec<u8>, ExportError> {
    serde_json::to_vec(message)
        .map_err(|e| ExportError::Internal(format!("cannot encode the request as OTLP/JSON: {e}")))
}
