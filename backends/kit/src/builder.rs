//! [`KitBuilder`]: code settings, then the environment, then defaults.

use std::fmt;
use std::time::Duration;

use omniscope::OwnedValue;
use omniscope_sdk::errors::ErrorsBuilder;
use omniscope_sdk::logs::{LogFilter, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkBuilder, SdkErrors};

use crate::backends::{self as backend, Backend, Code, Env, LookupFn, Part, Servers};
use crate::env::{self, EnvConfig};
use crate::guard::TelemetryGuard;
use crate::propagators;
use crate::{Error, Signal};

/// How often chosen push exporters receive metrics, unless
/// `OTEL_METRIC_EXPORT_INTERVAL` says otherwise (OpenTelemetry's default).
pub const DEFAULT_METRIC_EXPORT_INTERVAL: Duration = Duration::from_secs(60);

/// The log filter when neither code nor `RUST_LOG` sets one.
pub const DEFAULT_LOG_FILTER: &str = "info";

type Lookup = Box<LookupFn>;

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
    /// Adapters from other logging libraries (the `log` bridge), installed
    /// after the SDK, in order.
    pub(crate) adapters: Vec<fn() -> Result<(), Error>>,
    /// What code gave each backend's `with_*` setter (in its module),
    /// indexed like [`Backend::ALL`]; only that module reads it back.
    pub(crate) code: [Option<Code>; Backend::ALL.len()],
}

impl fmt::Debug for KitBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KitBuilder")
            .field("service_name", &self.service_name)
            .field("from_env", &self.env.is_some())
            .field("exporters", &self.exporters)
            .field("sampler", &self.sampler)
            .field("log_filter", &self.log_filter)
            .field(
                "configured_in_code",
                &Backend::ALL
                    .into_iter()
                    .filter(|b| self.code[*b as usize].is_some())
                    .collect::<Vec<_>>(),
            )
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
            adapters: Vec::new(),
            code: [const { None }; Backend::ALL.len()],
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
        self.exporters[signal.index()] = Some(chosen);
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

    /// Builds the backends and the SDK, starts their threads, and installs
    /// the SDK as the facade's globals, with the propagators
    /// `OTEL_PROPAGATORS` names as the global propagator (unless `main` set
    /// one before: code wins; unset, the facade's W3C default stays).
    ///
    /// # Errors
    /// An environment variable with a bad value (the message names it), a
    /// backend chosen in code that is not compiled in, a configuration a
    /// backend rejects, a dashboard that cannot bind its address, or globals
    /// already installed.
    pub fn install(mut self) -> Result<TelemetryGuard, Error> {
        let env = match self.env_source() {
            Env::Unread => EnvConfig::default(),
            Env::Process => env::read(&omniscope_sdk::env::var)?,
            Env::Lookup(lookup) => env::read(&omniscope_sdk::env::infallible(lookup))?,
        };
        if env.disabled {
            return Ok(TelemetryGuard::new(None, Vec::new()));
        }
        let chosen = self.choose(&env)?;
        let resource = self.resource(&env);
        let parts = self.build_parts(&chosen)?;
        let mut sdk = Sdk::builder()
            .with_resource(resource)
            .with_shutdown_timeout(
                self.shutdown_timeout
                    .unwrap_or(omniscope_sdk::DEFAULT_SHUTDOWN_TIMEOUT),
            );
        sdk = self.with_traces(sdk, &env, &chosen, &parts);
        sdk = self.with_logs(sdk, &env, &chosen, &parts)?;
        sdk = self.with_metrics(sdk, &env, &chosen, &parts);
        let propagator = env
            .propagators
            .as_deref()
            .map(propagators::build)
            .transpose()?;
        let sdk = sdk.build()?;
        omniscope_sdk::process::register(sdk.meter());
        let servers = serve(&parts, &sdk)?;
        let telemetry = TelemetryGuard::new(Some(sdk.install()?), servers);
        for adapter in &self.adapters {
            adapter()?;
        }
        if let Some(propagator) = propagator {
            // Code wins: a propagator `main` set before `install` stays.
            let _ = omniscope::propagation::set_propagator(propagator);
        }
        if self.panic_hook {
            omniscope::install_panic_hook();
        }
        Ok(telemetry)
    }

    /// Builds every backend some signal uses, in [`Backend::ALL`] order,
    /// from code and (when read) the environment.
    fn build_parts(&mut self, chosen: &Chosen) -> Result<Parts, Error> {
        let mut parts = Parts::default();
        for backend in Backend::ALL.into_iter().filter(|b| chosen.uses(*b)) {
            // `choose` refused every backend whose feature is off.
            let module = backend
                .module()
                .ok_or_else(|| Error::backend(backend::not_compiled_in(backend)))?;
            let code = self.code[backend as usize].take();
            parts
                .0
                .push((backend, module.build(code, self.env_source())?));
        }
        Ok(parts)
    }

    /// Where `install` reads variables, for the kit and every backend.
    fn env_source(&self) -> Env<'_> {
        match &self.env {
            None => Env::Unread,
            Some(EnvSource::Process) => Env::Process,
            Some(EnvSource::Lookup(lookup)) => Env::Lookup(lookup.as_ref()),
        }
    }

    /// The backends of each signal: code, then environment, then defaults;
    /// each must be compiled in.
    fn choose(&self, env: &EnvConfig) -> Result<Chosen, Error> {
        let mut chosen = Chosen::default();
        for signal in Signal::ALL {
            let i = signal.index();
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
        // Backends their own configuration turns on (Sentry by SENTRY_DSN)
        // join what was chosen, unless code chose the signal's backends.
        for backend in Backend::ALL {
            let Some(module) = backend.module() else {
                continue;
            };
            let in_code = self.code[backend as usize].is_some();
            for signal in module.joins(in_code, self.env_source()) {
                let list = &mut chosen.0[signal.index()];
                if self.exporters[signal.index()].is_none() && !list.contains(&backend) {
                    list.push(backend);
                }
            }
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
        for exporter in parts.of(backends).filter_map(|p| p.spans()) {
            tracer = tracer.with_exporter(exporter);
        }
        sdk.with_tracer(tracer)
    }

    /// Logs, and handled errors: every handled error and panic is counted
    /// (`errors{kind}`, `panics`) and reaches the backends chosen
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
        for reporter in parts.of(backends).filter_map(|p| p.errors()) {
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
        for exporter in parts.of(backends).filter_map(|p| p.logs()) {
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
        for part in parts.of(chosen.of(Signal::Metrics)) {
            if let Some((exporter, temporality)) = part.metrics() {
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
        &self.0[signal.index()]
    }

    fn uses(&self, backend: Backend) -> bool {
        self.0.iter().any(|list| list.contains(&backend))
    }
}

/// The built backends that some signal uses, in [`Backend::ALL`] order.
#[derive(Default)]
struct Parts(Vec<(Backend, Box<dyn Part>)>);

impl Parts {
    /// The parts of `backends`, in their order.
    fn of<'a>(&'a self, backends: &'a [Backend]) -> impl Iterator<Item = &'a dyn Part> + 'a {
        backends.iter().filter_map(move |b| {
            self.0
                .iter()
                .find(|(built, _)| built == b)
                .map(|(_, part)| part.as_ref())
        })
    }
}

/// Starts the server of every built backend that needs one.
fn serve(parts: &Parts, sdk: &Sdk) -> Result<Servers, Error> {
    let mut servers = Vec::new();
    for (backend, part) in &parts.0 {
        let Some(what) = backend.spec().server else {
            continue;
        };
        if let Some(server) = part.serve(sdk).map_err(|e| Error::start(what, e))? {
            servers.push((*backend, server));
        }
    }
    Ok(servers)
}
