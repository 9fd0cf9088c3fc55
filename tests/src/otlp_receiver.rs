//! An OTLP receiver on the official protocol definitions: gRPC through the
//! tonic server stubs `opentelemetry-proto` generates from the `.proto`
//! files, and OTLP/HTTP (protobuf with prost, JSON with the generated serde
//! code, optionally gzipped) through hyper. It records what it decoded.
//!
//! Its ports are chosen when it is created; it can listen later
//! ([`OtlpReceiver::reserve`] then [`serve`](OtlpReceiver::serve)), be
//! killed (connections closed, ports refusing), stall (accept connections
//! and never answer), or answer with partial success or "unavailable". It
//! can serve TLS on both ports ([`OtlpReceiver::start_tls`]).

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use omniscope::sync::lock;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::Metric;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use stall::Stall;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Runtime;
use tonic::codec::CompressionEncoding;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

mod over_http;
mod stall;
mod tls;

pub use tls::TlsIdentity;

/// How long [`OtlpReceiver::wait_for`] waits by default.
pub const WAIT: Duration = Duration::from_secs(30);

/// Which transport carried a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// OTLP/gRPC.
    Grpc,
    /// OTLP/HTTP with a protobuf body.
    HttpProtobuf,
    /// OTLP/HTTP with a JSON body.
    HttpJson,
}

/// How the receiver answers the next requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Success (the default).
    Accept,
    /// Success, with a partial-success answer rejecting this many items.
    Reject(i64),
    /// gRPC `UNAVAILABLE` / HTTP 503 (with `Retry-After: 0`) for the next
    /// `n` requests, then success. Refused requests are not recorded.
    Unavailable(u32),
    /// gRPC `UNAVAILABLE` / HTTP 503 with `Retry-After` set to this value
    /// (seconds or an HTTP date), for every request until another reply is
    /// set. Refused requests are not recorded.
    RetryAfter(&'static str),
}

impl Reply {
    /// Whether the request is answered with success.
    fn accepts(self) -> bool {
        !matches!(self, Reply::Unavailable(_) | Reply::RetryAfter(_))
    }
}

/// A request the receiver decoded (or refused).
#[derive(Clone, Debug)]
pub struct RequestInfo {
    /// The transport.
    pub via: Via,
    /// `traces`, `metrics` or `logs`.
    pub signal: &'static str,
    /// The request headers (gRPC: its metadata), names in lower case.
    pub headers: Vec<(String, String)>,
    /// Whether the body was gzipped.
    pub gzip: bool,
    /// Whether it was answered with success.
    pub accepted: bool,
    /// Whether it came over TLS.
    pub tls: bool,
}

/// A received span, with where it came from.
#[derive(Clone, Debug)]
pub struct ReceivedSpan {
    /// The transport.
    pub via: Via,
    /// The resource's attributes.
    pub resource: Vec<KeyValue>,
    /// The instrumentation scope's name.
    pub scope: String,
    /// The span.
    pub span: Span,
}

/// A received metric, with where it came from.
#[derive(Clone, Debug)]
pub struct ReceivedMetric {
    /// The transport.
    pub via: Via,
    /// The resource's attributes.
    pub resource: Vec<KeyValue>,
    /// The metric.
    pub metric: Metric,
}

/// A received log record, with where it came from.
#[derive(Clone, Debug)]
pub struct ReceivedLog {
    /// The transport.
    pub via: Via,
    /// The resource's attributes.
    pub resource: Vec<KeyValue>,
    /// The instrumentation scope's name.
    pub scope: String,
    /// The record.
    pub record: LogRecord,
}

#[derive(Default)]
struct State {
    traces: Vec<(Via, ExportTraceServiceRequest)>,
    metrics: Vec<(Via, ExportMetricsServiceRequest)>,
    logs: Vec<(Via, ExportLogsServiceRequest)>,
    requests: Vec<RequestInfo>,
    reply: Option<Reply>,
    /// Only count (for benches): keep no request.
    counting_only: bool,
    counted_spans: u64,
}

type Shared = Arc<Mutex<State>>;

/// What the receiver is doing now.
enum Mode {
    Off,
    Serving(Runtime),
    Stalling(Stall),
}

/// An OTLP receiver on two loopback ports (gRPC and HTTP).
pub struct OtlpReceiver {
    grpc: SocketAddr,
    http: SocketAddr,
    state: Shared,
    mode: Mode,
    tls: Option<tls::ServerTls>,
}

impl OtlpReceiver {
    /// A receiver listening now on two free ports.
    pub fn start() -> OtlpReceiver {
        let mut receiver = OtlpReceiver::reserve();
        receiver.serve();
        receiver
    }

    /// A receiver listening now on two free ports, serving TLS on both
    /// with `identity` (its endpoints are `https://`).
    pub fn start_tls(identity: &TlsIdentity) -> OtlpReceiver {
        let mut receiver = OtlpReceiver::reserve().with_tls(identity);
        receiver.serve();
        receiver
    }

    /// A receiver whose ports are chosen (and free) but not listening:
    /// connections are refused until [`serve`](OtlpReceiver::serve).
    pub fn reserve() -> OtlpReceiver {
        OtlpReceiver {
            grpc: free_port(),
            http: free_port(),
            state: Shared::default(),
            mode: Mode::Off,
            tls: None,
        }
    }

    /// Serves TLS with `identity` on both ports from the next
    /// [`serve`](OtlpReceiver::serve) on. Panics if the PEM is unusable.
    pub fn with_tls(mut self, identity: &TlsIdentity) -> OtlpReceiver {
        self.tls = Some(tls::ServerTls::new(identity));
        self
    }

    /// Listens (again) on the receiver's ports, keeping what it received.
    pub fn serve(&mut self) {
        self.kill();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("otlp-receiver")
            .enable_all()
            .build()
            .unwrap();
        let grpc = bind(&runtime, self.grpc);
        let http = bind(&runtime, self.http);
        let tls = self.tls.clone();
        runtime.spawn(serve_grpc(
            grpc,
            self.state.clone(),
            tls.as_ref().map(|t| t.grpc.clone()),
        ));
        runtime.spawn(over_http::serve_http(
            http,
            self.state.clone(),
            tls.map(|t| t.http),
        ));
        self.mode = Mode::Serving(runtime);
    }

    /// Stops listening and closes every connection at once, as a crashed
    /// collector would.
    pub fn kill(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Off) {
            Mode::Serving(runtime) => runtime.shutdown_background(),
            Mode::Stalling(stall) => stall.stop(),
            Mode::Off => {}
        }
    }

    /// Accepts connections on both ports and never reads or answers, as a
    /// hung collector would.
    pub fn stall(&mut self) {
        self.kill();
        self.mode = Mode::Stalling(Stall::start(&[self.grpc, self.http]));
    }

    /// How many connections the stalled receiver accepted so far.
    pub fn stalled_connections(&self) -> usize {
        match &self.mode {
            Mode::Stalling(stall) => stall.held(),
            _ => 0,
        }
    }

    /// `http://127.0.0.1:<grpc port>` (`https://` when serving TLS).
    pub fn grpc_endpoint(&self) -> String {
        format!("{}://{}", self.scheme(), self.grpc)
    }

    /// `http://127.0.0.1:<http port>` (`https://` when serving TLS; a
    /// base: `/v1/traces` etc. are served).
    pub fn http_endpoint(&self) -> String {
        format!("{}://{}", self.scheme(), self.http)
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// Keeps nothing from now on, only counts spans (so that a bench's
    /// millions of spans take no memory); see [`span_count`](OtlpReceiver::span_count).
    pub fn count_only(&self) {
        lock(&self.state).counting_only = true;
    }

    /// How many spans were received in all (kept or only counted).
    pub fn span_count(&self) -> u64 {
        lock(&self.state).counted_spans
    }

    /// How the next requests are answered.
    pub fn set_reply(&self, reply: Reply) {
        lock(&self.state).reply = Some(reply);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestInfo> {
        lock(&self.state).requests.clone()
    }

    /// Every span received, in arrival order.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        let state = lock(&self.state);
        let mut out = Vec::new();
        for (via, request) in &state.traces {
            for rs in &request.resource_spans {
                let resource = rs.resource.clone().unwrap_or_default().attributes;
                for ss in &rs.scope_spans {
                    let scope = ss
                        .scope
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    out.extend(ss.spans.iter().map(|span| ReceivedSpan {
                        via: *via,
                        resource: resource.clone(),
                        scope: scope.clone(),
                        span: span.clone(),
                    }));
                }
            }
        }
        out
    }

    /// Every metric received, in arrival order (one per metric per export).
    pub fn metrics(&self) -> Vec<ReceivedMetric> {
        let state = lock(&self.state);
        let mut out = Vec::new();
        for (via, request) in &state.metrics {
            for rm in &request.resource_metrics {
                let resource = rm.resource.clone().unwrap_or_default().attributes;
                for sm in &rm.scope_metrics {
                    out.extend(sm.metrics.iter().map(|metric| ReceivedMetric {
                        via: *via,
                        resource: resource.clone(),
                        metric: metric.clone(),
                    }));
                }
            }
        }
        out
    }

    /// The last metric received named `name`.
    pub fn last_metric(&self, name: &str) -> Option<ReceivedMetric> {
        self.metrics()
            .into_iter()
            .rev()
            .find(|m| m.metric.name == name)
    }

    /// How many metric exports (snapshots) were received.
    pub fn metric_exports(&self) -> usize {
        lock(&self.state)
            .metrics
            .iter()
            .map(|(_, r)| r.resource_metrics.len())
            .sum()
    }

    /// Every log record received, in arrival order.
    pub fn logs(&self) -> Vec<ReceivedLog> {
        let state = lock(&self.state);
        let mut out = Vec::new();
        for (via, request) in &state.logs {
            for rl in &request.resource_logs {
                let resource = rl.resource.clone().unwrap_or_default().attributes;
                for sl in &rl.scope_logs {
                    let scope = sl
                        .scope
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    out.extend(sl.log_records.iter().map(|record| ReceivedLog {
                        via: *via,
                        resource: resource.clone(),
                        scope: scope.clone(),
                        record: record.clone(),
                    }));
                }
            }
        }
        out
    }

    /// Polls until `ready` holds, at most `wait`; panics naming `what`
    /// otherwise.
    pub fn wait_for(&self, what: &str, wait: Duration, ready: impl Fn(&OtlpReceiver) -> bool) {
        let deadline = Instant::now() + wait;
        while !ready(self) {
            assert!(
                Instant::now() < deadline,
                "the OTLP receiver got no {what} within {wait:?}; requests: {:?}",
                self.requests()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        self.kill();
    }
}

impl std::fmt::Debug for OtlpReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpReceiver")
            .field("grpc", &self.grpc)
            .field("http", &self.http)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

/// The string value of attribute `key`.
pub fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
}

/// The string value of attribute `key`, if it is a string.
pub fn string_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match attribute(attributes, key) {
        Some(any_value::Value::StringValue(s)) => Some(s),
        _ => None,
    }
}

/// A string body or value as text.
pub fn text(value: &Option<AnyValue>) -> Option<&str> {
    match value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Binds `addr`, retrying briefly: a port just released by a killed
/// receiver may take a moment to be free again.
fn bind(runtime: &Runtime, addr: SocketAddr) -> tokio::net::TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        let bound = socket.bind(addr).and_then(|()| {
            let _guard = runtime.enter();
            socket.listen(128)
        });
        match bound {
            Ok(listener) => return listener,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("cannot listen on {addr}: {e}"),
        }
    }
}

/// What to answer now: consumes one "unavailable" if any are left.
fn next_reply(state: &Shared) -> Reply {
    let mut state = lock(state);
    match state.reply {
        Some(Reply::Unavailable(n)) if n > 0 => {
            state.reply = Some(Reply::Unavailable(n - 1));
            Reply::Unavailable(n)
        }
        Some(Reply::Reject(n)) => Reply::Reject(n),
        Some(Reply::RetryAfter(value)) => Reply::RetryAfter(value),
        _ => Reply::Accept,
    }
}

fn note(state: &Shared, info: RequestInfo) {
    let mut state = lock(state);
    if !state.counting_only {
        state.requests.push(info);
    }
}

/// Counts the spans of a trace request, and keeps it unless counting only.
fn keep_traces(state: &mut State, via: Via, request: ExportTraceServiceRequest) {
    let spans: usize = request
        .resource_spans
        .iter()
        .flat_map(|rs| &rs.scope_spans)
        .map(|ss| ss.spans.len())
        .sum();
    state.counted_spans += spans as u64;
    if !state.counting_only {
        state.traces.push((via, request));
    }
}

// ---- gRPC ----

#[derive(Clone)]
struct Grpc(Shared);

impl Grpc {
    /// Records the request; `Err` when the receiver refuses it.
    fn receive<T>(
        &self,
        signal: &'static str,
        request: tonic::Request<T>,
        store: impl FnOnce(&mut State, T),
    ) -> Result<i64, tonic::Status> {
        let headers = request
            .metadata()
            .clone()
            .into_headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect::<Vec<_>>();
        let gzip = headers
            .iter()
            .any(|(k, v)| k == "grpc-encoding" && v == "gzip");
        // tonic's TLS server tells each request how its connection came.
        let tls = request
            .extensions()
            .get::<TlsConnectInfo<TcpConnectInfo>>()
            .is_some();
        let reply = next_reply(&self.0);
        let accepted = reply.accepts();
        note(
            &self.0,
            RequestInfo {
                via: Via::Grpc,
                signal,
                headers,
                gzip,
                accepted,
                tls,
            },
        );
        match reply {
            Reply::Unavailable(_) | Reply::RetryAfter(_) => Err(tonic::Status::unavailable(
                "the receiver is refusing requests",
            )),
            other => {
                store(&mut lock(&self.0), request.into_inner());
                Ok(match other {
                    Reply::Reject(n) => n,
                    _ => 0,
                })
            }
        }
    }
}

fn partial<T>(rejected: i64, make: impl FnOnce(i64) -> T) -> Option<T> {
    (rejected > 0).then(|| make(rejected))
}

#[tonic::async_trait]
impl TraceService for Grpc {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let rejected = self.receive("traces", request, |s, r| keep_traces(s, Via::Grpc, r))?;
        Ok(tonic::Response::new(trace_response(rejected)))
    }
}

#[tonic::async_trait]
impl MetricsService for Grpc {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        let rejected = self.receive("metrics", request, |s, r| s.metrics.push((Via::Grpc, r)))?;
        Ok(tonic::Response::new(metrics_response(rejected)))
    }
}

#[tonic::async_trait]
impl LogsService for Grpc {
    async fn export(
        &self,
        request: tonic::Request<ExportLogsServiceRequest>,
    ) -> Result<tonic::Response<ExportLogsServiceResponse>, tonic::Status> {
        let rejected = self.receive("logs", request, |s, r| s.logs.push((Via::Grpc, r)))?;
        Ok(tonic::Response::new(logs_response(rejected)))
    }
}

fn trace_response(rejected: i64) -> ExportTraceServiceResponse {
    ExportTraceServiceResponse {
        partial_success: partial(rejected, |n| ExportTracePartialSuccess {
            rejected_spans: n,
            error_message: "rejected by the test receiver".into(),
        }),
    }
}

fn metrics_response(rejected: i64) -> ExportMetricsServiceResponse {
    ExportMetricsServiceResponse {
        partial_success: partial(rejected, |n| ExportMetricsPartialSuccess {
            rejected_data_points: n,
            error_message: "rejected by the test receiver".into(),
        }),
    }
}

fn logs_response(rejected: i64) -> ExportLogsServiceResponse {
    ExportLogsServiceResponse {
        partial_success: partial(rejected, |n| ExportLogsPartialSuccess {
            rejected_log_records: n,
            error_message: "rejected by the test receiver".into(),
        }),
    }
}

async fn serve_grpc(
    listener: tokio::net::TcpListener,
    state: Shared,
    tls: Option<tonic::transport::ServerTlsConfig>,
) {
    let grpc = Grpc(state);
    let gzip = CompressionEncoding::Gzip;
    let mut server = tonic::transport::Server::builder();
    if let Some(tls) = tls {
        server = server
            .tls_config(tls)
            .expect("tonic refuses the TLS identity");
    }
    let _ = server
        .add_service(TraceServiceServer::new(grpc.clone()).accept_compressed(gzip))
        .add_service(MetricsServiceServer::new(grpc.clone()).accept_compressed(gzip))
        .add_service(LogsServiceServer::new(grpc).accept_compressed(gzip))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
        .await;
}

// ---- HTTP ----
