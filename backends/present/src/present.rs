//! [`Present`]: the dashboard's stores, the exporters that fill them, and
//! the server that shows them.

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use omniscope_sdk::Sdk;

use crate::builder::PresentBuilder;
use crate::server::{ServeError, Server};
use crate::sinks::{ErrorSink, LogSink, SpanSink};
use crate::state::{lock, State};

/// What [`Present::serve`] needs besides the stores.
#[derive(Clone)]
pub(crate) struct ServerConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) bearer_token: Option<String>,
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) sample_interval: Duration,
    /// Where [`Present::serve_otlp`] listens.
    pub(crate) otlp_addr: SocketAddr,
    /// Whether code or the environment turned the receiver on.
    pub(crate) otlp_on: bool,
}

/// The embedded dashboard: bounded stores fed by its exporters, and an HTTP
/// server started by [`Present::serve`]. Cheap to clone; clones share the
/// stores.
#[derive(Clone)]
pub struct Present {
    state: Arc<State>,
    config: Arc<ServerConfig>,
}

impl fmt::Debug for Present {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Present")
            .field("addr", &self.config.addr)
            .field("bearer_token", &self.config.bearer_token.is_some())
            .field("stats", &self.stats())
            .finish()
    }
}

/// How full the stores are, and what they have seen (from
/// [`Present::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresentStats {
    /// Traces kept (recent and slowest together).
    pub traces: usize,
    /// Traces kept as recent (at most `with_max_traces`).
    pub recent_traces: usize,
    /// Traces kept as slowest (at most `with_max_slowest_traces`).
    pub slowest_traces: usize,
    /// Traces kept as failed (at most `with_max_failed_traces`).
    pub failed_traces: usize,
    /// Spans kept, in all traces.
    pub spans: usize,
    /// Spans in the largest trace kept (at most `with_max_spans_per_trace`).
    pub largest_trace: usize,
    /// Spans received since the start.
    pub spans_received: u64,
    /// Spans refused because their trace was full.
    pub spans_dropped: u64,
    /// Traces forgotten to make room.
    pub traces_evicted: u64,
    /// Log records kept (at most `with_max_logs`).
    pub logs: usize,
    /// Log records received since the start.
    pub logs_received: u64,
    /// Log records of slowest and failed traces kept past the recent ones
    /// (at most `with_max_pinned_logs`).
    pub pinned_logs: usize,
    /// Errors kept (at most `with_max_errors`).
    pub errors: usize,
    /// Errors received since the start.
    pub errors_received: u64,
    /// Errors of slowest and failed traces kept past the recent ones (at
    /// most `with_max_pinned_errors`).
    pub pinned_errors: usize,
    /// Metric series with recent values kept (at most
    /// [`MAX_HISTORY_SERIES`](crate::MAX_HISTORY_SERIES)).
    pub metric_series: usize,
    /// Samples and exemplars kept, over all metric series (at most
    /// `with_metric_samples` samples and 30 exemplars per series).
    pub metric_samples: usize,
    /// Strings cut to `with_max_string_len` in the spans, logs and errors
    /// kept, since the start.
    pub strings_truncated: u64,
    /// Requests the OTLP receiver took since the start.
    pub otlp_accepted: u64,
    /// Requests the OTLP receiver refused since the start (malformed, too
    /// large, unauthorized, from a web page): nothing of them was kept.
    pub otlp_refused: u64,
}

impl Present {
    /// A builder, with the defaults each setter documents.
    pub fn builder() -> PresentBuilder {
        PresentBuilder::default()
    }

    pub(crate) fn new(state: Arc<State>, config: ServerConfig) -> Present {
        Present {
            state,
            config: Arc::new(config),
        }
    }

    /// The span exporter that feeds the traces pages: give it to
    /// `SdkTracer::builder().with_exporter(Box::new(..))`.
    pub fn spans(&self) -> SpanSink {
        SpanSink::new(self.state.clone())
    }

    /// The log exporter that feeds the logs page: give it to
    /// `SdkLogger::builder().with_exporter(Box::new(..))`.
    pub fn logs(&self) -> LogSink {
        LogSink::new(self.state.clone())
    }

    /// The error reporter that feeds the errors page: give it to
    /// `SdkErrors::builder().with_reporter(Box::new(..))`.
    pub fn errors(&self) -> ErrorSink {
        ErrorSink::new(self.state.clone())
    }

    /// Starts the HTTP server on its own thread (with a private
    /// single-threaded runtime: the application needs none), reading
    /// metrics, function statistics, the call graph, in-flight spans and
    /// pipeline counters from `sdk`.
    ///
    /// # Errors
    /// The address cannot be bound (in use, not local), or the server
    /// thread cannot start.
    pub fn serve(&self, sdk: Sdk) -> Result<Server, ServeError> {
        crate::server::start(self.state.clone(), &self.config, sdk)
    }

    /// Starts the OTLP/HTTP receiver on
    /// [`with_otlp_addr`](PresentBuilder::with_otlp_addr) (else
    /// [`OTLP_ADDR_ENV`](crate::OTLP_ADDR_ENV), else
    /// [`DEFAULT_OTLP_ADDR`](crate::DEFAULT_OTLP_ADDR)), on its own thread: other processes on this machine export spans and logs to
    /// `POST /v1/traces` and `/v1/logs` (protobuf or JSON, uncompressed;
    /// `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`), and the
    /// dashboard shows them with its own, each span and record marked with
    /// its `service.name`, so a trace crossing the processes is shown
    /// whole. With a bearer token, requests must carry it; without, a
    /// request from a web page is refused (403). A malformed body gets a
    /// 400 naming what is wrong, a body over [`MAX_OTLP_BODY`](crate::MAX_OTLP_BODY)
    /// a 413; metrics are not received (404).
    ///
    /// # Errors
    /// The address cannot be bound, or the server thread cannot start.
    pub fn serve_otlp(&self) -> Result<Server, ServeError> {
        crate::server::start_otlp(self.state.clone(), &self.config)
    }

    /// Where the OTLP/HTTP receiver listens when it was turned on by
    /// [`with_otlp_addr`](PresentBuilder::with_otlp_addr) or
    /// [`OTLP_ADDR_ENV`](crate::OTLP_ADDR_ENV); `None` when it is off (the
    /// kit then does not start it).
    pub fn otlp_addr(&self) -> Option<SocketAddr> {
        self.config.otlp_on.then_some(self.config.otlp_addr)
    }

    /// How full the stores are.
    pub fn stats(&self) -> PresentStats {
        stats_of(&self.state)
    }
}

pub(crate) fn stats_of(state: &State) -> PresentStats {
    let t = lock(&state.traces).stats();
    let (logs, logs_received) = {
        let l = lock(&state.logs);
        (l.len(), l.pushed())
    };
    let (errors, errors_received) = {
        let e = lock(&state.errors);
        (e.len(), e.pushed())
    };
    let history = lock(&state.history);
    PresentStats {
        traces: t.traces,
        recent_traces: t.recent,
        slowest_traces: t.slowest,
        failed_traces: t.failed,
        spans: t.spans,
        largest_trace: t.largest_trace,
        spans_received: t.spans_received,
        spans_dropped: t.spans_dropped,
        traces_evicted: t.traces_evicted,
        logs,
        logs_received,
        pinned_logs: lock(&state.pinned_logs).len(),
        errors,
        errors_received,
        pinned_errors: lock(&state.pinned_errors).len(),
        metric_series: history.len(),
        metric_samples: history.sample_count(),
        strings_truncated: state.strings_truncated.load(Ordering::Relaxed),
        otlp_accepted: state.otlp_accepted.load(Ordering::Relaxed),
        otlp_refused: state.otlp_refused.load(Ordering::Relaxed),
    }
}
