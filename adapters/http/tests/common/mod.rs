//! The real SDK installed once per test process (each file is one), spans
//! kept in memory, and helpers to read what the layers recorded.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use omniscope_sdk::errors::{ErrorEvent, SdkErrors};
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::metrics::{HistogramSnapshot, SeriesValue};
use omniscope_sdk::trace::{SdkTracer, SpanData};
use omniscope_sdk::{Sdk, SdkGuard};

pub struct Telemetry {
    pub sdk: Sdk,
    pub spans: InMemoryHandle<SpanData>,
    pub errors: InMemoryHandle<ErrorEvent>,
    _guard: SdkGuard,
}

/// Installs the SDK (once), with its defaults (the conventions' duration
/// buckets among them).
pub fn telemetry() -> &'static Telemetry {
    static TELEMETRY: OnceLock<Telemetry> = OnceLock::new();
    TELEMETRY.get_or_init(|| {
        let (exporter, spans) = InMemoryExporter::new();
        let (reporter, errors) = InMemoryExporter::new();
        let guard = Sdk::builder()
            .with_tracer(SdkTracer::builder().with_exporter(Box::new(exporter)))
            .with_errors(SdkErrors::builder().with_reporter(Box::new(reporter)))
            .install()
            .unwrap();
        omniscope::install_panic_hook();
        Telemetry {
            sdk: guard.sdk().clone(),
            spans,
            errors,
            _guard: guard,
        }
    })
}

impl Telemetry {
    /// Waits (at most 10 s) until a span satisfying `pred` was exported.
    pub fn wait_span(&self, pred: impl Fn(&SpanData) -> bool) -> SpanData {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let _ = self.sdk.flush(Instant::now() + Duration::from_secs(5));
            if let Some(span) = self.spans.items().into_iter().find(|s| pred(s)) {
                return span;
            }
            assert!(
                Instant::now() < deadline,
                "no such span within 10 s: {:#?}",
                self.spans.items()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The spans of one trace exported so far.
    pub fn trace(&self, trace_id: omniscope::TraceId) -> Vec<SpanData> {
        let _ = self.sdk.flush(Instant::now() + Duration::from_secs(5));
        self.spans
            .items()
            .into_iter()
            .filter(|s| s.context.trace_id() == trace_id)
            .collect()
    }

    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Option<HistogramSnapshot> {
        let snapshot = self.sdk.meter().snapshot();
        match &snapshot.series(name, labels)?.value {
            SeriesValue::Histogram(h) => Some(h.clone()),
            _ => None,
        }
    }

    pub fn up_down(&self, name: &str, labels: &[(&str, &str)]) -> Option<i64> {
        let snapshot = self.sdk.meter().snapshot();
        match &snapshot.series(name, labels)?.value {
            SeriesValue::UpDownCounter { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// Every series of `name`, as label lists, for failure messages.
    pub fn series_of(&self, name: &str) -> Vec<String> {
        let snapshot = self.sdk.meter().snapshot();
        snapshot
            .family(name)
            .map(|f| f.series.iter().map(|s| s.key.to_string()).collect())
            .unwrap_or_default()
    }
}

/// A span attribute as a string (numbers too), for assertions.
pub fn attr(span: &SpanData, key: &str) -> Option<String> {
    span.attributes.get(key).map(|v| match v.as_str() {
        Some(s) => s.to_owned(),
        None => v.to_string(),
    })
}

/// How long `span` lasted, in seconds.
pub fn span_seconds(span: &SpanData) -> f64 {
    span.end_time
        .duration_since(span.start_time)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A multi-threaded runtime for the test's servers, alive for the process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Serves `router` on a loopback port (with the peer's address for
/// `client.address`), on the shared runtime.
pub fn serve_axum(router: axum::Router) -> std::net::SocketAddr {
    let listener = runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime().spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    addr
}

/// Two services, as in production: `front` (`GET /front`) calls `back`
/// (`GET /back`) through the reqwest client instrumentation; `back` answers
/// with the propagation headers it received, one `name: value` line each,
/// and `front` answers with `back`'s answer. Both have the server layer.
pub fn two_services() -> std::net::SocketAddr {
    use axum::routing::get;

    async fn back(headers: axum::http::HeaderMap) -> String {
        let mut out = String::new();
        let mut names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        for name in names {
            if ["traceparent", "tracestate", "baggage", "uber-trace-id"].contains(&name)
                || name.starts_with("uberctx-")
            {
                for value in headers.get_all(name) {
                    out.push_str(&format!("{name}: {}\n", value.to_str().unwrap()));
                }
            }
        }
        out
    }

    let back_addr = serve_axum(
        axum::Router::new()
            .route("/back", get(back))
            .layer(omniscope_http::server()),
    );
    let client = omniscope_http::client(reqwest::Client::new());
    let front = move || {
        let client = client.clone();
        async move {
            let url = format!("http://{back_addr}/back");
            client.get(url).send().await.unwrap().text().await.unwrap()
        }
    };
    serve_axum(
        axum::Router::new()
            .route("/front", get(front))
            .layer(omniscope_http::server()),
    )
}

/// The value of `name` in a `two_services` answer.
pub fn received<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}
