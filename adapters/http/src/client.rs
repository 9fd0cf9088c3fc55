//! The client side: a CLIENT span per request, child of the current
//! context, whose context goes out in the request's headers through the
//! global propagator; the HTTP client attributes and
//! `http.client.request.duration` (or the RPC ones for gRPC).

use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use http::header::HeaderName;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body::Body;
use omniscope::propagation;
use omniscope::trace::SpanSite;
use omniscope::{Context, Field, SpanKind, Value};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::carrier::HeaderCarrier;
use crate::conventions::{self as semconv, DEFAULT_SENSITIVE_QUERY_PARAMETERS};
use crate::exchange::{type_label, Exchange, Fields, InstrumentedBody, IsError, Route, Side};
use crate::grpc::GrpcCall;
use crate::handles::MetricHandles;
use crate::server::{header_names, record_headers};
use crate::BuildError;

static SITE: SpanSite =
    SpanSite::new("http.client", module_path!(), file!(), line!()).with_kind(SpanKind::Client);

/// A request extension naming the URL's template (`/orders/{id}`): the
/// span is then `{method} {template}` and carries `url.template`, as does
/// the duration metric.
///
/// ```
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(omniscope_http::UrlTemplate::new("/orders/{id}"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate(Cow<'static, str>);

impl UrlTemplate {
    /// A template such as `/orders/{id}`.
    pub fn new(template: impl Into<Cow<'static, str>>) -> UrlTemplate {
        UrlTemplate(template.into())
    }
}

/// A request extension saying which resend of a request this is (1 for the
/// first retry), recorded as `http.request.resend_count`. The reqwest
/// middleware counts resends itself; a tower retry policy sets this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResendCount(pub u32);

/// The client options, shared by the tower layer and the reqwest middleware.
pub(crate) struct ClientOptions {
    handles: Arc<MetricHandles>,
    is_error: IsError,
    peer_service: Option<String>,
    sensitive_query: Vec<String>,
    request_headers: Vec<HeaderName>,
    response_headers: Vec<HeaderName>,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientBuilder::default().options(Vec::new(), Vec::new())
    }
}

/// Options of the client instrumentation ([`ClientLayer`], and with the
/// `reqwest` feature the reqwest middleware).
#[must_use]
#[derive(Debug)]
pub struct ClientBuilder {
    is_error: IsError,
    peer_service: Option<String>,
    sensitive_query: Vec<String>,
    request_headers: Vec<String>,
    response_headers: Vec<String>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            is_error: |status| status.is_client_error() || status.is_server_error(),
            peer_service: None,
            sensitive_query: DEFAULT_SENSITIVE_QUERY_PARAMETERS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            request_headers: Vec::new(),
            response_headers: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// Which response statuses fail the span and set `error.type`.
    /// Default: 4xx and 5xx, as the conventions say for clients.
    pub fn with_error_status(mut self, is_error: fn(StatusCode) -> bool) -> ClientBuilder {
        self.is_error = is_error;
        self
    }

    /// `peer.service` on every span: the `service.name` of the service
    /// called (Zipkin shows it as the remote endpoint). Default: none.
    pub fn with_peer_service(mut self, name: impl Into<String>) -> ClientBuilder {
        self.peer_service = Some(name.into());
        self
    }

    /// Query parameters whose values `url.full` shows as `REDACTED`.
    /// Default: [`DEFAULT_SENSITIVE_QUERY_PARAMETERS`].
    pub fn with_sensitive_query_parameters<I, P>(mut self, names: I) -> ClientBuilder
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.sensitive_query = names.into_iter().map(Into::into).collect();
        self
    }

    /// Request headers recorded as `http.request.header.<name>`. Default: none.
    pub fn with_request_headers<I, H>(mut self, names: I) -> ClientBuilder
    where
        I: IntoIterator<Item = H>,
        H: Into<String>,
    {
        self.request_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Response headers recorded as `http.response.header.<name>`. Default: none.
    pub fn with_response_headers<I, H>(mut self, names: I) -> ClientBuilder
    where
        I: IntoIterator<Item = H>,
        H: Into<String>,
    {
        self.response_headers = names.into_iter().map(Into::into).collect();
        self
    }

    fn options(self, request: Vec<HeaderName>, response: Vec<HeaderName>) -> ClientOptions {
        ClientOptions {
            handles: Arc::default(),
            is_error: self.is_error,
            peer_service: self.peer_service,
            sensitive_query: self.sensitive_query,
            request_headers: request,
            response_headers: response,
        }
    }

    fn checked(self) -> Result<ClientOptions, BuildError> {
        let request = header_names(&self.request_headers, "with_request_headers")?;
        let response = header_names(&self.response_headers, "with_response_headers")?;
        Ok(self.options(request, response))
    }

    /// The tower layer.
    ///
    /// # Errors
    ///
    /// A header name given to the builder is not a valid HTTP header name.
    pub fn build(self) -> Result<ClientLayer, BuildError> {
        Ok(ClientLayer {
            options: Arc::new(self.checked()?),
        })
    }

    /// The reqwest middleware.
    ///
    /// # Errors
    ///
    /// A header name given to the builder is not a valid HTTP header name.
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn build_reqwest(self) -> Result<crate::reqwest::ReqwestMiddleware, BuildError> {
        Ok(crate::reqwest::ReqwestMiddleware::new(Arc::new(
            self.checked()?,
        )))
    }
}

/// What the client start needs of a request, whichever library made it.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a mut HeaderMap,
    pub(crate) template: Option<&'a UrlTemplate>,
    pub(crate) resend: u32,
}

/// Starts the CLIENT span under the current context and injects its
/// context into the request's headers.
pub(crate) fn start(request: Outgoing<'_>, options: &ClientOptions) -> Exchange {
    let (method, known) = semconv::method(request.method);
    let uri = request.uri;
    let scheme: Cow<'static, str> = match uri.scheme_str() {
        Some("https") => Cow::Borrowed("https"),
        Some("http") | None => Cow::Borrowed("http"),
        Some(other) => Cow::Owned(other.to_owned()),
    };
    let server = uri
        .authority()
        .map(|a| semconv::host_and_port(a.as_str(), &scheme))
        .map(|(host, port)| (host.to_owned(), port));
    let grpc = GrpcCall::detect(request.headers.get(http::header::CONTENT_TYPE), uri);
    let template = request.template.map(|t| t.0.as_ref());
    let name: Cow<'_, str> = match (&grpc, template) {
        (Some(call), _) => Cow::Borrowed(call.name()),
        (None, Some(template)) => Cow::Owned(format!("{method} {template}")),
        (None, None) => Cow::Borrowed(method),
    };
    let full = semconv::full_url(uri, &options.sensitive_query);

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
                Value::Str(request.method.as_str()),
            ));
        }
        fields.push(Field::new_static("url.full", Value::Str(&full)));
        fields.push(Field::new_static("url.scheme", Value::Str(&scheme)));
        if let Some(template) = template {
            fields.push(Field::new_static("url.template", Value::Str(template)));
        }
        if request.resend > 0 {
            fields.push(Field::new_static(
                "http.request.resend_count",
                Value::U64(u64::from(request.resend)),
            ));
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
    if let Some(peer) = &options.peer_service {
        fields.push(Field::new_static("peer.service", Value::Str(peer)));
    }
    let mut exchange = Exchange::new(
        Side::Client,
        options.is_error,
        method,
        options.handles.clone(),
    );
    exchange.start_span(&Context::current(), &SITE, &name, fields.as_slice());
    // A span that started nothing keeps the caller's context: that goes out.
    if let Some(cx) = exchange.span.as_context() {
        propagation::propagator().inject(cx, &mut HeaderCarrier::new(request.headers));
    }
    if !options.request_headers.is_empty() {
        record_headers(
            &exchange.span,
            "http.request.header.",
            &options.request_headers,
            request.headers,
        );
    }
    exchange.scheme = scheme;
    exchange.server = server;
    exchange.route = request.template.map(|t| Route::Text(t.0.clone()));
    exchange.grpc = grpc;
    exchange
}

/// Records the response head on the exchange.
pub(crate) fn response(
    exchange: &mut Exchange,
    options: &ClientOptions,
    status: StatusCode,
    version: http::Version,
    headers: &HeaderMap,
) {
    exchange.protocol_version = semconv::protocol_version(version);
    if let Some(version) = exchange.protocol_version {
        exchange
            .span
            .set_attribute("network.protocol.version", version);
    }
    if !options.response_headers.is_empty() {
        record_headers(
            &exchange.span,
            "http.response.header.",
            &options.response_headers,
            headers,
        );
    }
    exchange.response_head(status, headers);
}

/// A [`tower::Layer`](tower_layer::Layer) that instruments an HTTP client
/// made of tower services (hyper-util's `Client`, a tonic `Channel`).
///
/// Each request gets a CLIENT span named `{method}` (`{method} {template}`
/// with a [`UrlTemplate`] extension; `{package.Service}/{Method}` for
/// gRPC), child of the current context, whose context the global
/// propagator writes into the request's headers. It records
/// `http.request.method`, `url.full` (credentials and sensitive query
/// values redacted), `server.address`/`server.port`,
/// `network.protocol.version`, `http.response.status_code`,
/// `http.request.resend_count` (from a [`ResendCount`] extension) and
/// `error.type`; 4xx and 5xx fail the span. The span and
/// `http.client.request.duration` last until the response body ends.
///
/// # Examples
///
/// ```
/// use tower_layer::Layer;
///
/// # fn wrap<S>(client: S) -> omniscope_http::client::Client<S> {
/// omniscope_http::client_layer().layer(client)
/// # }
/// ```
#[derive(Clone, Default)]
pub struct ClientLayer {
    options: Arc<ClientOptions>,
}

impl std::fmt::Debug for ClientLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLayer").finish_non_exhaustive()
    }
}

impl ClientLayer {
    /// A builder for a layer with options.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

impl<S> Layer<S> for ClientLayer {
    type Service = Client<S>;

    fn layer(&self, inner: S) -> Client<S> {
        Client {
            inner,
            options: self.options.clone(),
        }
    }
}

/// The service the [`ClientLayer`] wraps around a client.
#[derive(Clone)]
pub struct Client<S> {
    inner: S,
    options: Arc<ClientOptions>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Client<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Error: Display,
    ResBody: Body,
{
    type Response = Response<InstrumentedBody<ResBody>>;
    type Error = S::Error;
    type Future = ClientFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let resend = parts.extensions.get::<ResendCount>().map_or(0, |r| r.0);
        let exchange = start(
            Outgoing {
                method: &parts.method,
                uri: &parts.uri,
                headers: &mut parts.headers,
                template: parts.extensions.get::<UrlTemplate>(),
                resend,
            },
            &self.options,
        );
        let request = Request::from_parts(parts, body);
        let inner = exchange.in_span(|| self.inner.call(request));
        ClientFuture {
            inner,
            exchange: Some(Box::new(exchange)),
            options: self.options.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`Client`].
    pub struct ClientFuture<F> {
        #[pin]
        inner: F,
        exchange: Option<Box<Exchange>>,
        options: Arc<ClientOptions>,
    }
}

impl<F> std::fmt::Debug for ClientFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientFuture")
            .field("exchange", &self.exchange)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ClientFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: Display,
    B: Body,
{
    type Output = Result<Response<InstrumentedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.exchange.as_ref() {
            Some(exchange) => match exchange.in_span(|| this.inner.poll(cx)) {
                Poll::Ready(result) => result,
                Poll::Pending => return Poll::Pending,
            },
            None => {
                return this
                    .inner
                    .poll(cx)
                    .map_ok(|r| r.map(|b| InstrumentedBody::new(b, None)))
            }
        };
        let Some(mut exchange) = this.exchange.take() else {
            return Poll::Pending;
        };
        match result {
            Ok(response) => {
                response_head(&mut exchange, this.options, &response);
                Poll::Ready(Ok(
                    response.map(|body| InstrumentedBody::new(body, Some(exchange)))
                ))
            }
            Err(error) => {
                exchange.failed(type_label::<E>(), &error.to_string());
                Poll::Ready(Err(error))
            }
        }
    }
}

fn response_head<B>(exchange: &mut Exchange, options: &ClientOptions, response: &Response<B>) {
    self::response(
        exchange,
        options,
        response.status(),
        response.version(),
        response.headers(),
    );
}
