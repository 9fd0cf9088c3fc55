//! [`SdkMeter`], its builder, and [`DeltaReader`].

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use omniscope::metrics::{
    Counter, Gauge, Histogram, InstrumentKind, Key, MetricMeta, UpDownCounter,
};
use omniscope::Meter;

use super::collect::Collector;
use super::histogram::{Buckets, MAX_BOUNDS};
use super::registry::{Config, Instrument, Registry, Request};
use super::sketch::Mapping;
use super::snapshot::MetricsSnapshot;
use crate::clock;
use crate::BuildError;

/// Prometheus' default buckets (seconds).
const PROMETHEUS_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// The bucket boundaries OpenTelemetry's HTTP semantic conventions advise
/// for `http.server.request.duration` and `http.client.request.duration`
/// (seconds): the meter uses them for these two names unless
/// [`MeterBuilder::with_histogram_buckets`] gives others.
pub const HTTP_DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// The bucket boundaries the RPC conventions advise for
/// `rpc.server.duration` and `rpc.client.duration` (milliseconds), used
/// for them in the same way.
pub const RPC_DURATION_BUCKETS: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 7500.0,
    10000.0,
];
/// The histograms whose conventions advise buckets (the facade carries no
/// advice with an instrument, so the SDK knows these names).
const ADVISED_BUCKETS: [(&str, &[f64]); 4] = [
    ("http.server.request.duration", &HTTP_DURATION_BUCKETS),
    ("http.client.request.duration", &HTTP_DURATION_BUCKETS),
    ("rpc.server.duration", &RPC_DURATION_BUCKETS),
    ("rpc.client.duration", &RPC_DURATION_BUCKETS),
];
const DEFAULT_FAMILY_LIMIT: usize = 2000;
const DEFAULT_CARDINALITY_LIMIT: usize = 2000;
const DEFAULT_RELATIVE_ERROR: f64 = 0.01;

/// Tells meters apart in thread-local tables.
static NEXT_METER: AtomicU64 = AtomicU64::new(1);

/// The SDK's [`Meter`]: a registry of counters, up-down counters, gauges
/// and histograms whose handles update atomic cells directly.
///
/// Cheap to clone (an `Arc`); clones share everything. Read it with
/// [`snapshot`](SdkMeter::snapshot) (cumulative, for pull exporters), a
/// [`DeltaReader`], or a [`PeriodicReader`](super::PeriodicReader) that
/// pushes to an exporter. See the [module docs](super) for how recording
/// works and what it costs.
///
/// ```
/// use omniscope::metrics::{Key, Label, MetricMeta};
/// use omniscope::Meter;
/// use omniscope_sdk::metrics::{SdkMeter, SeriesValue};
///
/// let meter = SdkMeter::builder().with_cardinality_limit(100).build()?;
/// let labels = [Label::new("channel", "web")];
/// let orders = meter.counter(&Key::new("orders_total", &labels), &MetricMeta::EMPTY);
/// orders.increment(2);
///
/// let snapshot = meter.snapshot();
/// let series = snapshot.series("orders_total", &[("channel", "web")]).unwrap();
/// assert_eq!(series.value, SeriesValue::Counter(2));
/// # Ok::<(), omniscope_sdk::BuildError>(())
/// ```
#[derive(Clone)]
pub struct SdkMeter {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    collector: Collector,
}

impl SdkMeter {
    /// A builder with the defaults: family limit 2000, cardinality limit
    /// 2000, Prometheus' default buckets (the conventions' advised ones for
    /// the HTTP and RPC durations), 1% sketch error.
    pub fn builder() -> MeterBuilder {
        MeterBuilder::default()
    }

    /// A meter with the defaults (see [`SdkMeter::builder`]).
    pub fn new() -> SdkMeter {
        let mapping = Mapping::new(DEFAULT_RELATIVE_ERROR);
        SdkMeter::from_config(Config {
            family_limit: DEFAULT_FAMILY_LIMIT,
            cardinality_limit: DEFAULT_CARDINALITY_LIMIT,
            buckets: ADVISED_BUCKETS
                .iter()
                .map(|(name, bounds)| {
                    ((*name).to_owned(), Arc::new(Buckets::new(bounds, &mapping)))
                })
                .collect(),
            default_buckets: Arc::new(Buckets::new(&PROMETHEUS_BUCKETS, &mapping)),
            mapping,
        })
    }

    fn from_config(config: Config) -> SdkMeter {
        // Exemplars are stamped with the SDK's clock: its source is chosen
        // before the first sample.
        clock::init();
        let uid = NEXT_METER.fetch_add(1, Ordering::Relaxed);
        SdkMeter {
            inner: Arc::new(Inner {
                registry: Registry::new(uid, config),
                collector: Collector::new(),
            }),
        }
    }

    /// Every metric, cumulative since the meter was created.
    ///
    /// Recording threads never wait for it: it holds the registry's read
    /// lock only to copy the series list, and reads the cells without
    /// locks that recording takes. Gauge and counter callbacks run first,
    /// with no lock held; a callback that panics leaves its series out.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.inner.collector.cumulative(&self.inner.registry)
    }

    /// Registers a counter whose value `callback` reports at each
    /// collection, as a [`SeriesValue::FloatCounter`](super::SeriesValue::FloatCounter)
    /// (process CPU seconds, the SDK's own counters). The callback must be
    /// monotonic; a later callback for the same key replaces it.
    pub fn observe_counter(
        &self,
        key: &Key<'_>,
        meta: &MetricMeta,
        callback: Box<dyn Fn() -> f64 + Send + Sync>,
    ) {
        self.inner.registry.observe(
            key,
            meta,
            Request::Observe(InstrumentKind::Counter, callback),
        );
    }

    /// A reader of deltas: each [`DeltaReader::collect`] returns what
    /// changed since its previous one (the first: since the meter was
    /// created). Readers are independent of each other and of
    /// [`snapshot`](SdkMeter::snapshot).
    pub fn delta_reader(&self) -> DeltaReader {
        DeltaReader {
            id: self.inner.collector.add_reader(),
            meter: self.clone(),
        }
    }

    fn instrument(
        &self,
        key: &Key<'_>,
        meta: &MetricMeta,
        kind: InstrumentKind,
    ) -> Option<Instrument> {
        self.inner.registry.instrument(key, meta, kind)
    }
}

impl Default for SdkMeter {
    fn default() -> SdkMeter {
        SdkMeter::new()
    }
}

impl fmt::Debug for SdkMeter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkMeter")
            .field("cells", self.inner.registry.cells())
            .finish_non_exhaustive()
    }
}

impl Meter for SdkMeter {
    fn counter(&self, key: &Key<'_>, meta: &MetricMeta) -> Counter {
        match self.instrument(key, meta, InstrumentKind::Counter) {
            Some(Instrument::Counter(c)) => Counter::from_arc(c),
            _ => Counter::noop(),
        }
    }

    fn up_down_counter(&self, key: &Key<'_>, meta: &MetricMeta) -> UpDownCounter {
        match self.instrument(key, meta, InstrumentKind::UpDownCounter) {
            Some(Instrument::UpDownCounter(c)) => UpDownCounter::from_arc(c),
            _ => UpDownCounter::noop(),
        }
    }

    fn gauge(&self, key: &Key<'_>, meta: &MetricMeta) -> Gauge {
        match self.instrument(key, meta, InstrumentKind::Gauge) {
            Some(Instrument::Gauge(g)) => Gauge::from_arc(g),
            _ => Gauge::noop(),
        }
    }

    fn histogram(&self, key: &Key<'_>, meta: &MetricMeta) -> Histogram {
        match self.instrument(key, meta, InstrumentKind::Histogram) {
            Some(Instrument::Histogram(h)) => Histogram::from_arc(h),
            _ => Histogram::noop(),
        }
    }

    fn observe_gauge(
        &self,
        key: &Key<'_>,
        meta: &MetricMeta,
        callback: Box<dyn Fn() -> f64 + Send + Sync>,
    ) {
        self.inner
            .registry
            .observe(key, meta, Request::Observe(InstrumentKind::Gauge, callback));
    }
}

/// Reads deltas from an [`SdkMeter`]: see [`SdkMeter::delta_reader`].
pub struct DeltaReader {
    meter: SdkMeter,
    id: u64,
}

impl DeltaReader {
    /// What changed since this reader's previous collection, with
    /// [`Temporality::Delta`](super::Temporality::Delta). Counters and
    /// histograms without new samples are left out; see the
    /// [module docs](super) for what a delta holds.
    pub fn collect(&mut self) -> MetricsSnapshot {
        self.meter
            .inner
            .collector
            .delta(&self.meter.inner.registry, self.id)
    }

    /// The meter this reader reads.
    pub fn meter(&self) -> &SdkMeter {
        &self.meter
    }
}

impl Drop for DeltaReader {
    fn drop(&mut self) {
        self.meter.inner.collector.remove_reader(self.id);
    }
}

impl fmt::Debug for DeltaReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeltaReader")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Builds an [`SdkMeter`]; see each setter for its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct MeterBuilder {
    family_limit: usize,
    cardinality_limit: usize,
    buckets: Vec<(String, Vec<f64>)>,
    default_buckets: Vec<f64>,
    relative_error: f64,
}

impl Default for MeterBuilder {
    fn default() -> MeterBuilder {
        MeterBuilder {
            family_limit: DEFAULT_FAMILY_LIMIT,
            cardinality_limit: DEFAULT_CARDINALITY_LIMIT,
            buckets: ADVISED_BUCKETS
                .iter()
                .map(|(name, bounds)| ((*name).to_owned(), bounds.to_vec()))
                .collect(),
            default_buckets: PROMETHEUS_BUCKETS.to_vec(),
            relative_error: DEFAULT_RELATIVE_ERROR,
        }
    }
}

impl MeterBuilder {
    /// The most metric names the meter holds (default 2000, at least 1),
    /// the SDK's own metrics included, except the counters of refusals
    /// (this one, the cardinality overflow and kind conflicts counters).
    /// Registering a new name past it returns a no-op handle (a callback is
    /// dropped), and each refused registration counts in
    /// `omniscope.metric.family_overflow` (no label: a call site that
    /// builds names from input counts on every call). Names registered
    /// before the limit was reached keep working.
    pub fn with_family_limit(mut self, limit: usize) -> MeterBuilder {
        self.family_limit = limit;
        self
    }

    /// The most label sets one metric name may have (default 2000, at
    /// least 1). Further label sets record into the metric's overflow
    /// series, labelled `otel.metric.overflow="true"`, and each refusal
    /// counts in `omniscope.metric.cardinality_overflow{metric="…"}`
    /// (a call site with dynamic labels counts on every call).
    pub fn with_cardinality_limit(mut self, limit: usize) -> MeterBuilder {
        self.cardinality_limit = limit;
        self
    }

    /// The upper bounds of the explicit buckets of histogram `name` (finite,
    /// strictly increasing, 1 to 4096 of them; a `+Inf` bucket is always
    /// added).
    /// Default: [`with_default_buckets`](MeterBuilder::with_default_buckets).
    /// A second call for the same name replaces the first.
    pub fn with_histogram_buckets(mut self, name: &str, bounds: Vec<f64>) -> MeterBuilder {
        self.buckets.retain(|(n, _)| n != name);
        self.buckets.push((name.to_owned(), bounds));
        self
    }

    /// The buckets of histograms without their own (default: Prometheus'
    /// `[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]`). The
    /// HTTP and RPC duration histograms keep the buckets their conventions
    /// advise ([`HTTP_DURATION_BUCKETS`], [`RPC_DURATION_BUCKETS`]) unless
    /// [`with_histogram_buckets`](MeterBuilder::with_histogram_buckets)
    /// names them.
    pub fn with_default_buckets(mut self, bounds: Vec<f64>) -> MeterBuilder {
        self.default_buckets = bounds;
        self
    }

    /// The quantile sketch's relative error, from 0.0001 to 0.5 (default
    /// 0.01: p50/p90/p99 within 1% of the exact sample). Smaller costs
    /// memory: about `0.7 / ln((1 + α) / (1 − α))` bins per doubling of
    /// the values' range (35 at 1%), in pages of 64 allocated on use.
    pub fn with_sketch_relative_error(mut self, relative_error: f64) -> MeterBuilder {
        self.relative_error = relative_error;
        self
    }

    /// The meter.
    ///
    /// # Errors
    /// A family or cardinality limit of 0, a relative error outside `[0.0001, 0.5]`,
    /// or buckets that are empty, more than 4096, not finite or not
    /// strictly increasing (the error names the metric).
    pub fn build(self) -> Result<SdkMeter, BuildError> {
        if self.family_limit == 0 {
            return Err(BuildError::new(
                "meter",
                "family limit is 0: it must be at least 1",
            ));
        }
        if self.cardinality_limit == 0 {
            return Err(BuildError::new(
                "meter",
                "cardinality limit is 0: it must be at least 1",
            ));
        }
        let alpha = self.relative_error;
        if !(0.0001..=0.5).contains(&alpha) {
            return Err(BuildError::new(
                "meter",
                format!(
                    "sketch relative error {alpha} is out of range: use a value from 0.0001 to 0.5"
                ),
            ));
        }
        let mapping = Mapping::new(alpha);
        validate("the default histogram buckets", &self.default_buckets)?;
        let default_buckets = Arc::new(Buckets::new(&self.default_buckets, &mapping));
        let mut buckets = HashMap::new();
        for (name, bounds) in self.buckets {
            validate(&format!("the buckets of histogram `{name}`"), &bounds)?;
            buckets.insert(name, Arc::new(Buckets::new(&bounds, &mapping)));
        }
        Ok(SdkMeter::from_config(Config {
            family_limit: self.family_limit,
            cardinality_limit: self.cardinality_limit,
            buckets,
            default_buckets,
            mapping,
        }))
    }
}

fn validate(what: &str, bounds: &[f64]) -> Result<(), BuildError> {
    if bounds.is_empty() {
        return Err(BuildError::new(
            "meter",
            format!("{what} are empty: give at least one upper bound"),
        ));
    }
    if bounds.len() > MAX_BOUNDS {
        return Err(BuildError::new(
            "meter",
            format!(
                "{what} have {} bounds: at most {MAX_BOUNDS} are allowed",
                bounds.len()
            ),
        ));
    }
    if let Some(bad) = bounds.iter().find(|b| !b.is_finite()) {
        return Err(BuildError::new(
            "meter",
            format!("{what} contain {bad}: bounds must be finite (the +Inf bucket is implicit)"),
        ));
    }
    if let Some(w) = bounds.windows(2).find(|w| w[0] >= w[1]) {
        return Err(BuildError::new(
            "meter",
            format!("{what} are not strictly increasing: {} then {}", w[0], w[1]),
        ));
    }
    Ok(())
}
