//! What differs between the signals on the wire: the OTLP/HTTP path and
//! the per-signal variables. [`Signal`] itself is the SDK's.

pub(crate) use omniscope_sdk::Signal;

/// The path OTLP/HTTP appends to a base endpoint (`v1/traces`, …).
pub(crate) const fn http_path(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "v1/traces",
        Signal::Metrics => "v1/metrics",
        Signal::Logs => "v1/logs",
    }
}

/// The upper-case part of the per-signal variables
/// (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, …).
pub(crate) const fn env_part(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "TRACES",
        Signal::Metrics => "METRICS",
        Signal::Logs => "LOGS",
    }
}
