//! The receiver's OTLP/HTTP side: protobuf or JSON bodies, gzip, over
//! plain TCP or TLS.

#[allow(clippy::wildcard_imports)] // the receiver's types and imports
use super::*;

pub(super) async fn serve_http(
    listener: tokio::net::TcpListener,
    state: Shared,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        let tls = tls.clone();
        // The handshake runs in the connection's task: a client that fails
        // it (an untrusted certificate) holds up no other.
        tokio::spawn(async move {
            match tls {
                None => serve_http_connection(stream, state, false).await,
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve_http_connection(stream, state, true).await;
                    }
                }
            }
        });
    }
}

async fn serve_http_connection(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    state: Shared,
    tls: bool,
) {
    let service = hyper::service::service_fn(move |request| {
        let state = state.clone();
        async move { Ok::<_, std::convert::Infallible>(handle_http(request, &state, tls).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

fn answer(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        response.headers_mut().insert("content-type", v);
    }
    response
}

async fn handle_http(
    request: Request<Incoming>,
    state: &Shared,
    tls: bool,
) -> Response<Full<Bytes>> {
    let signal = match request.uri().path() {
        "/v1/traces" => "traces",
        "/v1/metrics" => "metrics",
        "/v1/logs" => "logs",
        _ => {
            return answer(
                StatusCode::NOT_FOUND,
                "text/plain",
                b"unknown path".to_vec(),
            )
        }
    };
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let gzip = header("content-encoding") == "gzip";
    let via = match header("content-type").split(';').next().unwrap_or("") {
        "application/x-protobuf" => Via::HttpProtobuf,
        "application/json" => Via::HttpJson,
        other => {
            let message = format!("unsupported content type {other:?}");
            return answer(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "text/plain",
                message.into_bytes(),
            );
        }
    };
    let Ok(body) = request.into_body().collect().await else {
        return answer(
            StatusCode::BAD_REQUEST,
            "text/plain",
            b"unreadable body".to_vec(),
        );
    };
    let mut body = body.to_bytes().to_vec();
    if gzip {
        let mut plain = Vec::new();
        if let Err(e) = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain) {
            return answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                format!("bad gzip: {e}").into_bytes(),
            );
        }
        body = plain;
    }
    let reply = next_reply(state);
    let accepted = reply.accepts();
    note(
        state,
        RequestInfo {
            via,
            signal,
            headers: headers.clone(),
            gzip,
            accepted,
            tls,
        },
    );
    if !accepted {
        let retry_after = match reply {
            Reply::RetryAfter(value) => value,
            _ => "0",
        };
        let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, "text/plain", Vec::new());
        response.headers_mut().insert(
            "retry-after",
            hyper::header::HeaderValue::from_static(retry_after),
        );
        return response;
    }
    let rejected = match reply {
        Reply::Reject(n) => n,
        _ => 0,
    };
    match decode_and_store(state, signal, via, &body, rejected) {
        Ok(answer_body) => {
            let content_type = if via == Via::HttpJson {
                "application/json"
            } else {
                "application/x-protobuf"
            };
            answer(StatusCode::OK, content_type, answer_body)
        }
        Err(e) => answer(StatusCode::BAD_REQUEST, "text/plain", e.into_bytes()),
    }
}

/// Decodes `body` as the signal's request, records it, and encodes the answer.
fn decode_and_store(
    state: &Shared,
    signal: &str,
    via: Via,
    body: &[u8],
    rejected: i64,
) -> Result<Vec<u8>, String> {
    fn decode<M: Message + Default + serde::de::DeserializeOwned>(
        via: Via,
        body: &[u8],
    ) -> Result<M, String> {
        if via == Via::HttpJson {
            serde_json::from_slice(body).map_err(|e| format!("bad OTLP/JSON: {e}"))
        } else {
            M::decode(body).map_err(|e| format!("bad protobuf: {e}"))
        }
    }
    fn encode<M: Message + serde::Serialize>(via: Via, message: &M) -> Vec<u8> {
        if via == Via::HttpJson {
            serde_json::to_vec(message).unwrap_or_default()
        } else {
            message.encode_to_vec()
        }
    }
    match signal {
        "traces" => {
            let request = decode::<ExportTraceServiceRequest>(via, body)?;
            keep_traces(&mut lock(state), via, request);
            Ok(encode(via, &trace_response(rejected)))
        }
        "metrics" => {
            let request = decode::<ExportMetricsServiceRequest>(via, body)?;
            lock(state).metrics.push((via, request));
            Ok(encode(via, &metrics_response(rejected)))
        }
        _ => {
            let request = decode::<ExportLogsServiceRequest>(via, body)?;
            lock(state).logs.push((via, request));
            Ok(encode(via, &logs_response(rejected)))
        }
    }
}
