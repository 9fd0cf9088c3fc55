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
use omniscope::metrics::{self, Histogram, Key, MetricMeta, Unit};
use omniscope::{Context, Field, Span, SpanSite, Status, Value};
use pin_project_lite::pin_project;

use crate::conventions as semconv;
use crate::grpc::{self, GrpcCall};
use crate::handles::{LabelSet, MetricHandles, SeriesRef};

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
    /// When the request started, read only if the span's tracer does not
    /// time it ([`Span::is_timed`]): the duration is otherwise the span's
    /// own, two clock reads fewer per request.
    started: Option<Instant>,
    side: Side,
    is_error: IsError,
    /// `http.request.method` as recorded (a known method or `_OTHER`).
    pub(crate) method: &'static str,
    /// `url.scheme`.
    pub(crate) scheme: Cow<'static, str>,
    /// `http.route` (server) or `url.template` (client).
    pub(crate) route: Option<Route>,
    /// `server.address` and `server.port` (client metrics).
    pub(crate) server: Option<(String, Option<u16>)>,
    pub(crate) protocol_version: Option<&'static str>,
    pub(crate) status: Option<StatusCode>,
    pub(crate) error_type: Option<ErrorType>,
    pub(crate) grpc: Option<GrpcCall>,
    /// A server's metrics (`http.server.active_requests`, decremented at
    /// the end, and its durations by status).
    pub(crate) series: Option<SeriesRef>,
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
    /// A request whose span is not started yet ([`start_span`](Self::start_span)).
    /// Inlined, so that `Box::new(Exchange::new(…))` builds it in the box
    /// rather than on the stack and then copies it there.
    #[inline]
    pub(crate) fn new(
        side: Side,
        is_error: IsError,
        method: &'static str,
        handles: Arc<MetricHandles>,
    ) -> Exchange {
        Exchange {
            handles,
            span: Span::none(),
            started: None,
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
            series: None,
            response_size: None,
        }
    }

    /// Starts the request's span where the exchange keeps it: a span is
    /// large, and one started elsewhere and moved here was copied three
    /// times per request.
    #[inline]
    pub(crate) fn start_span(
        &mut self,
        parent: &Context,
        site: &'static SpanSite,
        name: &str,
        fields: &[Field<'_>],
    ) {
        self.span.start_over(parent, site, Some(name), fields);
        self.started = (!self.span.is_timed()).then(Instant::now);
    }

    /// Runs `f` with the span's context current (a handler's logs and child
    /// spans, and exemplars of the metrics recorded in `f`, see the span).
    pub(crate) fn in_span<R>(&self, f: impl FnOnce() -> R) -> R {
        // The clone is built in place on the thread's context stack, not
        // cloned here and then moved there (three times a request).
        let _entered = omniscope::__private::attach_clone(self.span.as_context());
        f()
    }

    /// Records the response head: status, the error it means, gRPC's status
    /// when the response is trailers-only.
    pub(crate) fn response_head(&mut self, status: StatusCode, headers: &HeaderMap) {
        self.status = Some(status);
        if let Some(call) = &mut self.grpc {
            call.read_status(headers);
            if !status.is_success() && self.error_type.is_none() {
                self.error_type = Some(ErrorType::Status(status));
            }
        } else if (self.is_error)(status) {
            self.error_type = Some(ErrorType::Status(status));
        }
    }

    /// The request failed without a response (the inner service's error).
    pub(crate) fn failed(&mut self, error_type: Cow<'static, str>, message: &str) {
        self.error_type = Some(ErrorType::Named(error_type));
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
        self.error_type = Some(ErrorType::Named(Cow::Borrowed("panic")));
    }

    /// What the span learns of a gRPC call at its end.
    fn annotate_grpc(&mut self, call: &GrpcCall) {
        let code = call.status();
        let failed = code.is_some_and(|c| grpc::is_error(self.side, c));
        if let Some(code) = code {
            self.span.set_field(&Field::new_static(
                "rpc.grpc.status_code",
                Value::I64(i64::from(code)),
            ));
            if failed {
                self.span.set_status(Status::error(format!(
                    "grpc status {}",
                    grpc::code_name(code)
                )));
            }
        }
        if let Some(error_type) = &self.error_type {
            self.span.set_field(&Field::new_static(
                "error.type",
                Value::Str(error_type.as_str()),
            ));
            if !failed {
                self.span
                    .set_status(Status::error(error_type.as_str().to_owned()));
            }
        }
    }

    /// A gRPC call's duration, in the (ended) span's context.
    fn record_grpc(&self, call: &GrpcCall, elapsed_ms: f64) {
        let code = call.status();
        let mut labels = LabelSet::new();
        labels.push("rpc.system", "grpc");
        labels.push("rpc.service", call.service());
        labels.push("rpc.method", call.method());
        let mut digits = Decimal::default();
        if let Some(code) = code {
            labels.push("rpc.grpc.status_code", digits.of(code));
        }
        let (name, meta) = match self.side {
            Side::Server => (semconv::RPC_SERVER_DURATION, &RPC_SERVER_DURATION),
            Side::Client => (semconv::RPC_CLIENT_DURATION, &RPC_CLIENT_DURATION),
        };
        let histogram = self.handles.durations.get(&labels, |labels| {
            metrics::histogram(&Key::new(name, &labels.labels()), meta)
        });
        self.record_in_span(&histogram, elapsed_ms);
    }

    /// What the span learns of an HTTP exchange at its end (static keys:
    /// kept by the tracer without a copy).
    fn annotate_http(&mut self) {
        if let Some(status) = self.status {
            self.span.set_field(&Field::new_static(
                "http.response.status_code",
                Value::I64(i64::from(status.as_u16())),
            ));
        }
        if let Some(error_type) = &self.error_type {
            self.span.set_field(&Field::new_static(
                "error.type",
                Value::Str(error_type.as_str()),
            ));
            if self.status.is_some() {
                // The description is left empty when the status code says it all.
                self.span.set_status(Status::error(""));
            }
        }
        if let Some(size) = self.response_size {
            self.span.set_field(&Field::new_static(
                "http.response.body.size",
                Value::U64(size),
            ));
        }
    }

    /// An HTTP exchange's duration (and response size), in the (ended)
    /// span's context: the span is their exemplar.
    fn record_http(&self, elapsed_s: f64) {
        let series = self
            .series
            .as_ref()
            .and_then(|at| self.handles.server.get(at));
        let histogram = match (series, &self.error_type) {
            // A server's request that ended with a response (or cancelled)
            // finds its histogram among its series' statuses.
            (Some(series), None | Some(ErrorType::Status(_))) => {
                series.duration(self.status, || self.duration_histogram(&self.labels()))
            }
            _ => Cow::Owned(self.duration_histogram(&self.labels())),
        };
        let size = self.response_size.map(|size| {
            let histogram = self.handles.response_sizes.get(&self.labels(), |labels| {
                metrics::histogram(
                    &Key::new(semconv::SERVER_RESPONSE_BODY_SIZE, &labels.labels()),
                    &RESPONSE_BODY_SIZE,
                )
            });
            (histogram, size)
        });
        self.record_in_span(&histogram, elapsed_s);
        if let Some((histogram, size)) = size {
            self.record_in_span(&histogram, size as f64);
        }
    }

    /// Records `value` with the span as its exemplar, whether or not the
    /// span is current (it has ended by now).
    fn record_in_span(&self, histogram: &Histogram, value: f64) {
        match self.span.as_context() {
            Some(cx) => histogram.record_in(value, cx),
            None => histogram.record(value),
        }
    }

    /// The duration histogram for `labels`, from the layer's handles.
    fn duration_histogram(&self, labels: &LabelSet) -> Histogram {
        let (name, meta) = match self.side {
            Side::Server => (semconv::SERVER_REQUEST_DURATION, &HTTP_SERVER_DURATION),
            Side::Client => (semconv::CLIENT_REQUEST_DURATION, &HTTP_CLIENT_DURATION),
        };
        self.handles.durations.get(labels, |labels| {
            metrics::histogram(&Key::new(name, &labels.labels()), meta)
        })
    }

    /// The labels of the request's duration (and response size).
    fn labels(&self) -> LabelSet {
        let mut labels = LabelSet::new();
        labels.push("http.request.method", self.method);
        if let Some(status) = &self.status {
            labels.push("http.response.status_code", status.as_str());
        }
        if let Some(route) = &self.route {
            let key = match self.side {
                Side::Server => "http.route",
                Side::Client => "url.template",
            };
            labels.push(key, route.as_str());
        }
        if let Some(error_type) = &self.error_type {
            labels.push("error.type", error_type.as_str());
        }
        labels.push("url.scheme", self.scheme.as_ref());
        if let Some(version) = self.protocol_version {
            labels.push("network.protocol.version", version);
        }
        if let Some((address, port)) = &self.server {
            labels.push("server.address", address.as_str());
            if let Some(port) = port {
                labels.push("server.port", Decimal::default().of(i32::from(*port)));
            }
        }
        labels
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let grpc = self.grpc.take();
        match &grpc {
            Some(call) => self.annotate_grpc(call),
            None => self.annotate_http(),
        }
        // The span ends here, before the metrics are recorded, so that its
        // duration is theirs; it keeps its context for their exemplars. A
        // timed span its tracer no longer holds (shut down meanwhile) has
        // no duration to record.
        let elapsed = self
            .span
            .end_timed()
            .or_else(|| self.started.map(|started| started.elapsed()));
        if let Some(elapsed) = elapsed {
            match &grpc {
                Some(call) => self.record_grpc(call, elapsed.as_secs_f64() * 1000.0),
                None => self.record_http(elapsed.as_secs_f64()),
            }
        }
        if let Some(series) = self
            .series
            .as_ref()
            .and_then(|at| self.handles.server.get(at))
        {
            series.active.decrement();
        }
    }
}

/// `http.route` or `url.template`: axum's matched path kept as axum
/// shares it (no copy per request), or a text.
pub(crate) enum Route {
    #[cfg(feature = "axum")]
    Matched(axum::extract::MatchedPath),
    Text(Cow<'static, str>),
}

impl Route {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            #[cfg(feature = "axum")]
            Route::Matched(path) => path.as_str(),
            Route::Text(text) => text,
        }
    }
}

/// `error.type`: the status code that failed the request (its text is
/// the status's own, no copy), or a name.
pub(crate) enum ErrorType {
    Status(StatusCode),
    Named(Cow<'static, str>),
}

impl ErrorType {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            ErrorType::Status(status) => status.as_str(),
            ErrorType::Named(name) => name,
        }
    }
}

/// A number's decimal text, written on the stack (label values are text).
#[derive(Default)]
pub(crate) struct Decimal([u8; 11]);

impl Decimal {
    pub(crate) fn of(&mut self, n: i32) -> &str {
        let mut at = self.0.len();
        let mut rest = n.unsigned_abs();
        loop {
            at -= 1;
            if let Some(digit) = self.0.get_mut(at) {
                *digit = b'0' + (rest % 10) as u8;
            }
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            at -= 1;
            if let Some(sign) = self.0.get_mut(at) {
                *sign = b'-';
            }
        }
        self.0
            .get(at..)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .unwrap_or_default()
    }
}

/// The fields a span starts with, on the stack (a request's span has at
/// most [`Fields::CAPACITY`]; more are not recorded).
pub(crate) struct Fields<'a> {
    items: [Field<'a>; Fields::CAPACITY],
    len: usize,
}

impl<'a> Fields<'a> {
    /// The most a span starts with: a server's HTTP span has at most 14
    /// (gRPC 10, a client's 9). Not more: the array is filled per request.
    pub(crate) const CAPACITY: usize = 14;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writes_any_i32() {
        for n in [0, 7, 443, 65_535, -5, i32::MAX, i32::MIN] {
            assert_eq!(Decimal::default().of(n), n.to_string());
        }
    }
}
