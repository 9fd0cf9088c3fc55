//! [`Sdk`]: the four signals wired together, installed as the facade's
//! globals, flushed and shut down by a guard.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::BuildError;
use crate::errors::{ErrorsBuilder, SdkErrors};
use crate::export::{
    contained, deadline_after, ExportError, Exporter, Pipeline, PipelineConfig, PipelineStats,
};
use crate::functions::{function_stats, FunctionStats};
use crate::logs::{LoggerBuilder, SdkLogger};
use crate::metrics::{MeterBuilder, MetricsSnapshot, PeriodicReader, SdkMeter, Temporality};
use crate::resource::Resource;
use crate::self_metrics;
use crate::trace::{SdkTracer, TracerBuilder};

/// The default deadline for the guard's flush and shutdown.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// A push exporter of metrics and how often to collect for it.
struct MetricPush {
    exporter: Box<dyn Exporter<MetricsSnapshot>>,
    interval: Duration,
    temporality: Temporality,
}

/// Configures every signal at once. Signals left unconfigured are not
/// installed (the facade's no-op stays), except the meter, which always
/// exists so that the SDK's self-metrics have a home.
#[must_use]
pub struct SdkBuilder {
    resource: Resource,
    tracer: Option<TracerBuilder>,
    meter: MeterBuilder,
    logger: Option<LoggerBuilder>,
    errors: Option<ErrorsBuilder>,
    metric_pushes: Vec<MetricPush>,
    metric_pipeline: PipelineConfig,
    shutdown_timeout: Duration,
}

impl fmt::Debug for SdkBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkBuilder")
            .field("resource", &self.resource)
            .field("tracer", &self.tracer.is_some())
            .field("logger", &self.logger.is_some())
            .field("errors", &self.errors.is_some())
            .field("metric_exporters", &self.metric_pushes.len())
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish_non_exhaustive()
    }
}

impl SdkBuilder {
    /// The resource attached to every signal. Default: `Resource::default()`
    /// (`service.name = unknown_service` plus host, process and SDK attributes).
    pub fn with_resource(mut self, resource: Resource) -> SdkBuilder {
        self.resource = resource;
        self
    }

    /// Records spans with this tracer configuration. Default: no tracer.
    pub fn with_tracer(mut self, tracer: TracerBuilder) -> SdkBuilder {
        self.tracer = Some(tracer);
        self
    }

    /// Configures the meter. Default: `SdkMeter::builder()`'s defaults.
    pub fn with_meter(mut self, meter: MeterBuilder) -> SdkBuilder {
        self.meter = meter;
        self
    }

    /// Pushes metrics to `exporter` every `interval`. Default: none (pull
    /// readers, such as a Prometheus endpoint, read [`Sdk::meter`] directly).
    pub fn with_metric_exporter(
        mut self,
        exporter: Box<dyn Exporter<MetricsSnapshot>>,
        interval: Duration,
        temporality: Temporality,
    ) -> SdkBuilder {
        self.metric_pushes.push(MetricPush {
            exporter,
            interval,
            temporality,
        });
        self
    }

    /// The pipeline configuration of metric push exporters. Default:
    /// `PipelineConfig::for_signal("metrics")`.
    pub fn with_metric_pipeline_config(mut self, config: PipelineConfig) -> SdkBuilder {
        self.metric_pipeline = config;
        self
    }

    /// Processes logs with this logger configuration. Default: no logger.
    pub fn with_logger(mut self, logger: LoggerBuilder) -> SdkBuilder {
        self.logger = Some(logger);
        self
    }

    /// Reports handled errors and panics with this configuration. Default: none.
    pub fn with_errors(mut self, errors: ErrorsBuilder) -> SdkBuilder {
        self.errors = Some(errors);
        self
    }

    /// How long the guard waits, in all, to flush and shut down when
    /// dropped. Default: [`DEFAULT_SHUTDOWN_TIMEOUT`] (5 s).
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> SdkBuilder {
        self.shutdown_timeout = timeout;
        self
    }

    /// Builds every configured part and starts its export threads, without
    /// installing anything global.
    ///
    /// # Errors
    /// The first part whose configuration is invalid.
    pub fn build(self) -> Result<Sdk, BuildError> {
        let resource = Arc::new(self.resource);
        let meter = self.meter.build()?;
        let tracer = self
            .tracer
            .map(|t| t.with_resource(resource.clone()).build())
            .transpose()?;
        let logger = self
            .logger
            .map(|l| l.with_resource(resource.clone()).build())
            .transpose()?;
        let errors = self
            .errors
            .map(|e| e.with_resource(resource.clone()).build())
            .transpose()?;
        let mut readers = Vec::with_capacity(self.metric_pushes.len());
        for push in self.metric_pushes {
            let pipeline = Pipeline::spawn(
                "metrics",
                push.exporter,
                resource.clone(),
                self.metric_pipeline.clone(),
            )?;
            readers.push(PeriodicReader::spawn(
                meter.clone(),
                push.interval,
                push.temporality,
                pipeline,
            )?);
        }
        let sdk = Sdk {
            parts: Arc::new(Parts {
                resource,
                tracer,
                meter,
                logger,
                errors,
                readers,
            }),
            shutdown_timeout: self.shutdown_timeout,
        };
        self_metrics::register(&sdk);
        Ok(sdk)
    }

    /// Builds, installs the configured parts as the facade's globals, and
    /// returns the guard that flushes and shuts them down when dropped.
    ///
    /// # Errors
    /// An invalid configuration, or a global of some signal already installed.
    pub fn install(self) -> Result<SdkGuard, InstallError> {
        self.build().map_err(InstallError::Build)?.install()
    }
}

struct Parts {
    resource: Arc<Resource>,
    tracer: Option<SdkTracer>,
    meter: SdkMeter,
    logger: Option<SdkLogger>,
    errors: Option<SdkErrors>,
    readers: Vec<PeriodicReader>,
}

/// The built parts. Cheap to clone; every clone drives the same threads.
#[derive(Clone)]
pub struct Sdk {
    parts: Arc<Parts>,
    shutdown_timeout: Duration,
}

impl fmt::Debug for Sdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sdk")
            .field("service", &self.parts.resource.service_name())
            .field("tracer", &self.parts.tracer.is_some())
            .field("logger", &self.parts.logger.is_some())
            .field("errors", &self.parts.errors.is_some())
            .field("metric_readers", &self.parts.readers.len())
            .finish()
    }
}

impl Sdk {
    /// Starts configuring an SDK.
    pub fn builder() -> SdkBuilder {
        SdkBuilder {
            resource: Resource::default(),
            tracer: None,
            meter: SdkMeter::builder(),
            logger: None,
            errors: None,
            metric_pushes: Vec::new(),
            metric_pipeline: PipelineConfig::for_signal("metrics"),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }

    /// The resource.
    pub fn resource(&self) -> &Arc<Resource> {
        &self.parts.resource
    }

    /// The tracer, if one was configured.
    pub fn tracer(&self) -> Option<&SdkTracer> {
        self.parts.tracer.as_ref()
    }

    /// The meter (always present).
    pub fn meter(&self) -> &SdkMeter {
        &self.parts.meter
    }

    /// The logger, if one was configured.
    pub fn logger(&self) -> Option<&SdkLogger> {
        self.parts.logger.as_ref()
    }

    /// The error handler, if one was configured.
    pub fn errors(&self) -> Option<&SdkErrors> {
        self.parts.errors.as_ref()
    }

    /// The state of every export pipeline.
    pub fn pipeline_stats(&self) -> Vec<PipelineStats> {
        let p = &self.parts;
        let mut stats = Vec::new();
        stats.extend(p.tracer.iter().flat_map(SdkTracer::pipeline_stats));
        stats.extend(p.logger.iter().flat_map(SdkLogger::pipeline_stats));
        stats.extend(p.errors.iter().flat_map(SdkErrors::pipeline_stats));
        stats.extend(p.readers.iter().map(|r| r.pipeline().stats()));
        stats
    }

    /// Per-function statistics of `#[instrument]`ed functions, with their
    /// call graph edges (see [`FunctionStats`]).
    pub fn function_stats(&self) -> Vec<FunctionStats> {
        let edges = self
            .parts
            .tracer
            .as_ref()
            .map(SdkTracer::call_graph)
            .unwrap_or_default();
        function_stats(&self.parts.meter.snapshot(), &edges)
    }

    /// Installs the configured parts as the facade's globals.
    ///
    /// # Errors
    /// A global of some signal is already installed (nothing after it is
    /// installed; what was installed before it stays).
    pub fn install(self) -> Result<SdkGuard, InstallError> {
        let p = &self.parts;
        omniscope::set_meter(p.meter.clone())
            .map_err(|_| InstallError::AlreadyInstalled("meter"))?;
        if let Some(t) = &p.tracer {
            omniscope::set_tracer(t.clone())
                .map_err(|_| InstallError::AlreadyInstalled("tracer"))?;
        }
        if let Some(l) = &p.logger {
            omniscope::set_logger(l.clone())
                .map_err(|_| InstallError::AlreadyInstalled("logger"))?;
        }
        if let Some(e) = &p.errors {
            omniscope::set_error_handler(e.clone())
                .map_err(|_| InstallError::AlreadyInstalled("error handler"))?;
        }
        Ok(SdkGuard { sdk: self })
    }

    /// Hands over everything recorded so far and waits until every exporter
    /// has it, or `deadline` passes. The parts flush side by side, so a slow
    /// one leaves the others the whole deadline.
    ///
    /// # Errors
    /// The first part that did not finish ([`ExportError::Timeout`]), in
    /// the order tracer, logger, error handler, metric readers.
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        self.each_part(|part| part.flush(deadline))
    }

    /// Flushes, then stops every export thread, by `deadline`. Later records
    /// are dropped and counted. The parts shut down side by side, so a slow
    /// one leaves the others the whole deadline.
    ///
    /// # Errors
    /// The first part that did not finish ([`ExportError::Timeout`]), in
    /// the order tracer, logger, error handler, metric readers.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        self.each_part(|part| part.shutdown(deadline))
    }

    /// Runs `f` on every part at once (one on this thread, each other on a
    /// thread of its own) and returns the first error, in part order.
    ///
    /// In sequence, a part whose exporter hangs would spend the deadline
    /// they share, and every part after it would give up (and drop what it
    /// holds) as soon as its turn came.
    fn each_part(
        &self,
        f: impl Fn(&dyn Flushable) -> Result<(), ExportError> + Sync,
    ) -> Result<(), ExportError> {
        let p = &self.parts;
        let mut parts: Vec<&dyn Flushable> = Vec::new();
        parts.extend(p.tracer.iter().map(|t| t as &dyn Flushable));
        parts.extend(p.logger.iter().map(|l| l as &dyn Flushable));
        parts.extend(p.errors.iter().map(|e| e as &dyn Flushable));
        parts.extend(p.readers.iter().map(|r| r as &dyn Flushable));
        // A part that panics reports an error instead of unwinding into the
        // caller (often a guard's `Drop`).
        let run = |part: &dyn Flushable| {
            contained(|| f(part)).unwrap_or_else(|message| {
                Err(ExportError::Internal(format!(
                    "flushing or shutting down a part of the sdk panicked: {message}"
                )))
            })
        };
        let Some((first, others)) = parts.split_first() else {
            return Ok(());
        };
        let outcomes: Vec<Result<(), ExportError>> = std::thread::scope(|scope| {
            let started: Vec<_> = others
                .iter()
                .map(|part| {
                    let part = *part;
                    let thread = std::thread::Builder::new()
                        .name("omniscope-flush".into())
                        .spawn_scoped(scope, move || run(part));
                    // No thread to be had: this part runs here, after the first.
                    thread.map_err(|_| part)
                })
                .collect();
            let mut outcomes = vec![run(*first)];
            for thread in started {
                let outcome = match thread {
                    Ok(thread) => thread.join().unwrap_or_else(|_| {
                        Err(ExportError::Internal(
                            "a flush thread of the sdk ended unexpectedly".into(),
                        ))
                    }),
                    Err(part) => run(part),
                };
                outcomes.push(outcome);
            }
            outcomes
        });
        outcomes.into_iter().find(Result::is_err).unwrap_or(Ok(()))
    }
}

/// The parts' shared flush/shutdown surface.
trait Flushable: Sync {
    fn flush(&self, deadline: Instant) -> Result<(), ExportError>;
    fn shutdown(&self, deadline: Instant) -> Result<(), ExportError>;
}

macro_rules! flushable {
    ($($ty:ty),*) => {$(
        impl Flushable for $ty {
            fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
                <$ty>::flush(self, deadline)
            }
            fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
                <$ty>::shutdown(self, deadline)
            }
        }
    )*};
}

flushable!(SdkTracer, SdkLogger, SdkErrors, PeriodicReader);

/// Flushes and shuts the SDK down when dropped, within the shutdown timeout.
#[must_use = "dropping the guard shuts telemetry down at once"]
#[derive(Debug)]
pub struct SdkGuard {
    sdk: Sdk,
}

impl SdkGuard {
    /// The installed SDK.
    pub fn sdk(&self) -> &Sdk {
        &self.sdk
    }
}

impl Drop for SdkGuard {
    fn drop(&mut self) {
        let deadline = deadline_after(self.sdk.shutdown_timeout);
        // The globals stay installed (they are set once); after shutdown they
        // drop what they receive and count it.
        let _ = self.sdk.shutdown(deadline);
    }
}

/// Why [`Sdk::install`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstallError {
    /// A part's configuration is invalid. Transparent: its message and
    /// source are the [`BuildError`]'s own, so a chain says it once.
    Build(BuildError),
    /// Another backend of this signal is already installed.
    AlreadyInstalled(&'static str),
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallError::Build(e) => fmt::Display::fmt(e, f),
            InstallError::AlreadyInstalled(what) => {
                write!(f, "a global {what} is already installed: install telemetry once, at the start of main")
            }
        }
    }
}

impl std::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InstallError::Build(e) => std::error::Error::source(e),
            InstallError::AlreadyInstalled(_) => None,
        }
    }
}

impl From<BuildError> for InstallError {
    fn from(e: BuildError) -> InstallError {
        InstallError::Build(e)
    }
}
