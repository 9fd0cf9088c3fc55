//! [`Backend`] names and [`Signal`]s, and which backends receive a signal by default.
//! and whether this build has it.

use std::fmt;

/// A backend the kit can install, by the name used in `OTEL_*_EXPORTER`.
///
/// Every name exists in every build, so that an environment variable naming
/// a backend whose Cargo feature is off gets a clear error rather than
/// "unknown"; [`Backend::is_compiled_in`] tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// `console`: lines on stdout, stderr or a file (feature `console`).
    /// By default it prints logs and errors; spans and metrics when chosen.
    Console,
    /// `present`: the embedded dashboard on `127.0.0.1:9000` (feature
    /// `present`).
    Present,
    /// `otlp`: OTLP over gRPC or HTTP to a collector (feature `otlp`);
    /// `http/protobuf` to `http://localhost:4318` unless configured, as the
    /// OpenTelemetry specification says. Used when chosen (see
    /// [`Backend::is_default_for`]).
    Otlp,
    /// `jaeger`: spans over OTLP with Jaeger's defaults (feature `jaeger`).
    /// Used when chosen.
    Jaeger,
    /// `prometheus`: a scrape endpoint on `127.0.0.1:9464/metrics` (feature
    /// `prometheus`). Used when chosen: it opens a port.
    Prometheus,
}

/// A kind of telemetry, as the `OTEL_{TRACES,METRICS,LOGS}_EXPORTER`
/// variables split it. Handled errors follow the backends chosen for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// Spans.
    Traces,
    /// Counters, gauges and histograms.
    Metrics,
    /// Log records (and handled errors and panics).
    Logs,
}

impl Backend {
    /// Every backend, in the order they are documented.
    pub const ALL: [Backend; 5] = [
        Backend::Console,
        Backend::Present,
        Backend::Otlp,
        Backend::Jaeger,
        Backend::Prometheus,
    ];

    /// The name used in environment variables and messages.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Console => "console",
            Backend::Present => "present",
            Backend::Otlp => "otlp",
            Backend::Jaeger => "jaeger",
            Backend::Prometheus => "prometheus",
        }
    }

    /// The backend called `name` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// Whether this build has the backend (its Cargo feature is on).
    pub const fn is_compiled_in(self) -> bool {
        match self {
            Backend::Console => cfg!(feature = "console"),
            Backend::Present => cfg!(feature = "present"),
            Backend::Otlp => cfg!(feature = "otlp"),
            Backend::Jaeger => cfg!(feature = "jaeger"),
            Backend::Prometheus => cfg!(feature = "prometheus"),
        }
    }

    /// Whether the backend can carry `signal` (Jaeger takes spans only,
    /// Prometheus metrics only).
    pub const fn carries(self, signal: Signal) -> bool {
        match self {
            Backend::Jaeger => matches!(signal, Signal::Traces),
            Backend::Prometheus => matches!(signal, Signal::Metrics),
            Backend::Console | Backend::Present | Backend::Otlp => true,
        }
    }

    /// Whether the backend receives `signal` when neither code nor the
    /// environment chose (only compiled-in backends do). Defaults need no
    /// external service: the dashboard takes everything and the console
    /// prints logs (every span on a terminal is noise). Backends that send
    /// to a collector are used when chosen, so that a build with `full`
    /// neither sends data nowhere nor waits at exit for a collector that is
    /// not there; so is the Prometheus endpoint, which opens a port.
    pub const fn is_default_for(self, signal: Signal) -> bool {
        match self {
            Backend::Console => matches!(signal, Signal::Logs),
            Backend::Present => true,
            Backend::Otlp | Backend::Jaeger | Backend::Prometheus => false,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Signal {
    /// Every signal.
    pub const ALL: [Signal; 3] = [Signal::Traces, Signal::Metrics, Signal::Logs];

    /// The variable choosing this signal's backends.
    pub const fn exporter_variable(self) -> &'static str {
        match self {
            Signal::Traces => "OTEL_TRACES_EXPORTER",
            Signal::Metrics => "OTEL_METRICS_EXPORTER",
            Signal::Logs => "OTEL_LOGS_EXPORTER",
        }
    }

    /// The lower-case name (`traces`, `metrics`, `logs`).
    pub const fn name(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
        }
    }
}

impl fmt::Display for Signal {
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
