//! The backends: one module each, listed once in the table below.
//!
//! A module says which signals its backend takes (and by default), what it
//! needs (a loopback server the kit starts and stops), and how it is
//! configured from code (its `with_*` setter on
//! [`KitBuilder`](crate::KitBuilder)) and the environment (its own
//! `from_env`); the builder iterates over the table. Only the module names
//! the backend's Cargo feature. Adding a backend (Zipkin, statsd, Sentry)
//! is one module here and one line in the table, besides its Cargo feature
//! and its re-export in `lib.rs`.

use std::fmt;

use omniscope_sdk::Signal;

#[cfg(feature = "log")]
mod log;
mod module;
#[cfg(feature = "tracing")]
mod tracing;

pub(crate) use module::{Code, Env, LookupFn, Module, Part, Servers, Spec};

/// The [`Module`] of `$module` when Cargo feature `$feature` is on, else
/// `None`: the one place a backend names its feature besides the gate of
/// its implementation.
macro_rules! compiled {
    ($feature:literal, $module:expr) => {{
        #[cfg(feature = $feature)]
        let module: Option<&'static dyn $crate::backends::Module> = Some(&$module);
        #[cfg(not(feature = $feature))]
        let module: Option<&'static dyn $crate::backends::Module> = None;
        module
    }};
}

/// One `1` per backend, to size [`Backend::ALL`].
macro_rules! one {
    ($x:ident) => {
        1
    };
}

/// Declares each backend's module and its [`Backend`] variant.
macro_rules! backends {
    ($( $(#[$doc:meta])* $variant:ident => $module:ident, )*) => {
        $( mod $module; )*

        /// A backend the kit can install, by the name used in `OTEL_*_EXPORTER`.
        ///
        /// Every name exists in every build, so that an environment variable
        /// naming a backend whose Cargo feature is off gets a clear error rather
        /// than "unknown"; [`Backend::is_compiled_in`] tells them apart.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Backend {
            $( $(#[$doc])* $variant, )*
        }

        impl Backend {
            /// Every backend, in the order they are documented (the order
            /// of the variants: `backend as usize` is its position).
            pub const ALL: [Backend; 0 $( + one!($variant) )*] = [$( Backend::$variant, )*];

            /// What the kit knows of the backend.
            pub(crate) const fn spec(self) -> &'static Spec {
                match self {
                    $( Backend::$variant => &$module::SPEC, )*
                }
            }
        }
    };
}

backends! {
    /// `console`: lines on stdout, stderr or a file (feature `console`).
    /// By default it prints logs and errors; spans and metrics when chosen.
    Console => console,
    /// `present`: the embedded dashboard on `127.0.0.1:9000`, or
    /// `OMNISCOPE_DASHBOARD_ADDR` (feature `present`).
    Present => present,
    /// `otlp`: OTLP over gRPC or HTTP to a collector (feature `otlp`);
    /// `http/protobuf` to `http://localhost:4318` unless configured, as the
    /// OpenTelemetry specification says. Used when chosen (see
    /// [`Backend::is_default_for`]).
    Otlp => otlp,
    /// `jaeger`: spans over OTLP with Jaeger's defaults (feature `jaeger`).
    /// Used when chosen.
    Jaeger => jaeger,
    /// `prometheus`: a scrape endpoint on `127.0.0.1:9464/metrics` (feature
    /// `prometheus`). Used when chosen: it opens a port.
    Prometheus => prometheus,
    /// `statsd`: statsd or DogStatsD lines over UDP or Unix sockets (feature `statsd`). Used when chosen.
    Statsd => statsd,
    /// `zipkin`: spans as Zipkin v2 JSON to `http://localhost:9411/api/v2/spans` (feature `zipkin`). Used when chosen.
    Zipkin => zipkin,
    /// `sentry`: handled errors and panics to Sentry, with breadcrumbs
    /// (feature `sentry`). Joins the logs backends once `SENTRY_DSN` is set.
    Sentry => sentry,
}

impl Backend {
    /// The name used in environment variables and messages.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// The backend called `name` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// Whether this build has the backend (its Cargo feature is on).
    pub const fn is_compiled_in(self) -> bool {
        self.spec().module.is_some()
    }

    /// Whether the backend can carry `signal` (Jaeger takes spans only,
    /// Prometheus metrics only).
    pub const fn carries(self, signal: Signal) -> bool {
        contains(self.spec().takes, signal)
    }

    /// Whether the backend receives `signal` when neither code nor the
    /// environment chose (only compiled-in backends do). Defaults need no
    /// external service: the dashboard takes everything and the console
    /// prints logs (every span on a terminal is noise). Backends that send
    /// to a collector are used when chosen, so that a build with `full`
    /// neither sends data nowhere nor waits at exit for a collector that is
    /// not there; so is the Prometheus endpoint, which opens a port.
    pub const fn is_default_for(self, signal: Signal) -> bool {
        contains(self.spec().by_default, signal)
    }

    /// The backend's implementation; `None` when its feature is off.
    pub(crate) fn module(self) -> Option<&'static dyn Module> {
        self.spec().module
    }
}

/// `signals.contains(&signal)`, in a `const fn`.
const fn contains(signals: &[Signal], signal: Signal) -> bool {
    let mut i = 0;
    while i < signals.len() {
        if signals[i].index() == signal.index() {
            return true;
        }
        i += 1;
    }
    false
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The compiled-in backends that receive `signal` when nothing chose.
pub(crate) fn defaults(signal: Signal) -> Vec<Backend> {
    Backend::ALL
        .into_iter()
        .filter(|b| b.is_compiled_in() && b.is_default_for(signal))
        .collect()
}

/// The message for a backend this build lacks.
pub(crate) fn not_compiled_in(backend: Backend) -> String {
    format!(
        "the `{backend}` backend is not compiled in: enable the `{backend}` feature of omniscope-kit"
    )
}

/// The message for a backend that cannot carry a signal.
pub(crate) fn cannot_carry(backend: Backend, signal: Signal) -> String {
    let can: Vec<&str> = Backend::ALL
        .into_iter()
        .filter(|b| b.carries(signal))
        .map(Backend::name)
        .collect();
    format!(
        "the `{backend}` backend does not export {signal}: choose among {}, or none",
        can.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_backend_is_named_once_and_found_by_name() {
        for backend in Backend::ALL {
            assert_eq!(Backend::from_name(backend.name()), Some(backend));
            assert_eq!(
                Backend::from_name(&backend.name().to_ascii_uppercase()),
                Some(backend)
            );
            let spec = backend.spec();
            assert!(
                spec.by_default.iter().all(|s| spec.takes.contains(s)),
                "{backend} takes by default only what it takes"
            );
        }
        assert_eq!(Backend::from_name("zipkn"), None);
    }
}
