//! The optional OTLP/HTTP receiver ([`Present::serve_otlp`](crate::Present::serve_otlp)):
//! other processes on the machine export their spans and logs to
//! `POST /v1/traces` and `POST /v1/logs` (protobuf or JSON, uncompressed),
//! and the dashboard shows them with its own, so a trace crossing several
//! local services is shown whole.
//!
//! It runs on a server of its own (another port, as OTLP's 4318), with the
//! dashboard's protections: loopback only unless the builder exposes it
//! (with a bearer token, then required here too), host names checked,
//! connections bounded, and a request from a web page refused (a page
//! could otherwise post made-up spans to 127.0.0.1). Bodies are read up to
//! [`MAX_OTLP_BODY`]; a malformed one gets a 400 that says what is wrong,
//! and nothing of it is kept.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::Resource;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use serde::de::DeserializeOwned;

use super::otlp_convert::{self, Malformed};
use super::response::{error, with_type, Body};
use super::{auth, origin, ServeError, Server};
use crate::present::ServerConfig;
use crate::sinks::{LogSink, SpanSink};
use crate::state::State;

/// The largest request body accepted, in bytes (4 MiB, as the
/// OpenTelemetry Collector's default): larger ones get a 413.
pub const MAX_OTLP_BODY: usize = 4 << 20;

/// The most connections the receiver serves at once.
const MAX_OTLP_CONNECTIONS: usize = 32;

struct Receiver {
    state: Arc<State>,
    token: Option<String>,
}

/// Starts the receiver on `config.otlp_addr`.
pub(crate) fn start(state: Arc<State>, config: &ServerConfig) -> Result<Server, ServeError> {
    let server = config.allowed_hosts.iter().fold(
        Server::builder(config.otlp_addr)
            .with_name("omniscope-present-otlp")
            .with_purpose("the dashboard's OTLP receiver")
            .with_bind_hint("pick another address with with_otlp_addr")
            .with_max_connections(MAX_OTLP_CONNECTIONS),
        |server, name| server.with_allowed_host(name.clone()),
    );
    let receiver = Arc::new(Receiver {
        state,
        token: config.bearer_token.clone(),
    });
    server.start(move |request| {
        let receiver = receiver.clone();
        async move { receive(&receiver, request).await }
    })
}

/// The two encodings OTLP/HTTP defines.
#[derive(Clone, Copy)]
enum Encoding {
    Protobuf,
    Json,
}

async fn receive(receiver: &Receiver, req: Request<Incoming>) -> Response<Body> {
    let response = answer(receiver, req).await;
    let counter = match response.status() {
        StatusCode::OK => &receiver.state.otlp_accepted,
        _ => &receiver.state.otlp_refused,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    response
}

async fn answer(receiver: &Receiver, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    if path != "/v1/traces" && path != "/v1/logs" {
        return error(
            StatusCode::NOT_FOUND,
            &format!(
                "no such endpoint: {path}; this OTLP/HTTP receiver takes POST /v1/traces and \
                 /v1/logs (metrics are not received)"
            ),
        );
    }
    if req.method() != Method::POST {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!(
                "method {} is not supported: send OTLP with POST",
                req.method()
            ),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    match &receiver.token {
        Some(token) if !auth::authorized(req.headers(), token) => return auth::unauthorized(),
        // With the token, the request may come from anywhere.
        Some(_) => {}
        None => {
            if let Some(refused) = origin::refuse_cross_origin(req.headers()) {
                return refused;
            }
        }
    }
    let encoding = match encoding_of(&req) {
        Ok(encoding) => encoding,
        Err(why) => return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &why),
    };
    let body = match Limited::new(req.into_body(), MAX_OTLP_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the request body is larger than {MAX_OTLP_BODY} bytes: send smaller batches"
                ),
            )
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("cannot read the request body: {e}"),
            )
        }
    };
    let kept = if path == "/v1/traces" {
        decode::<ExportTraceServiceRequest>(&body, encoding)
            .and_then(|r| otlp_convert::spans(&r))
            .map(|spans| export(SpanSink::new(receiver.state.clone()), spans))
    } else {
        decode::<ExportLogsServiceRequest>(&body, encoding)
            .and_then(|r| otlp_convert::logs(&r))
            .map(|logs| export(LogSink::new(receiver.state.clone()), logs))
    };
    match (kept, encoding) {
        (Err(Malformed(why)), _) => error(
            StatusCode::BAD_REQUEST,
            &format!("malformed OTLP request to {path}: {why}"),
        ),
        // An empty Export*ServiceResponse: full success.
        (Ok(()), Encoding::Protobuf) => with_type(StatusCode::OK, "application/x-protobuf", ""),
        (Ok(()), Encoding::Json) => with_type(StatusCode::OK, "application/json", "{}"),
    }
}

/// The body's encoding from `Content-Type`; compressed bodies are refused
/// (the error says why).
fn encoding_of(req: &Request<Incoming>) -> Result<Encoding, String> {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let compression = header(CONTENT_ENCODING);
    if !compression.is_empty() && !compression.eq_ignore_ascii_case("identity") {
        return Err(format!(
            "Content-Encoding {compression:?} is not supported: export without compression \
             (OTEL_EXPORTER_OTLP_COMPRESSION=none), the receiver is on this machine"
        ));
    }
    let content_type = header(CONTENT_TYPE);
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        _ => Err(format!(
            "Content-Type {content_type:?} is not OTLP: send application/x-protobuf or \
             application/json"
        )),
    }
}

fn decode<T: Message + Default + DeserializeOwned>(
    body: &[u8],
    encoding: Encoding,
) -> Result<T, Malformed> {
    match encoding {
        Encoding::Protobuf => T::decode(body)
            .map_err(|e| Malformed(format!("the body is not a protobuf message of OTLP: {e}"))),
        Encoding::Json => serde_json::from_slice(body)
            .map_err(|e| Malformed(format!("the body is not OTLP/JSON: {e}"))),
    }
}

/// Into the stores, through the dashboard's own exporter (which cuts long
/// strings and completes captures). It accepts everything.
fn export<T, E: Exporter<T>>(mut sink: E, items: Vec<T>) {
    if items.is_empty() {
        return;
    }
    let _ = sink.export(&Batch::from_vec(items), &Resource::new("otlp"));
}
