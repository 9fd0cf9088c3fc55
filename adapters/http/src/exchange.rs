//! One request in flight, on either side: its span, its start, what its
//! metrics will be labelled with, and the end — when the response body
//! ends, fails or is dropped, when a `101` switches protocols, or when the
//! request fails. Ending is `Drop`, so every path (a cancelled request, a
//! body dropped half read) ends the span and records the duration once.

use std::any::Any;
use std::borrow::Cow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use bytes::Buf;
use http::{HeaderMap, StatusCode};
use http_body::{Body, Frame, SizeHint};
use omniscope::metrics::{self, Key, Label, MetricMeta, Unit, UpDownCounter};
use omniscope::{Field, Span, Status, Value};
use pin_project_lite::pin_project;

use crate::conventions as semconv;
use crate::grpc::{self, GrpcCall};
use crate::handles::MetricHandles;

const HTTP_SERVER_DURATION: MetricMeta =
    MetricMeta::new(Unit::SECONDS, "Duration of HTTP server requests");
const HTTP_CLIENT_DURATION: MetricMeta =
    MetricMeta::new(Unit::SECONDS, "Duration of HTTP client requests");
const RPC_SERVER_DURATION: MetricMeta =
    MetricMeta::new(Unit::MILLISECONDS, "Measures the duration of inbound RPC");
const RPC_CLIENT_DURATION: MetricMeta =
    MetricMeta::new(Unit::MILLISECONDS, "Measures the duration of outbound RPC");
const RESPONSE_BODY_SIZE: MetricMeta =
    MetricMeta::new(Unit::BYTES, "Size of HTTP server response bodies");

/// Which side of the exchange we are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Server,
    Client,
}

/// Decides whether a status fails the span (the conventions: 5xx on the
/// server, 4xx and 5xx on the client).
pub(crate) type IsError = fn(StatusCode) -> bool;

/// A request in flight. Dropping it ends it.
pub(crate) struct Exchange {
    pub(crate) span: Span,
    started: Instant,
    side: Side,
    is_error: IsError,
    /// `http.request.method` as recorded (a known method or `_OTHER`).
    pub(crate) method: &'static str,
    /// `url.scheme`.
    pub(crate) scheme: Cow<'static, str>,
    /// `http.route` (server) or `url.template` (client).
    pub(crate) route: Option<Cow<'static, str>>,
    /// `server.address` and `server.port` (client metrics).
    pub(crate) server: Option<(String, Option<u16>)>,
    pub(crate) protocol_version: Option<&'static str>,
    pub(crate) status: Option<StatusCode>,
    pub(crate) error_type: Option<Cow<'static, str>>,
    pub(crate) grpc: Option<GrpcCall>,
    /// `http.server.active_requests`, decremented at the end.
    pub(crate) active: Option<UpDownCounter>,
    /// Response body bytes, counted when body sizes are recorded.
    pub(crate) response_size: Option<u64>,
    /// The layer's resolved metric handles.
    handles: Arc<MetricHandles>,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("span", &self.span)
            .field("side", &self.side)
            .field("method", &self.method)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Exchange {
    pub(crate) fn new(
        span: Span,
        side: Side,
        is_error: IsError,
        method: &'static str,
        handles: Arc<MetricHandles>,
    ) -> Exchange {
        Exchange {
            handles,
            span,
            started: Instant::now(),
            side,
            is_error,
            method,
            scheme: Cow::Borrowed("http"),
            route: None,
            server: None,
            protocol_version: None,
            status: None,
            error_type: None,
            grpc: None,
            active: None,
            response_size: None,
        }
    }

    /// Runs `f` with the span's context current (a handler's logs and child
    /// spans, and exemplars of the metrics recorded in `f`, see the span).
    pub(crate) fn in_span<R>(&self, f: impl FnOnce() -> R) -> R {
        let _entered = self
            .span
            .as_context()
            .cloned()
            .map(omniscope::Context::attach);
        f()
    }

    /// Records the response head: status, the error it means, gRPC's status
    /// when the response is trailers-only.
    pub(crate) fn response_head(&mut self, status: StatusCode, headers: &HeaderMap) {
        self.status = Some(status);
        if let Some(call) = &mut self.grpc {
            call.read_status(headers);
            if !status.is_success() && self.error_type.is_none() {
                self.error_type = Some(Cow::Owned(status.as_str().to_owned()));
            }
        } else if (self.is_error)(status) {
            self.error_type = Some(Cow::Owned(status.as_str().to_owned()));
        }
    }

    /// The request failed without a response (the inner service's error).
    pub(crate) fn failed(&mut self, error_type: Cow<'static, str>, message: &str) {
        self.error_type = Some(error_type);
        self.span.set_status(Status::error(message.to_owned()));
    }

    /// The handler (or the body) panicked: recorded on the span as an
    /// exception; the panic itself goes on unwinding, and omniscope's panic
    /// hook (installed by the kit) reports it to the error handler from the
    /// panicking thread, inside this span.
    pub(crate) fn panicked(&mut self, payload: &(dyn Any + Send)) {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_owned());
        self.span.add_event(
            omniscope::Exception::EVENT_NAME,
            &[
                Field::new_static("exception.type", Value::Str("panic")),
                Field::new_static("exception.message", Value::Str(&message)),
            ],
        );
        self.span
            .set_status(Status::error(format!("panicked: {message}")));
        self.error_type = Some(Cow::Borrowed("panic"));
    }

    fn record_grpc(&mut self, call: &GrpcCall, elapsed_ms: f64) {
        let code = call.status();
        let failed = code.is_some_and(|c| grpc::is_error(self.side, c));
        if let Some(code) = code {
            self.span
                .set_attribute("rpc.grpc.status_code", i64::from(code));
            if failed {
                self.span.set_status(Status::error(format!(
                    "grpc status {}",
                    grpc::code_name(code)
                )));
            }
        }
        if let Some(error_type) = &self.error_type {
            self.span.set_attribute("error.type", error_type.as_ref());
            if !failed {
                self.span.set_status(Status::error(error_type.to_string()));
            }
        }
        let code_label = code.map(|c| c.to_string());
        let mut labels = vec![
            Label::new("rpc.system", "grpc"),
            Label::new("rpc.service", call.service()),
            Label::new("rpc.method", call.method()),
        ];
        if let Some(code) = &code_label {
            labels.push(Label::new("rpc.grpc.status_code", code.as_str()));
        }
        let (name, meta) = match self.side {
            Side::Server => (semconv::RPC_SERVER_DURATION, &RPC_SERVER_DURATION),
            Side::Client => (semconv::RPC_CLIENT_DURATION, &RPC_CLIENT_DURATION),
        };
        let histogram = self.handles.durations.get(&labels, || {
            metrics::histogram(&Key::new(name, &labels), meta)
        });
        self.in_span(|| histogram.record(elapsed_ms));
    }

    fn record_http(&mut self, elapsed_s: f64) {
        if let Some(status) = self.status {
            self.span
                .set_attribute("http.response.status_code", i64::from(status.as_u16()));
        }
        if let Some(error_type) = &self.error_type {
            self.span.set_attribute("error.type", error_type.as_ref());
            if self.status.is_some() {
                // The description is left empty when the status code says it all.
                self.span.set_status(Status::error(""));
            }
        }
        if let Some(size) = self.response_size {
            self.span.set_attribute("http.response.body.size", size);
        }
        let mut labels = Vec::with_capacity(9);
        labels.push(Label::new("http.request.method", self.method));
        if let Some(status) = &self.status {
            labels.push(Label::new("http.response.status_code", status.as_str()));
        }
        if let Some(route) = &self.route {
            let key = match self.side {
                Side::Server => "http.route",
                Side::Client => "url.template",
            };
            labels.push(Label::new(key, route.as_ref()));
        }
        if let Some(error_type) = &self.error_type {
            labels.push(Label::new("error.type", error_type.as_ref()));
        }
        labels.push(Label::new("url.scheme", self.scheme.as_ref()));
        if let Some(version) = self.protocol_version {
            labels.push(Label::new("network.protocol.version", version));
        }
        let port;
        if let Some((address, p)) = &self.server {
            labels.push(Label::new("server.address", address.as_str()));
            if let Some(p) = p {
                port = p.to_string();
                labels.push(Label::new("server.port", port.as_str()));
            }
        }
        let (name, meta) = match self.side {
            Side::Server => (semconv::SERVER_REQUEST_DURATION, &HTTP_SERVER_DURATION),
            Side::Client => (semconv::CLIENT_REQUEST_DURATION, &HTTP_CLIENT_DURATION),
        };
        let size = self.response_size;
        let histogram = self.handles.durations.get(&labels, || {
            metrics::histogram(&Key::new(name, &labels), meta)
        });
        self.in_span(|| {
            histogram.record(elapsed_s);
            if let Some(size) = size {
                let key = Key::new(semconv::SERVER_RESPONSE_BODY_SIZE, &labels);
                metrics::histogram(&key, &RESPONSE_BODY_SIZE).record(size as f64);
            }
        });
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let elapsed = self.started.elapsed();
        match self.grpc.take() {
            Some(call) => self.record_grpc(&call, elapsed.as_secs_f64() * 1000.0),
            None => self.record_http(elapsed.as_secs_f64()),
        }
        if let Some(active) = &self.active {
            active.decrement();
        }
        // The span ends as `self.span` drops, after this.
    }
}

/// The fields a span starts with, on the stack (a request's span has at
/// most [`Fields::CAPACITY`]; more are not recorded).
pub(crate) struct Fields<'a> {
    items: [Field<'a>; Fields::CAPACITY],
    len: usize,
}

impl<'a> Fields<'a> {
    pub(crate) const CAPACITY: usize = 20;

    pub(crate) fn new() -> Fields<'a> {
        Fields {
            items: [Field::new_static("", Value::Bool(false)); Fields::CAPACITY],
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, field: Field<'a>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = field;
            self.len += 1;
        }
    }

    pub(crate) fn as_slice(&self) -> &[Field<'a>] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// The short name of a type, for `error.type` (`hyper_util::client::legacy::Error` → `Error`
/// would lose too much, so the last two path segments are kept: `legacy::Error`).
pub(crate) fn type_label<T: ?Sized>() -> Cow<'static, str> {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let mut parts = base.rsplit("::");
    match (parts.next(), parts.next()) {
        (Some(last), Some(module)) => Cow::Owned(format!("{module}::{last}")),
        _ => Cow::Borrowed(base),
    }
}

pin_project! {
    /// A response body that ends its request's span and records its
    /// duration when it ends (streamed and server-sent-event bodies
    /// included), fails, or is dropped. A streamed body (one whose size is
    /// not known in advance) is polled with the request's span current, so
    /// code that produces it logs inside the span; a buffered one runs no
    /// code of yours and is polled as it is.
    pub struct InstrumentedBody<B> {
        #[pin]
        inner: B,
        exchange: Option<Box<Exchange>>,
        streamed: bool,
    }
}

impl<B> std::fmt::Debug for InstrumentedBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstrumentedBody")
            .field("exchange", &self.exchange)
            .finish_non_exhaustive()
    }
}

impl<B: Body> InstrumentedBody<B> {
    /// Ends `exchange` now if the body is already over, else with the body.
    pub(crate) fn new(inner: B, exchange: Option<Box<Exchange>>) -> InstrumentedBody<B> {
        let exchange = exchange.filter(|_| !inner.is_end_stream());
        let streamed = inner.size_hint().exact().is_none();
        InstrumentedBody {
            inner,
            exchange,
            streamed,
        }
    }

    /// The wrapped body.
    pub fn into_inner(self) -> B {
        self.inner
    }
}

impl<B: Body> Body for InstrumentedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let Some(exchange) = this.exchange.as_mut() else {
            return this.inner.poll_frame(cx);
        };
        let mut inner = this.inner;
        let streamed = *this.streamed;
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if streamed {
                exchange.in_span(|| inner.as_mut().poll_frame(cx))
            } else {
                inner.as_mut().poll_frame(cx)
            }
        }));
        let polled = match polled {
            Ok(polled) => polled,
            Err(payload) => {
                exchange.panicked(&*payload);
                *this.exchange = None;
                std::panic::resume_unwind(payload);
            }
        };
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    if let Some(size) = &mut exchange.response_size {
                        *size += data.remaining() as u64;
                    }
                } else if let (Some(trailers), Some(call)) =
                    (frame.trailers_ref(), exchange.grpc.as_mut())
                {
                    call.read_status(trailers);
                }
            }
            Poll::Ready(Some(Err(_))) => {
                exchange.failed(type_label::<B::Error>(), "the response body failed");
                *this.exchange = None;
            }
            Poll::Ready(None) => *this.exchange = None,
            Poll::Pending => {}
        }
        if inner.is_end_stream() {
            *this.exchange = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
