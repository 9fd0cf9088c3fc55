//! No-op destinations for each crate, set up through each crate's normal
//! path, and counting what reaches them, so that a bench can tell (with
//! [`note`](crate::note)) whether a pipeline kept up or dropped.
//!
//! - [`NoopSink`] and [`NoopLog`]: a facade `Logger` and a `log::Log` that
//!   do nothing.
//! - [`omniscope_sdk()`]: an `Sdk` (meter, and a tracer with a [`SpanSink`])
//!   installed as the facade's globals.
//! - [`otel_tracer_provider`]: an `opentelemetry_sdk` tracer provider with
//!   the thread-based `BatchSpanProcessor` and an [`OtelSpanSink`].
//! - [`otel_meter_provider`]: an `opentelemetry_sdk` meter provider with a
//!   `ManualReader` (no exporter, never collected).
//! - [`fastrace_reporter`]: fastrace's global collector with a reporter
//!   that counts.
//! - [`AtomicRecorder`]: a `metrics` recorder over `metrics-util`'s
//!   `AtomicStorage` registry.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_util::registry::{AtomicStorage, Registry};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider};

/// An omniscope facade logger that does nothing with a record (its level
/// hint stays `Trace`, so every record reaches it). Doing nothing, it emits
/// nothing while logging and says so, as `log`'s no-op logger would need
/// no guard: the facade only checks the thread's dispatch mark.
/// (`facade.rs`, `log_enabled_guarded_sink`, measures a sink that keeps
/// the guard.)
#[derive(Debug, Clone, Copy)]
pub struct NoopSink;

impl omniscope::Logger for NoopSink {
    fn log(&self, record: &omniscope::Record<'_>) {
        let _ = record;
    }

    fn needs_reentrancy_guard(&self) -> bool {
        false
    }
}

/// A `log` logger that does nothing with a record.
#[derive(Debug, Clone, Copy)]
pub struct NoopLog;

impl log::Log for NoopLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let _ = record;
    }

    fn flush(&self) {}
}

/// An omniscope span exporter that counts the spans it receives.
#[derive(Debug, Clone, Default)]
pub struct SpanSink {
    received: Arc<AtomicU64>,
}

impl SpanSink {
    /// How many spans were exported to this sink (or its clones).
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

impl Exporter<SpanData> for SpanSink {
    fn name(&self) -> &str {
        "noop"
    }

    fn export(&mut self, batch: &Batch<SpanData>, _: &Resource) -> Result<Accepted, ExportError> {
        self.received
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(Accepted::All)
    }
}

/// The installed omniscope SDK of a bench process.
#[derive(Debug)]
pub struct OmniscopeSdk {
    /// Keeps the pipelines running (never dropped: the globals are for the
    /// whole process).
    pub guard: SdkGuard,
    /// The tracer's exporter.
    pub spans: SpanSink,
}

impl OmniscopeSdk {
    /// The installed tracer.
    ///
    /// # Panics
    /// If the SDK was built without one (never, see [`omniscope_sdk()`]).
    pub fn tracer(&self) -> &SdkTracer {
        match self.guard.sdk().tracer() {
            Some(tracer) => tracer,
            None => panic!("the bench SDK has a tracer"),
        }
    }

    /// Flushes the tracer; returns the spans exported so far and those
    /// dropped so far (by the export queues, or not recorded for want of
    /// room in the thread's buffer).
    pub fn flush_spans(&self) -> Delivered {
        let tracer = self.tracer();
        let _ = tracer.flush(Instant::now() + Duration::from_secs(30));
        let stats = tracer.stats();
        let queue: u64 = tracer
            .pipeline_stats()
            .iter()
            .map(|p| p.dropped.total())
            .sum();
        Delivered {
            exported: self.spans.received(),
            dropped: queue + stats.dropped_buffer_full + stats.dropped_unrecordable,
        }
    }
}

/// What a span pipeline delivered so far (see [`Delivered::since`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Delivered {
    /// Spans the exporter received.
    pub exported: u64,
    /// Spans the pipeline counted as dropped (where it counts them).
    pub dropped: u64,
}

impl Delivered {
    /// A note fragment for what was delivered since `before`, of `started`
    /// spans started.
    pub fn since(&self, before: Delivered, started: u64) -> String {
        let exported = self.exported - before.exported;
        let dropped = self.dropped - before.dropped;
        let pct = |n: u64| 100.0 * n as f64 / started.max(1) as f64;
        format!(
            "exported {exported} ({:.1}%), counted as dropped {dropped} ({:.1}%)",
            pct(exported),
            pct(dropped)
        )
    }
}

/// Builds the omniscope SDK (default meter, a tracer with `sampler` and a
/// [`SpanSink`]) and installs it as the facade's globals, as an
/// application's `main` would.
///
/// # Panics
/// If the SDK does not build or a global is already installed.
pub fn omniscope_sdk(sampler: Sampler) -> OmniscopeSdk {
    let spans = SpanSink::default();
    let installed = Sdk::builder()
        .with_resource(Resource::new("omniscope-benches"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(sampler)
                .with_exporter(Box::new(spans.clone())),
        )
        .install();
    match installed {
        Ok(guard) => OmniscopeSdk { guard, spans },
        Err(e) => panic!("cannot install the omniscope SDK: {e}"),
    }
}

/// An OpenTelemetry span exporter that counts the spans it receives.
#[derive(Debug, Clone, Default)]
pub struct OtelSpanSink {
    received: Arc<AtomicU64>,
}

impl OtelSpanSink {
    /// How many spans were exported to this sink (or its clones).
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

impl opentelemetry_sdk::trace::SpanExporter for OtelSpanSink {
    fn export(
        &self,
        batch: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        self.received
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        std::future::ready(Ok(()))
    }
}

/// An `opentelemetry_sdk` tracer provider: `sampler`, the thread-based
/// `BatchSpanProcessor` with its default configuration (queue of 2048,
/// batches of 512, every 5 s), and an [`OtelSpanSink`].
pub fn otel_tracer_provider(
    sampler: opentelemetry_sdk::trace::Sampler,
) -> (SdkTracerProvider, OtelSpanSink) {
    let sink = OtelSpanSink::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_span_processor(BatchSpanProcessor::builder(sink.clone()).build())
        .build();
    (provider, sink)
}

/// Flushes an OpenTelemetry tracer provider; returns what its sink
/// received so far (the batch processor counts its drops, but only logs
/// them, through `internal-logs`, which is off).
pub fn otel_flush_spans(provider: &SdkTracerProvider, sink: &OtelSpanSink) -> Delivered {
    let _ = provider.force_flush();
    Delivered {
        exported: sink.received(),
        dropped: 0,
    }
}

/// An `opentelemetry_sdk` meter provider with a `ManualReader` (nothing
/// exports or collects while the benches run).
pub fn otel_meter_provider() -> SdkMeterProvider {
    SdkMeterProvider::builder()
        .with_reader(ManualReader::builder().build())
        .build()
}

/// A fastrace reporter that counts the spans it receives.
#[derive(Debug, Clone, Default)]
pub struct FastraceSink {
    received: Arc<AtomicU64>,
}

impl FastraceSink {
    /// How many spans were reported to this sink (or its clones).
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Flushes fastrace's collector; returns what the sink received so
    /// far (fastrace does not drop: what it has not reported yet waits in
    /// unbounded per-thread queues).
    pub fn flush_spans(&self) -> Delivered {
        fastrace::flush();
        Delivered {
            exported: self.received(),
            dropped: 0,
        }
    }
}

impl fastrace::collector::Reporter for FastraceSink {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        self.received
            .fetch_add(spans.len() as u64, Ordering::Relaxed);
    }
}

/// Sets fastrace's global reporter (default configuration: a collector
/// thread reporting every second) to a [`FastraceSink`].
pub fn fastrace_reporter() -> FastraceSink {
    let sink = FastraceSink::default();
    fastrace::set_reporter(sink.clone(), fastrace::collector::Config::default());
    sink
}

/// A `metrics` recorder over `metrics-util`'s `Registry<Key, AtomicStorage>`:
/// a counter is an `Arc<AtomicU64>`, a histogram an `AtomicBucket<f64>` of
/// raw samples. This is the storage `metrics` exporters are built on,
/// without an exporter's extras (`metrics-exporter-prometheus` wraps each
/// handle in a generation counter, one more atomic add per operation), so
/// it is the fastest `metrics` path.
#[derive(Clone)]
pub struct AtomicRecorder {
    registry: Arc<Registry<metrics::Key, AtomicStorage>>,
}

impl std::fmt::Debug for AtomicRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomicRecorder").finish_non_exhaustive()
    }
}

impl AtomicRecorder {
    /// An empty registry.
    pub fn new() -> AtomicRecorder {
        AtomicRecorder {
            registry: Arc::new(Registry::atomic()),
        }
    }

    /// Empties every histogram's bucket of samples: what an exporter's
    /// upkeep does in the background. Unbounded otherwise.
    pub fn drain_histograms(&self) {
        self.registry.visit_histograms(|_, bucket| bucket.clear());
    }
}

impl Default for AtomicRecorder {
    fn default() -> AtomicRecorder {
        AtomicRecorder::new()
    }
}

impl metrics::Recorder for AtomicRecorder {
    fn describe_counter(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }

    fn describe_gauge(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }

    fn describe_histogram(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }

    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        self.registry
            .get_or_create_counter(key, |c| metrics::Counter::from_arc(c.clone()))
    }

    fn register_gauge(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        self.registry
            .get_or_create_gauge(key, |g| metrics::Gauge::from_arc(g.clone()))
    }

    fn register_histogram(
        &self,
        key: &metrics::Key,
        _: &metrics::Metadata<'_>,
    ) -> metrics::Histogram {
        self.registry
            .get_or_create_histogram(key, |h| metrics::Histogram::from_arc(h.clone()))
    }
}
