//! The server layer: one SERVER span per request, child of the caller's
//! context, with the stable HTTP server attributes, and the
//! `http.server.request.duration` and `http.server.active_requests`
//! metrics (or the RPC ones for gRPC).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use http::header::HeaderName;
use http::{Request, Response, StatusCode};
use http_body::Body;
use omniscope::metrics::{self, Key, MetricMeta, Unit};
use omniscope::propagation::{self, format_traceresponse};
use omniscope::trace::SpanSite;
use omniscope::{Field, Span, SpanKind, Value};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::carrier::{self, HeaderExtractor, RequestHeaders};
use crate::conventions::{self as semconv, DEFAULT_SENSITIVE_QUERY_PARAMETERS};
use crate::exchange::{type_label, Exchange, Fields, InstrumentedBody, IsError, Route, Side};
use crate::grpc::GrpcCall;
use crate::handles::{LabelSet, MetricHandles, ServerSeries};
use crate::BuildError;

static SITE: SpanSite =
    SpanSite::new("http.server", module_path!(), file!(), line!()).with_kind(SpanKind::Server);

const ACTIVE_REQUESTS: MetricMeta = MetricMeta::new(
    Unit::custom("{request}"),
    "Number of active HTTP server requests",
);
const REQUEST_BODY_SIZE: MetricMeta =
    MetricMeta::new(Unit::BYTES, "Size of HTTP server request bodies");

/// What the span name formatter is given: the request's method as recorded
/// (`_OTHER` for unknown methods), its route if known, and the request.
#[derive(Debug, Clone, Copy)]
pub struct SpanNameInput<'a> {
    /// `http.request.method`.
    pub method: &'static str,
    /// `http.route`, if known.
    pub route: Option<&'a str>,
    /// The request's URI.
    pub uri: &'a http::Uri,
}

type SpanNamer = Arc<dyn Fn(SpanNameInput<'_>) -> String + Send + Sync>;

/// The server layer's options, shared by every clone of the service.
struct Options {
    handles: Arc<MetricHandles>,
    skip_paths: Vec<String>,
    request_headers: Vec<HeaderName>,
    response_headers: Vec<HeaderName>,
    is_error: IsError,
    span_name: Option<SpanNamer>,
    traceresponse: bool,
    body_sizes: bool,
    scheme: Cow<'static, str>,
    sensitive_query: Vec<String>,
}

/// A [`tower::Layer`](tower_layer::Layer) that instruments an HTTP server:
/// axum (`Router::layer`), hyper (through `hyper_util::service::TowerToHyperService`)
/// and tonic (`Server::builder().layer(…)`).
///
/// For each request it extracts the caller's context with the installed
/// global propagator (W3C `traceparent`/`tracestate`/`baggage` by default;
/// Jaeger's or B3 when the application installed them), starts a SERVER
/// span as its child — `{method} {route}` with axum's `MatchedPath` (feature
/// `axum`), `{method}` otherwise, never the raw path — and records the
/// stable HTTP server attributes: `http.request.method` (unknown methods as
/// `_OTHER` plus `http.request.method_original`), `url.path`, `url.scheme`,
/// `url.query` (sensitive parameters redacted), `http.route`,
/// `http.response.status_code`, `server.address`/`server.port` (from
/// `Host`), `client.address` (the first `X-Forwarded-For` entry, else the
/// peer from axum's `ConnectInfo`), `network.protocol.version`,
/// `user_agent.original`, and `error.type` (the status code for a 5xx, the
/// error's type when the service failed, `panic`). A 5xx fails the span, a
/// 4xx does not (the server did its job).
///
/// The span and `http.server.request.duration` (recorded inside the span,
/// so it carries the request's exemplar) last until the response body ends:
/// a streamed or server-sent-events body counts whole. A `101 Switching
/// Protocols` ends them at once; the upgraded connection (a WebSocket) is
/// untouched. A handler that panics has the panic recorded on its span;
/// the panic goes on unwinding as it would without the layer (and the
/// kit's panic hook reports it to the error handler, inside the span).
///
/// A gRPC request (`content-type: application/grpc…`) follows the RPC
/// conventions instead: span `{package.Service}/{Method}`, `rpc.system`,
/// `rpc.service`, `rpc.method`, `rpc.grpc.status_code` (from the trailers),
/// failed for the codes that mean the server failed, and
/// `rpc.server.duration` (ms).
///
/// # Examples
///
/// ```
/// use axum::{routing::get, Router};
///
/// let app: Router = Router::new()
///     .route("/orders/{id}", get(|| async { "order" }))
///     .layer(omniscope_http::server());
/// ```
#[derive(Clone)]
pub struct ServerLayer {
    options: Arc<Options>,
}

impl std::fmt::Debug for ServerLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = &self.options;
        f.debug_struct("ServerLayer")
            .field("skip_paths", &o.skip_paths)
            .field("request_headers", &o.request_headers)
            .field("response_headers", &o.response_headers)
            .field("traceresponse", &o.traceresponse)
            .field("body_sizes", &o.body_sizes)
            .field("scheme", &o.scheme)
            .finish_non_exhaustive()
    }
}

impl Default for ServerLayer {
    fn default() -> ServerLayer {
        ServerBuilder::default().build_unchecked()
    }
}

impl ServerLayer {
    /// A builder for a layer with options.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }
}

impl<S> Layer<S> for ServerLayer {
    type Service = Server<S>;

    fn layer(&self, inner: S) -> Server<S> {
        Server {
            inner,
            options: self.options.clone(),
        }
    }
}

/// Options of the [`ServerLayer`].
#[must_use]
pub struct ServerBuilder {
    skip_paths: Vec<String>,
    request_headers: Vec<String>,
    response_headers: Vec<String>,
    is_error: IsError,
    span_name: Option<SpanNamer>,
    traceresponse: bool,
    body_sizes: bool,
    scheme: Cow<'static, str>,
    sensitive_query: Vec<String>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("skip_paths", &self.skip_paths)
            .field("request_headers", &self.request_headers)
            .field("response_headers", &self.response_headers)
            .finish_non_exhaustive()
    }
}

impl Default for ServerBuilder {
    fn default() -> ServerBuilder {
        ServerBuilder {
            skip_paths: Vec::new(),
            request_headers: Vec::new(),
            response_headers: Vec::new(),
            is_error: |status| status.is_server_error(),
            span_name: None,
            traceresponse: false,
            body_sizes: false,
            scheme: Cow::Borrowed("http"),
            sensitive_query: DEFAULT_SENSITIVE_QUERY_PARAMETERS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

impl ServerBuilder {
    /// Request paths (exact, as in `/healthz`) that get no span and no
    /// metrics: health checks and scrapes. Default: none.
    pub fn with_skip_paths<I, P>(mut self, paths: I) -> ServerBuilder
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.skip_paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Request headers recorded as `http.request.header.<name>` (the lines
    /// of a repeated header joined by `,`). Default: none, since headers
    /// carry credentials.
    pub fn with_request_headers<I, H>(mut self, names: I) -> ServerBuilder
    where
        I: IntoIterator<Item = H>,
        H: Into<String>,
    {
        self.request_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Response headers recorded as `http.response.header.<name>`.
    /// Default: none.
    pub fn with_response_headers<I, H>(mut self, names: I) -> ServerBuilder
    where
        I: IntoIterator<Item = H>,
        H: Into<String>,
    {
        self.response_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Which response statuses fail the span and set `error.type`.
    /// Default: 5xx ([`StatusCode::is_server_error`]), as the conventions say.
    pub fn with_error_status(mut self, is_error: fn(StatusCode) -> bool) -> ServerBuilder {
        self.is_error = is_error;
        self
    }

    /// Names the span. Default: `{method} {route}`, or `{method}` without a
    /// route. Keep names low in cardinality: never the raw path.
    pub fn with_span_name<F>(mut self, name: F) -> ServerBuilder
    where
        F: Fn(SpanNameInput<'_>) -> String + Send + Sync + 'static,
    {
        self.span_name = Some(Arc::new(name));
        self
    }

    /// Answers with the W3C Trace Context Level 2 `traceresponse` header
    /// (the request span's context). Default: off, since it tells the
    /// caller the server's trace ids.
    pub fn with_traceresponse(mut self, on: bool) -> ServerBuilder {
        self.traceresponse = on;
        self
    }

    /// Records `http.request.body.size` (from `Content-Length`) and
    /// `http.response.body.size` (bytes sent) on the span, and the
    /// `http.server.request.body.size` and `http.server.response.body.size`
    /// histograms. Default: off.
    pub fn with_body_sizes(mut self, on: bool) -> ServerBuilder {
        self.body_sizes = on;
        self
    }

    /// `url.scheme` when the request URI has none (servers see
    /// `/path`, not `https://host/path`): set `"https"` behind TLS.
    /// Default: `"http"`.
    pub fn with_url_scheme(mut self, scheme: impl Into<Cow<'static, str>>) -> ServerBuilder {
        self.scheme = scheme.into();
        self
    }

    /// Query parameters whose values `url.query` shows as `REDACTED`.
    /// Default: [`DEFAULT_SENSITIVE_QUERY_PARAMETERS`].
    pub fn with_sensitive_query_parameters<I, P>(mut self, names: I) -> ServerBuilder
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.sensitive_query = names.into_iter().map(Into::into).collect();
        self
    }

    /// The layer.
    ///
    /// # Errors
    ///
    /// A header name given to [`with_request_headers`](Self::with_request_headers)
    /// or [`with_response_headers`](Self::with_response_headers) is not a
    /// valid HTTP header name.
    pub fn build(self) -> Result<ServerLayer, BuildError> {
        let request_headers = header_names(&self.request_headers, "with_request_headers")?;
        let response_headers = header_names(&self.response_headers, "with_response_headers")?;
        Ok(self.finish(request_headers, response_headers))
    }

    fn build_unchecked(self) -> ServerLayer {
        self.finish(Vec::new(), Vec::new())
    }

    fn finish(
        self,
        request_headers: Vec<HeaderName>,
        response_headers: Vec<HeaderName>,
    ) -> ServerLayer {
        ServerLayer {
            options: Arc::new(Options {
                handles: Arc::default(),
                skip_paths: self.skip_paths,
                request_headers,
                response_headers,
                is_error: self.is_error,
                span_name: self.span_name,
                traceresponse: self.traceresponse,
                body_sizes: self.body_sizes,
                scheme: self.scheme,
                sensitive_query: self.sensitive_query,
            }),
        }
    }
}

pub(crate) fn header_names(names: &[String], setter: &str) -> Result<Vec<HeaderName>, BuildError> {
    names
        .iter()
        .map(|name| {
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).map_err(|_| {
                BuildError::new(format!(
                    "{setter}: {name:?} is not a valid HTTP header name"
                ))
            })
        })
        .collect()
}

/// Records the allow-listed headers of `headers` as `{prefix}{name}`.
pub(crate) fn record_headers(
    span: &Span,
    prefix: &str,
    names: &[HeaderName],
    headers: &http::HeaderMap,
) {
    for name in names {
        let mut lines = headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
        let Some(first) = lines.next() else { continue };
        let mut value = first.to_owned();
        for line in lines {
            value.push(',');
            value.push_str(line);
        }
        span.set_attribute(&format!("{prefix}{}", name.as_str()), value.as_str());
    }
}

/// The service the [`ServerLayer`] wraps around yours.
#[derive(Clone)]
pub struct Server<S> {
    inner: S,
    options: Arc<Options>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Server<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body,
{
    type Response = Response<InstrumentedBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let options = &*self.options;
        if options.skip_paths.iter().any(|p| p == request.uri().path()) {
            return ResponseFuture {
                inner: self.inner.call(request),
                exchange: None,
                traceresponse: false,
                response_headers: None,
            };
        }
        let exchange = start(&request, options);
        let inner = exchange.in_span(|| self.inner.call(request));
        ResponseFuture {
            inner,
            exchange: Some(exchange),
            traceresponse: options.traceresponse,
            response_headers: (!options.response_headers.is_empty()).then(|| self.options.clone()),
        }
    }
}

/// The route axum matched, if the `axum` feature is on and axum routed
/// (shared with axum, not copied).
fn matched_route<B>(request: &Request<B>) -> Option<Route> {
    #[cfg(feature = "axum")]
    {
        request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .cloned()
            .map(Route::Matched)
    }
    #[cfg(not(feature = "axum"))]
    {
        let _ = request;
        None
    }
}

/// The peer, from axum's `ConnectInfo`, if present.
fn peer<B>(request: &Request<B>) -> Option<std::net::SocketAddr> {
    #[cfg(feature = "axum")]
    {
        request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0)
    }
    #[cfg(not(feature = "axum"))]
    {
        let _ = request;
        None
    }
}

/// Starts the request's span and metrics.
fn start<B>(request: &Request<B>, options: &Options) -> Box<Exchange> {
    let headers = RequestHeaders::of(request.headers());
    let parent = propagation::extract(&HeaderExtractor::scanned(request.headers(), &headers));
    let (method, known) = semconv::method(request.method());
    let uri = request.uri();
    let grpc = GrpcCall::detect(headers.content_type, uri);
    let matched = if grpc.is_some() {
        None
    } else {
        matched_route(request)
    };
    let route = matched.as_ref().map(Route::as_str);
    let scheme: Cow<'static, str> = match uri.scheme_str() {
        Some("https") => Cow::Borrowed("https"),
        Some("http") => Cow::Borrowed("http"),
        Some(other) => Cow::Owned(other.to_owned()),
        None => options.scheme.clone(),
    };
    let authority = uri
        .authority()
        .map(http::uri::Authority::as_str)
        .or_else(|| headers.host.and_then(carrier::text));
    let server = authority.map(|a| semconv::host_and_port(a, &scheme));
    let name: Cow<'_, str> = match (&grpc, &options.span_name, route) {
        (Some(call), _, _) => Cow::Borrowed(call.name()),
        (None, Some(namer), route) => Cow::Owned(namer(SpanNameInput { method, route, uri })),
        (None, None, Some(route)) => Cow::Owned(format!("{method} {route}")),
        (None, None, None) => Cow::Borrowed(method),
    };
    let version = semconv::protocol_version(request.version());
    let query = uri
        .query()
        .map(|q| semconv::redact_query(q, &options.sensitive_query));
    let user_agent = headers.user_agent.and_then(carrier::text);
    let forwarded = headers
        .forwarded_for
        .and_then(carrier::text)
        .and_then(|v| v.split(',').next())
        .map(str::trim);
    let peer = peer(request);
    let peer_ip = peer.map(|p| p.ip().to_string());
    let client = forwarded.or(peer_ip.as_deref());

    let mut fields = Fields::new();
    if let Some(call) = &grpc {
        fields.push(Field::new_static("rpc.system", Value::Str("grpc")));
        fields.push(Field::new_static("rpc.service", Value::Str(call.service())));
        fields.push(Field::new_static("rpc.method", Value::Str(call.method())));
    } else {
        fields.push(Field::new_static("http.request.method", Value::Str(method)));
        if !known {
            fields.push(Field::new_static(
                "http.request.method_original",
                Value::Str(request.method().as_str()),
            ));
        }
        fields.push(Field::new_static("url.path", Value::Str(uri.path())));
        fields.push(Field::new_static("url.scheme", Value::Str(&scheme)));
        if let Some(query) = &query {
            fields.push(Field::new_static("url.query", Value::Str(query)));
        }
        if let Some(route) = route {
            fields.push(Field::new_static("http.route", Value::Str(route)));
        }
        if let Some(agent) = user_agent {
            fields.push(Field::new_static("user_agent.original", Value::Str(agent)));
        }
    }
    if let Some((address, port)) = &server {
        fields.push(Field::new_static("server.address", Value::Str(address)));
        if let Some(port) = port {
            fields.push(Field::new_static(
                "server.port",
                Value::I64(i64::from(*port)),
            ));
        }
    }
    if let Some(version) = version {
        fields.push(Field::new_static(
            "network.protocol.version",
            Value::Str(version),
        ));
    }
    if let Some(client) = client {
        fields.push(Field::new_static("client.address", Value::Str(client)));
    }
    if let (Some(peer), Some(ip)) = (peer, &peer_ip) {
        fields.push(Field::new_static("network.peer.address", Value::Str(ip)));
        fields.push(Field::new_static(
            "network.peer.port",
            Value::I64(i64::from(peer.port())),
        ));
    }
    let content_length = options
        .body_sizes
        .then_some(headers.content_length)
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = content_length {
        fields.push(Field::new_static(
            "http.request.body.size",
            Value::U64(length),
        ));
    }
    // Boxed at once and the span started inside: the body takes the
    // exchange, and moving it there would copy it.
    let mut exchange = Box::new(Exchange::new(
        Side::Server,
        options.is_error,
        method,
        options.handles.clone(),
    ));
    exchange.start_span(&parent, &SITE, &name, fields.as_slice());
    if !options.request_headers.is_empty() {
        record_headers(
            &exchange.span,
            "http.request.header.",
            &options.request_headers,
            request.headers(),
        );
    }
    exchange.protocol_version = version;
    exchange.response_size = options.body_sizes.then_some(0);
    if grpc.is_none() {
        // What the request's metrics share with others until it ends:
        // method, scheme, route and protocol version, by position.
        let mut alike = LabelSet::new();
        alike.push_value(Some(method));
        alike.push_value(Some(scheme.as_ref()));
        alike.push_value(route);
        alike.push_value(version);
        let series = options.handles.server.find(&alike, || {
            let labels = [
                metrics::Label::new("http.request.method", method),
                metrics::Label::new("url.scheme", scheme.as_ref()),
            ];
            ServerSeries::new(metrics::up_down_counter(
                &Key::new(semconv::SERVER_ACTIVE_REQUESTS, &labels),
                &ACTIVE_REQUESTS,
            ))
        });
        if let Some(kept) = options.handles.server.get(&series) {
            kept.active.increment();
        }
        exchange.series = Some(series);
        if let Some(length) = content_length {
            let mut labels = LabelSet::new();
            labels.push("http.request.method", method);
            labels.push("url.scheme", scheme.as_ref());
            let histogram = options.handles.request_sizes.get(&labels, |labels| {
                metrics::histogram(
                    &Key::new(semconv::SERVER_REQUEST_BODY_SIZE, &labels.labels()),
                    &REQUEST_BODY_SIZE,
                )
            });
            exchange.in_span(|| histogram.record(length as f64));
        }
    }
    exchange.route = matched;
    exchange.scheme = scheme;
    exchange.grpc = grpc;
    exchange
}

pin_project! {
    /// The response future of [`Server`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        exchange: Option<Box<Exchange>>,
        traceresponse: bool,
        response_headers: Option<Arc<Options>>,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("exchange", &self.exchange)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<InstrumentedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(exchange) = this.exchange.as_mut() else {
            return this
                .inner
                .poll(cx)
                .map_ok(|response| response.map(|body| InstrumentedBody::new(body, None)));
        };
        let inner = this.inner;
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            exchange.in_span(|| inner.poll(cx))
        }));
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => result,
            Err(payload) => {
                exchange.panicked(&*payload);
                *this.exchange = None;
                std::panic::resume_unwind(payload);
            }
        };
        let Some(mut exchange) = this.exchange.take() else {
            return Poll::Pending;
        };
        match result {
            Ok(mut response) => {
                exchange.response_head(response.status(), response.headers());
                if let Some(options) = this.response_headers.as_deref() {
                    record_headers(
                        &exchange.span,
                        "http.response.header.",
                        &options.response_headers,
                        response.headers(),
                    );
                }
                if *this.traceresponse {
                    if let Some(value) = exchange
                        .span
                        .context()
                        .and_then(|c| http::HeaderValue::try_from(format_traceresponse(&c)).ok())
                    {
                        response.headers_mut().insert("traceresponse", value);
                    }
                }
                let exchange =
                    (response.status() != StatusCode::SWITCHING_PROTOCOLS).then_some(exchange);
                Poll::Ready(Ok(
                    response.map(|body| InstrumentedBody::new(body, exchange))
                ))
            }
            Err(error) => {
                exchange.failed(type_label::<E>(), "the service failed without a response");
                Poll::Ready(Err(error))
            }
        }
    }
}
