//! What a backend module gives the kit: a [`Spec`] in every build, and,
//! when its Cargo feature is on, a [`Module`] that builds it.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::time::Instant;

use omniscope::propagation::Propagator;
use omniscope_sdk::env::Lookup;
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::Exporter;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::{MetricsSnapshot, Temporality};
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::{Sdk, Signal};

use crate::{Backend, Error};

/// What the kit knows of a backend in every build, so that a variable
/// naming a backend whose feature is off gets a precise error.
pub(crate) struct Spec {
    /// The name in `OTEL_*_EXPORTER`, in messages, and of its Cargo feature.
    pub(crate) name: &'static str,
    /// The signals it can take.
    pub(crate) takes: &'static [Signal],
    /// The signals it takes when neither code nor the environment chose.
    pub(crate) by_default: &'static [Signal],
    /// The loopback server it needs, as errors name it (`the dashboard
    /// (omniscope-present)`): [`Part::serve`] starts it once the SDK is
    /// built, and the guard stops it after the SDK.
    pub(crate) server: Option<&'static str>,
    /// The `OTEL_PROPAGATORS` names it provides (`b3`), made by
    /// [`Module::propagator`]; listed in every build so that naming one
    /// whose backend is not compiled in says which feature to enable.
    pub(crate) propagators: &'static [&'static str],
    /// Its implementation, when its Cargo feature is on (`compiled!`).
    pub(crate) module: Option<&'static dyn Module>,
}

/// A compiled-in backend: how it is configured from code and environment.
pub(crate) trait Module: Sync {
    /// Checks the backend's own variables whenever it is compiled in,
    /// chosen or not, so that a typo is found before the day it is chosen.
    fn check_env(&self, _lookup: Lookup<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Builds the backend from what code gave its `with_*` setter (`None`:
    /// its defaults), with the environment filling what code left unset
    /// when the kit reads it.
    fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error>;

    /// The signals the backend joins, beside whatever code, the
    /// environment or the defaults chose for them (not when code chose
    /// that signal's backends): Sentry joins logs once `SENTRY_DSN` is set
    /// or code configured it (`in_code`). Default: none.
    fn joins(&self, _in_code: bool, _env: Env<'_>) -> &'static [Signal] {
        &[]
    }

    /// The propagator called `name`, one of its [`Spec::propagators`].
    fn propagator(&self, _name: &str) -> Option<Box<dyn Propagator>> {
        None
    }
}

/// A backend's builder as code gave it to its `with_*` setter; only that
/// backend's module reads it back (`downcast`).
pub(crate) type Code = Box<dyn Any + Send>;

/// A variable lookup given in code.
pub(crate) type LookupFn = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where the kit reads variables, which every backend follows: through its
/// own `from_env` (the process environment) or `from_env_with` (a lookup).
#[derive(Clone, Copy)]
pub(crate) enum Env<'a> {
    /// Not at all: code and defaults only.
    Unread,
    /// The process environment.
    Process,
    /// A lookup given in code.
    Lookup(&'a LookupFn),
}

/// A span exporter for the SDK's tracer.
pub(crate) type SpanExporter = Box<dyn Exporter<SpanData>>;
/// A log exporter for the SDK's logger.
pub(crate) type LogExporter = Box<dyn Exporter<LogData>>;
/// An error reporter for the SDK's error handler.
pub(crate) type ErrorReporter = Box<dyn Exporter<ErrorEvent>>;
/// A push exporter for a periodic metric reader.
pub(crate) type MetricExporter = Box<dyn Exporter<MetricsSnapshot>>;

/// A built backend: what it gives each signal it takes. A signal the
/// backend does not take (which the kit refused before building) gets
/// `None`.
pub(crate) trait Part {
    /// Its span exporter.
    fn spans(&self) -> Option<SpanExporter> {
        None
    }

    /// Its log exporter.
    fn logs(&self) -> Option<LogExporter> {
        None
    }

    /// Its error reporter, if it shows handled errors (errors follow the
    /// backends chosen for logs).
    fn errors(&self) -> Option<ErrorReporter> {
        None
    }

    /// Its push exporter and the temporality it wants; `None` for one that
    /// reads the meter when asked (a scrape endpoint, the dashboard).
    fn metrics(&self) -> Option<(MetricExporter, Temporality)> {
        None
    }

    /// Starts its server (for a [`Spec`] with a `server`), reading `sdk`.
    fn serve(
        &self,
        _sdk: &Sdk,
    ) -> Result<Option<Box<dyn Serving>>, Box<dyn StdError + Send + Sync>> {
        Ok(None)
    }
}

/// The running servers, by backend.
pub(crate) type Servers = Vec<(Backend, Box<dyn Serving>)>;

/// A running server, stopped by the guard after the SDK.
pub(crate) trait Serving: Send + fmt::Debug {
    /// Where it answers (`http://127.0.0.1:9000/`).
    fn url(&self) -> String;

    /// Stops it, waiting at most until `deadline` for requests in flight.
    fn shutdown(&self, deadline: Instant);
}
