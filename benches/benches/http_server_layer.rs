//! The HTTP server layer's added cost per request, with no network: the
//! same inner service (a ready `200` with a 2-byte body) called directly,
//! bare and under each layer, the request built and the response body read
//! to its end inside the timed loop, every pipeline recording to a no-op
//! destination:
//!
//! - `bare`: no layer (the baseline to subtract);
//! - `omniscope`: `omniscope_http::server()` over the omniscope SDK (span
//!   with the conventions' attributes, `http.server.request.duration` and
//!   `http.server.active_requests`, the span ending with the body);
//! - `tower_http_tracing_otel`: tower-http's `TraceLayer::new_for_http()`
//!   (a `tracing` span, no metrics, no conventions) through
//!   `tracing-opentelemetry` into an `opentelemetry_sdk` tracer;
//! - `otel_instrumentation_tower`: `opentelemetry-instrumentation-tower`'s
//!   layer (span and metrics) over `opentelemetry_sdk` providers.
//!
//! Every tracer samples every span and batches to a sink that counts; the
//! OpenTelemetry meter has a manual reader. The pipelines are flushed after
//! each sample, untimed, and a `bench-note` line gives each id's added time
//! over `bare` and what was exported. A second note gives each id's process
//! CPU per request over all threads (the timed loop, the flushes, and the
//! export threads' work while the id ran), less `bare`'s: wall time on a
//! shared two-core host moves with the other load, and a pipeline that
//! moves work off the request thread should not look free for it.

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::hint::black_box;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body::Body;
use http_body_util::Full;
use omniscope_benches::note;
use omniscope_benches::sinks::{self, OmniscopeSdk, OtelSpanSink};
use omniscope_benches::timing::cpu_time;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tower::{Layer, Service};
use tracing_subscriber::layer::SubscriberExt as _;

type Request = http::Request<Full<Bytes>>;

/// The inner service: answers at once.
#[derive(Clone, Copy)]
struct Ok200;

impl Service<Request> for Ok200 {
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request) -> Self::Future {
        ready(Ok(http::Response::new(Full::new(Bytes::from_static(
            b"ok",
        )))))
    }
}

/// A request as a browser sends it, with a W3C parent to continue.
fn request() -> Request {
    http::Request::get("/orders/42?page=2")
        .header("host", "shop.example:8080")
        .header("user-agent", "Mozilla/5.0 (bench)")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(Full::new(Bytes::new()))
        .unwrap_or_default()
}

/// One request through `service`: called, its (ready) future polled, its
/// body read to the end, everything dropped.
fn one<S, B>(service: &mut S)
where
    S: Service<Request, Response = http::Response<B>>,
    B: Body,
{
    let mut cx = Context::from_waker(Waker::noop());
    let future = service.call(request());
    let mut future = pin!(future);
    let Poll::Ready(Ok(response)) = future.as_mut().poll(&mut cx) else {
        panic!("the inner service answers at once");
    };
    let mut body = pin!(response.into_body());
    while let Poll::Ready(Some(frame)) = body.as_mut().poll_frame(&mut cx) {
        black_box(frame.is_ok());
    }
}

struct Peers {
    omniscope: OmniscopeSdk,
    tracing_provider: SdkTracerProvider,
    tracing_spans: OtelSpanSink,
    otel_provider: SdkTracerProvider,
    otel_spans: OtelSpanSink,
    _otel_meter: SdkMeterProvider,
}

/// Installs the three pipelines once: the omniscope SDK as the facade's
/// globals, a `tracing` registry with `tracing-opentelemetry` over one
/// OpenTelemetry provider, and another provider (with a meter provider)
/// as OpenTelemetry's globals, which `opentelemetry-instrumentation-tower`
/// reads.
fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let omniscope = sinks::omniscope_sdk(omniscope_sdk::trace::Sampler::AlwaysOn);
        let (tracing_provider, tracing_spans) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracing_provider.tracer("omniscope-benches"));
        if tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .is_err()
        {
            panic!("a `tracing` subscriber is already installed");
        }
        let (otel_provider, otel_spans) =
            sinks::otel_tracer_provider(opentelemetry_sdk::trace::Sampler::AlwaysOn);
        opentelemetry::global::set_tracer_provider(otel_provider.clone());
        let otel_meter = sinks::otel_meter_provider();
        opentelemetry::global::set_meter_provider(otel_meter.clone());
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        Peers {
            omniscope,
            tracing_provider,
            tracing_spans,
            otel_provider,
            otel_spans,
            _otel_meter: otel_meter,
        }
    })
}

/// Times `iters` requests through `service`; `flush` runs after, untimed.
fn timed<S, B>(service: &mut S, iters: u64, flush: impl Fn()) -> Duration
where
    S: Service<Request, Response = http::Response<B>>,
    B: Body,
{
    let start = Instant::now();
    for _ in 0..iters {
        one(service);
    }
    let elapsed = start.elapsed();
    flush();
    elapsed
}

/// Time and requests of every timed run of each id (warm-up included),
/// for the note's mean per request, and the process CPU time of those runs
/// and their flushes (`None` without `/proc/self/stat`; not Criterion's
/// analysis between samples).
struct Means {
    runs: [(Duration, u64); 4],
    cpu: [Duration; 4],
    /// Whether every CPU reading succeeded.
    cpu_known: bool,
}

impl Means {
    /// Runs `run` (`iters` requests of `id` and their flush), returning
    /// and recording its timed part.
    fn record(&mut self, id: usize, iters: u64, run: impl FnOnce() -> Duration) -> Duration {
        let before = cpu_time();
        let elapsed = run();
        match cpu_time().zip(before) {
            Some((after, before)) => self.cpu[id] += after.saturating_sub(before),
            None => self.cpu_known = false,
        }
        self.runs[id].0 += elapsed;
        self.runs[id].1 += iters;
        elapsed
    }

    fn mean(&self, id: usize) -> Option<f64> {
        let (elapsed, iters) = self.runs[id];
        (iters > 0).then(|| elapsed.as_nanos() as f64 / iters as f64)
    }

    /// Process CPU nanoseconds per request of `id`.
    fn cpu(&self, id: usize) -> Option<f64> {
        let (_, iters) = self.runs[id];
        (self.cpu_known && iters > 0).then(|| self.cpu[id].as_nanos() as f64 / iters as f64)
    }
}

const IDS: [&str; 4] = [
    "bare",
    "omniscope",
    "tower_http_tracing_otel",
    "otel_instrumentation_tower",
];

fn http_server_layer(c: &mut Criterion) {
    let peers = peers();
    let mut means = Means {
        runs: Default::default(),
        cpu: Default::default(),
        cpu_known: true,
    };
    let mut g = c.benchmark_group("http_server_layer");

    let mut bare = Ok200;
    g.bench_function(IDS[0], |b| {
        b.iter_custom(|iters| means.record(0, iters, || timed(&mut bare, iters, || {})));
    });

    let omniscope_before = peers.omniscope.flush_spans();
    let mut omniscope = omniscope_http::server().layer(Ok200);
    let mut omniscope_requests = 0;
    g.bench_function(IDS[1], |b| {
        b.iter_custom(|iters| {
            omniscope_requests += iters;
            means.record(1, iters, || {
                timed(&mut omniscope, iters, || {
                    let _ = peers.omniscope.flush_spans();
                })
            })
        });
    });
    let omniscope_delivered = peers
        .omniscope
        .flush_spans()
        .since(omniscope_before, omniscope_requests);

    let flush_tracing = || sinks::otel_flush_spans(&peers.tracing_provider, &peers.tracing_spans);
    let tracing_before = flush_tracing();
    let mut tower_http = tower_http::trace::TraceLayer::new_for_http().layer(Ok200);
    let mut tracing_requests = 0;
    g.bench_function(IDS[2], |b| {
        b.iter_custom(|iters| {
            tracing_requests += iters;
            means.record(2, iters, || {
                timed(&mut tower_http, iters, || {
                    let _ = flush_tracing();
                })
            })
        });
    });
    let tracing_delivered = flush_tracing().since(tracing_before, tracing_requests);

    let flush_otel = || sinks::otel_flush_spans(&peers.otel_provider, &peers.otel_spans);
    let otel_before = flush_otel();
    let otel_layer =
        match opentelemetry_instrumentation_tower::http::server::LayerBuilder::builder().build() {
            Ok(layer) => layer,
            Err(e) => panic!("opentelemetry-instrumentation-tower's layer: {e:?}"),
        };
    let mut otel = otel_layer.layer(Ok200);
    let mut otel_requests = 0;
    g.bench_function(IDS[3], |b| {
        b.iter_custom(|iters| {
            otel_requests += iters;
            means.record(3, iters, || {
                timed(&mut otel, iters, || {
                    let _ = flush_otel();
                })
            })
        });
    });
    let otel_delivered = flush_otel().since(otel_before, otel_requests);
    g.finish();

    let (Some(bare), Some(ours), Some(tower_http), Some(otel)) =
        (means.mean(0), means.mean(1), means.mean(2), means.mean(3))
    else {
        return;
    };
    let added = |x: f64| (x - bare).max(0.0);
    let fastest_peer = added(tower_http).min(added(otel));
    note(&format!(
        "http_server_layer: added per request over bare ({bare:.0} ns): omniscope {:.0} ns \
         ({omniscope_delivered}), tower_http_tracing_otel {:.0} ns ({tracing_delivered}), \
         otel_instrumentation_tower {:.0} ns ({otel_delivered}); the faster peer adds {:.1} × \
         omniscope's",
        added(ours),
        added(tower_http),
        added(otel),
        fastest_peer / added(ours).max(1.0),
    ));
    if let (Some(bare), Some(ours), Some(tower_http), Some(otel)) =
        (means.cpu(0), means.cpu(1), means.cpu(2), means.cpu(3))
    {
        let added = |x: f64| (x - bare).max(0.0);
        note(&format!(
            "http_server_layer: process CPU per request (all threads) over bare ({bare:.0} ns): \
             omniscope {:.0} ns, tower_http_tracing_otel {:.0} ns, otel_instrumentation_tower \
             {:.0} ns; the faster peer adds {:.1} × omniscope's",
            added(ours),
            added(tower_http),
            added(otel),
            added(tower_http).min(added(otel)) / added(ours).max(1.0),
        ));
    }
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = http_server_layer
}
criterion_main!(benches);
