//! [`KitBuilder`]: code settings, then the environment, then defaults.

use std::fmt;
use std::time::Duration;

use omniscope::OwnedValue;
use omniscope_sdk::errors::ErrorsBuilder;
use omniscope_sdk::logs::{LogFilter, SdkLogger};
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkBuilder, SdkErrors};

use crate::backend::{self, Backend, Signal};
use crate::env::{self, signal_index, EnvConfig};
use crate::guard::TelemetryGuard;
use crate::Error;

/// How often chosen push exporters receive metrics, unless
/// `OTEL_METRIC_EXPORT_INTERVAL` says otherwise (OpenTelemetry's default).
pub const DEFAULT_METRIC_EXPORT_INTERVAL: Duration = Duration::from_secs(60);

/// The log filter when neither code nor `RUST_LOG` sets one.
pub const DEFAULT_LOG_FILTER: &str = "info";

type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where [`KitBuilder::install`] reads variables.
enum EnvSource {
    /// The process environment: a value that is not UTF-8 is an error.
    Process,
    /// A lookup given in code.
    Lookup(Lookup),
}

/// Configures and installs telemetry. Start with [`builder`](crate::builder).
///
/// Every setter's value wins over the environment; see the
/// [crate docs](crate#configuration-code-then-environment-then-defaults)
/// for the order and the variables.
#[must_use]
pub struct KitBuilder {
    service_name: Option<String>,
    service_version: Option<String>,
    resource_attributes: Vec<(String, String)>,
    env: Option<EnvSource>,
    exporters: [Option<Vec<Backend>>; 3],
    sampler: Option<Sampler>,
    log_filter: Option<String>,
    metric_export_interval: Option<Duration>,
    shutdown_timeout: Option<Duration>,
    panic_hook: bool,
    #[cfg(feature = "console")]
    console: Option<omniscope_console::ConsoleBuilder>,
    #[cfg(feature = "present")]
    present: Option<omniscope_present::PresentBuilder>,
    #[cfg(feature = "otlp")]
    otlp: Option<omniscope_otlp::OtlpBuilder>,
    #[cfg(feature = "jaeger")]
    jaeger: Option<omniscope_otlp::OtlpBuilder>,
    #[cfg(feature = "prometheus")]
    prometheus: Option<omniscope_prometheus::PrometheusBuilder>,
}

impl fmt::Debug for KitBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KitBuilder")
            .field("service_name", &self.service_name)
            .field("from_env", &self.env.is_some())
            .field("exporters", &self.exporters)
            .field("sampler", &self.sampler)
            .field("log_filter", &self.log_filter)
            .finish_non_exhaustive()
    }
}

impl KitBuilder {
    pub(crate) fn new() -> KitBuilder {
        KitBuilder {
            service_name: None,
            service_version: None,
            resource_attributes: Vec::new(),
            env: None,
            exporters: [None, None, None],
            sampler: None,
            log_filter: None,
            metric_export_interval: None,
            shutdown_timeout: None,
            panic_hook: true,
            #[cfg(feature = "console")]
            console: None,
            #[cfg(feature = "present")]
            present: None,
            #[cfg(feature = "otlp")]
            otlp: None,
            #[cfg(feature = "jaeger")]
            jaeger: None,
            #[cfg(feature = "prometheus")]
            prometheus: None,
        }
    }

    /// `service.name`. Default: `OTEL_SERVICE_NAME`, else `service.name` in
    /// `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service`.
    pub fn with_service_name(mut self, name: impl Into<String>) -> KitBuilder {
        self.service_name = Some(name.into());
        self
    }

    /// `service.version`. Default: none (or from `OTEL_RESOURCE_ATTRIBUTES`).
    pub fn with_service_version(mut self, version: impl Into<String>) -> KitBuilder {
        self.service_version = Some(version.into());
        self
    }

    /// Another resource attribute (`deployment.environment.name`, …),
    /// replacing one of the same key from the environment. Default: the
    /// detected host, process and SDK attributes.
    pub fn with_resource_attribute(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> KitBuilder {
        self.resource_attributes.push((key.into(), value.into()));
        self
    }

    /// Reads the process environment at [`install`](KitBuilder::install) to
    /// fill what code left unset; a variable whose value is not UTF-8 fails
    /// `install`, naming it. Default: the environment is not read.
    pub fn from_env(mut self) -> KitBuilder {
        self.env = Some(EnvSource::Process);
        self
    }

    /// [`from_env`](KitBuilder::from_env) with variables from `lookup`
    /// instead of the process environment (for tests, or a config file
    /// mapped to the same names).
    pub fn from_env_with(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> KitBuilder {
        self.env = Some(EnvSource::Lookup(Box::new(lookup)));
        self
    }

    /// The backends that receive `signal`; empty means none. Default:
    /// `OTEL_{TRACES,METRICS,LOGS}_EXPORTER`, else every compiled-in
    /// backend that takes the signal by default (see [`Backend`]).
    pub fn with_exporters(
        mut self,
        signal: Signal,
        backends: impl IntoIterator<Item = Backend>,
    ) -> KitBuilder {
        let mut chosen: Vec<Backend> = Vec::new();
        for b in backends {
            if !chosen.contains(&b) {
                chosen.push(b);
            }
        }
        self.exporters[signal_index(signal)] = Some(chosen);
        self
    }

    /// The head sampler. Default: `OTEL_TRACES_SAMPLER` (and `_ARG`), else
    /// `parentbased_always_on`.
    pub fn with_sampler(mut self, sampler: Sampler) -> KitBuilder {
        self.sampler = Some(sampler);
        self
    }

    /// Log filter directives (`info,orders::db=debug`). Default: `RUST_LOG`,
    /// else [`DEFAULT_LOG_FILTER`].
    pub fn with_log_filter(mut self, directives: impl Into<String>) -> KitBuilder {
        self.log_filter = Some(directives.into());
        self
    }

    /// How often push exporters receive metrics. Default:
    /// `OTEL_METRIC_EXPORT_INTERVAL`, else [`DEFAULT_METRIC_EXPORT_INTERVAL`].
    pub fn with_metric_export_interval(mut self, interval: Duration) -> KitBuilder {
        self.metric_export_interval = Some(interval);
        self
    }

    /// How long dropping the guard may take to deliver what is queued.
    /// Default: [`omniscope_sdk::DEFAULT_SHUTDOWN_TIMEOUT`].
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> KitBuilder {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Leaves the panic hook alone. Default: a hook that reports every panic
    /// to the error handler ([`omniscope::install_panic_hook`]).
    pub fn without_panic_hook(mut self) -> KitBuilder {
        self.panic_hook = false;
        self
    }

    /// Configures the console backend (used when a signal chooses it).
    /// Default: `Console::builder()`, reading `OMNISCOPE_LOG_FORMAT` when the
    /// environment is read.
    #[cfg(feature = "console")]
    #[cfg_attr(docsrs, doc(cfg(feature = "console")))]
    pub fn with_console(mut self, console: omniscope_console::ConsoleBuilder) -> KitBuilder {
        self.console = Some(console);
        self
    }

    /// Configures the dashboard (used when a signal chooses it). Default:
    /// `Present::builder()`, on `127.0.0.1:9000`.
    #[cfg(feature = "present")]
    #[cfg_attr(docsrs, doc(cfg(feature = "present")))]
    pub fn with_present(mut self, present: omniscope_present::PresentBuilder) -> KitBuilder {
        self.present = Some(present);
        self
    }

    /// Configures the OTLP backend (used when a signal chooses it).
    /// Default: `Otlp::builder()`, reading `OTEL_EXPORTER_OTLP_*` when the
    /// environment is read.
    #[cfg(feature = "otlp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
    pub fn with_otlp(mut self, otlp: omniscope_otlp::OtlpBuilder) -> KitBuilder {
        self.otlp = Some(otlp);
        self
    }

    /// Configures the Jaeger backend (used when traces choose it).
    /// Default: `omniscope_jaeger::builder()`, reading `OTEL_EXPORTER_OTLP_*`
    /// when the environment is read.
    #[cfg(feature = "jaeger")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jaeger")))]
    pub fn with_jaeger(mut self, jaeger: omniscope_otlp::OtlpBuilder) -> KitBuilder {
        self.jaeger = Some(jaeger);
        self
    }

    /// Configures the Prometheus endpoint (used when metrics choose it).
    /// Default: `Prometheus::builder()` on `127.0.0.1:9464`, reading
    /// `OTEL_EXPORTER_PROMETHEUS_HOST` / `_PORT` when the environment is read.
    #[cfg(feature = "prometheus")]
    #[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
    pub fn with_prometheus(
        mut self,
        prometheus: omniscope_prometheus::PrometheusBuilder,
    ) -> KitBuilder {
        self.prometheus = Some(prometheus);
        self
    }

    /// Builds the backends and the SDK, starts their threads, and installs
    /// the SDK as the facade's globals.
    ///
    /// # Errors
    /// An environment variable with a bad value (the message names it), a
    /// backend chosen in code that is not compiled in, a configuration a
    /// backend rejects, a dashboard that cannot bind its address, or globals
    /// already installed.
    pub fn install(mut self) -> Result<TelemetryGuard, Error> {
        let env = match &self.env {
            Some(EnvSource::Process) => env::read(&omniscope_sdk::env::var)?,
            Some(EnvSource::Lookup(lookup)) => env::read(&omniscope_sdk::env::infallible(lookup))?,
            None => EnvConfig::default(),
        };
        if env.disabled {
            return Ok(TelemetryGuard::new(None));
        }
        let chosen = self.choose(&env)?;
        let resource = self.resource(&env);
        let parts = Parts::build(&mut self, &chosen)?;
        let mut sdk = Sdk::builder()
            .with_resource(resource)
            .with_shutdown_timeout(
                self.shutdown_timeout
                    .unwrap_or(omniscope_sdk::DEFAULT_SHUTDOWN_TIMEOUT),
            );
        sdk = self.with_traces(sdk, &env, &chosen, &parts);
        sdk = self.with_logs(sdk, &env, &chosen, &parts)?;
        sdk = self.with_metrics(sdk, &env, &chosen, &parts);
        let sdk = sdk.build()?;
        omniscope_sdk::process::register(sdk.meter());
        #[cfg(feature = "present")]
        let dashboard = parts.serve_dashboard(&sdk)?;
        #[cfg(feature = "prometheus")]
        let scrape = parts.serve_prometheus(&sdk)?;
        let telemetry = TelemetryGuard::new(Some(sdk.install()?));
        #[cfg(feature = "present")]
        let telemetry = telemetry.with_dashboard(dashboard);
        #[cfg(feature = "prometheus")]
        let telemetry = telemetry.with_prometheus(scrape);
        if self.panic_hook {
            omniscope::install_panic_hook();
        }
        Ok(telemetry)
    }

    /// The backends of each signal: code, then environment, then defaults;
    /// each must be compiled in.
    fn choose(&self, env: &EnvConfig) -> Result<Chosen, Error> {
        let mut chosen = Chosen::default();
        for signal in Signal::ALL {
            let i = signal_index(signal);
            let backends = match (&self.exporters[i], env.exporters(signal)) {
                (Some(code), _) => code.clone(),
                (None, Some(from_env)) => from_env.to_vec(),
                (None, None) => backend::defaults(signal),
            };
            if let Some(b) = backends.iter().find(|b| !b.is_compiled_in()) {
                return Err(Error::backend(format!(
                    "{signal} exporter chosen in code: {}",
                    backend::not_compiled_in(*b)
                )));
            }
            if let Some(b) = backends.iter().find(|b| !b.carries(signal)) {
                return Err(Error::backend(format!(
                    "{signal} exporter chosen in code: {}",
                    backend::cannot_carry(*b, signal)
                )));
            }
            chosen.0[i] = backends;
        }
        Ok(chosen)
    }

    fn resource(&self, env: &EnvConfig) -> Resource {
        let name = self
            .service_name
            .clone()
            .or_else(|| env.service_name.clone())
            .or_else(|| {
                env.resource_attributes
                    .iter()
                    .find(|(k, _)| k == Resource::SERVICE_NAME)
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| "unknown_service".to_owned());
        let mut resource = Resource::new(name);
        for (key, value) in &env.resource_attributes {
            if key != Resource::SERVICE_NAME {
                resource.set(key.clone(), OwnedValue::Str(value.clone()));
            }
        }
        if let Some(version) = &self.service_version {
            resource.set("service.version", OwnedValue::Str(version.clone()));
        }
        for (key, value) in &self.resource_attributes {
            resource.set(key.clone(), OwnedValue::Str(value.clone()));
        }
        resource
    }

    fn with_traces(
        &self,
        sdk: SdkBuilder,
        env: &EnvConfig,
        chosen: &Chosen,
        parts: &Parts,
    ) -> SdkBuilder {
        let backends = chosen.of(Signal::Traces);
        if backends.is_empty() {
            return sdk;
        }
        let sampler = self
            .sampler
            .clone()
            .or_else(|| env.sampler.clone())
            .unwrap_or_else(|| Sampler::parent_based(Sampler::AlwaysOn));
        let mut tracer = SdkTracer::builder().with_sampler(sampler);
        for exporter in backends.iter().filter_map(|b| parts.span_exporter(*b)) {
            tracer = tracer.with_exporter(exporter);
        }
        sdk.with_tracer(tracer)
    }

    /// Logs, and handled errors: every handled error and panic is counted
    /// (`errors_total{kind}`, `panics_total`) and reaches the backends chosen
    /// for logs that show errors (the console, the dashboard).
    fn with_logs(
        &self,
        sdk: SdkBuilder,
        env: &EnvConfig,
        chosen: &Chosen,
        parts: &Parts,
    ) -> Result<SdkBuilder, Error> {
        let backends = chosen.of(Signal::Logs);
        let mut errors: ErrorsBuilder = SdkErrors::builder();
        for reporter in backends.iter().filter_map(|b| parts.error_reporter(*b)) {
            errors = errors.with_reporter(reporter);
        }
        let sdk = sdk.with_errors(errors);
        if backends.is_empty() {
            return Ok(sdk);
        }
        let filter = match (&self.log_filter, &env.log_filter) {
            (Some(code), _) => LogFilter::parse(code)?,
            (None, Some(from_env)) => from_env.clone(),
            (None, None) => LogFilter::parse(DEFAULT_LOG_FILTER)?,
        };
        let mut logger = SdkLogger::builder().with_log_filter(filter);
        for exporter in backends.iter().filter_map(|b| parts.log_exporter(*b)) {
            logger = logger.with_exporter(exporter);
        }
        Ok(sdk.with_logger(logger))
    }

    /// Push exporters get a periodic reader; the dashboard reads the meter
    /// itself.
    fn with_metrics(
        &self,
        mut sdk: SdkBuilder,
        env: &EnvConfig,
        chosen: &Chosen,
        parts: &Parts,
    ) -> SdkBuilder {
        let interval = self
            .metric_export_interval
            .or(env.metric_export_interval)
            .unwrap_or(DEFAULT_METRIC_EXPORT_INTERVAL);
        for b in chosen.of(Signal::Metrics) {
            if let Some((exporter, temporality)) = parts.metric_exporter(*b) {
                sdk = sdk.with_metric_exporter(exporter, interval, temporality);
            }
        }
        sdk
    }
}

/// The backends chosen for each signal, indexed like [`Signal::ALL`].
#[derive(Debug, Default)]
struct Chosen([Vec<Backend>; 3]);

impl Chosen {
    fn of(&self, signal: Signal) -> &[Backend] {
        &self.0[signal_index(signal)]
    }

    #[cfg(any(
        feature = "console",
        feature = "present",
        feature = "otlp",
        feature = "jaeger",
        feature = "prometheus"
    ))]
    fn uses(&self, backend: Backend) -> bool {
        self.0.iter().any(|list| list.contains(&backend))
    }
}

/// The built backends that some signal uses.
struct Parts {
    #[cfg(feature = "console")]
    console: Option<omniscope_console::Console>,
    #[cfg(feature = "present")]
    present: Option<omniscope_present::Present>,
    #[cfg(feature = "otlp")]
    otlp: Option<omniscope_otlp::Otlp>,
    #[cfg(feature = "jaeger")]
    jaeger: Option<omniscope_otlp::Otlp>,
    #[cfg(feature = "prometheus")]
    prometheus: Option<omniscope_prometheus::Prometheus>,
}

type SpanExporter = Box<dyn omniscope_sdk::export::Exporter<omniscope_sdk::trace::SpanData>>;
type LogExporter = Box<dyn omniscope_sdk::export::Exporter<omniscope_sdk::logs::LogData>>;
type ErrorReporter = Box<dyn omniscope_sdk::export::Exporter<omniscope_sdk::errors::ErrorEvent>>;
type MetricExporter =
    Box<dyn omniscope_sdk::export::Exporter<omniscope_sdk::metrics::MetricsSnapshot>>;

// Each method returns the exporter of a backend that `Parts::build` built
// (every backend some signal uses); `None` only for a backend of a disabled
// feature, which `choose` already refused.
#[allow(unused_variables, clippy::needless_pass_by_ref_mut)]
impl Parts {
    fn build(kit: &mut KitBuilder, chosen: &Chosen) -> Result<Parts, Error> {
        Ok(Parts {
            #[cfg(feature = "console")]
            console: match chosen.uses(Backend::Console) {
                true => {
                    let console = kit.console.take().unwrap_or_default();
                    let console = match &kit.env {
                        Some(EnvSource::Process) => console.from_env(),
                        Some(EnvSource::Lookup(lookup)) => console.from_env_with(lookup),
                        None => console,
                    };
                    Some(console.build()?)
                }
                false => None,
            },
            #[cfg(feature = "present")]
            present: match chosen.uses(Backend::Present) {
                true => Some(kit.present.take().unwrap_or_default().build()?),
                false => None,
            },
            #[cfg(feature = "otlp")]
            otlp: match chosen.uses(Backend::Otlp) {
                true => {
                    let code = kit.otlp.take();
                    Some(with_env(kit, code, omniscope_otlp::Otlp::builder)?)
                }
                false => None,
            },
            #[cfg(feature = "prometheus")]
            prometheus: match chosen.uses(Backend::Prometheus) {
                true => {
                    let prometheus = kit.prometheus.take().unwrap_or_default();
                    let prometheus = match &kit.env {
                        Some(EnvSource::Process) => prometheus.from_env(),
                        Some(EnvSource::Lookup(lookup)) => prometheus.from_env_with(lookup),
                        None => prometheus,
                    };
                    Some(prometheus.build()?)
                }
                false => None,
            },
            #[cfg(feature = "jaeger")]
            jaeger: match chosen.uses(Backend::Jaeger) {
                true => {
                    let code = kit.jaeger.take();
                    Some(with_env(kit, code, omniscope_jaeger::builder)?)
                }
                false => None,
            },
        })
    }

    fn span_exporter(&self, backend: Backend) -> Option<SpanExporter> {
        match backend {
            #[cfg(feature = "console")]
            Backend::Console => self.console.as_ref().map(|c| Box::new(c.spans()) as _),
            #[cfg(feature = "present")]
            Backend::Present => self.present.as_ref().map(|p| Box::new(p.spans()) as _),
            #[cfg(feature = "otlp")]
            Backend::Otlp => self.otlp.as_ref().map(|o| Box::new(o.spans()) as _),
            #[cfg(feature = "jaeger")]
            Backend::Jaeger => self.jaeger.as_ref().map(|j| Box::new(j.spans()) as _),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    fn log_exporter(&self, backend: Backend) -> Option<LogExporter> {
        match backend {
            #[cfg(feature = "console")]
            Backend::Console => self.console.as_ref().map(|c| Box::new(c.logs()) as _),
            #[cfg(feature = "present")]
            Backend::Present => self.present.as_ref().map(|p| Box::new(p.logs()) as _),
            #[cfg(feature = "otlp")]
            Backend::Otlp => self.otlp.as_ref().map(|o| Box::new(o.logs()) as _),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The error reporter of a backend (OTLP has none: errors follow logs
    /// to the backends that show them).
    fn error_reporter(&self, backend: Backend) -> Option<ErrorReporter> {
        match backend {
            #[cfg(feature = "console")]
            Backend::Console => self.console.as_ref().map(|c| Box::new(c.errors()) as _),
            #[cfg(feature = "present")]
            Backend::Present => self.present.as_ref().map(|p| Box::new(p.errors()) as _),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The push exporter of a backend and the temporality it wants, or
    /// `None` for one that reads the meter when asked (the dashboard).
    fn metric_exporter(&self, backend: Backend) -> Option<(MetricExporter, Temporality)> {
        match backend {
            #[cfg(feature = "console")]
            Backend::Console => self
                .console
                .as_ref()
                .map(|c| (Box::new(c.metrics()) as _, Temporality::Cumulative)),
            #[cfg(feature = "otlp")]
            Backend::Otlp => self
                .otlp
                .as_ref()
                .map(|o| (Box::new(o.metrics()) as _, o.temporality())),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Starts the Prometheus endpoint, if metrics use it.
    #[cfg(feature = "prometheus")]
    fn serve_prometheus(&self, sdk: &Sdk) -> Result<Option<omniscope_prometheus::Server>, Error> {
        self.prometheus
            .as_ref()
            .map(|prometheus| {
                prometheus
                    .serve(sdk)
                    .map_err(|e| Error::start("the Prometheus endpoint (omniscope-prometheus)", e))
            })
            .transpose()
    }

    /// Starts the dashboard's server, if a signal uses it.
    #[cfg(feature = "present")]
    fn serve_dashboard(&self, sdk: &Sdk) -> Result<Option<omniscope_present::Server>, Error> {
        self.present
            .as_ref()
            .map(|present| {
                present
                    .serve(sdk.clone())
                    .map_err(|e| Error::start("the dashboard (omniscope-present)", e))
            })
            .transpose()
    }
}

/// An OTLP builder from code (or `default`), with the environment filling
/// what code left unset when the kit reads it.
#[cfg(any(feature = "otlp", feature = "jaeger"))]
fn with_env(
    kit: &KitBuilder,
    code: Option<omniscope_otlp::OtlpBuilder>,
    default: fn() -> omniscope_otlp::OtlpBuilder,
) -> Result<omniscope_otlp::Otlp, Error> {
    let builder = code.unwrap_or_else(default);
    let builder = match &kit.env {
        Some(EnvSource::Process) => builder.from_env(),
        Some(EnvSource::Lookup(lookup)) => builder.from_env_with(lookup),
        None => builder,
    };
    Ok(builder.build()?)
}
