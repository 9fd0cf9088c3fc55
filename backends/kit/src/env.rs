//! The environment variables the kit reads, parsed into typed values.
//!
//! Parsing is separate from the process environment (`read` takes a lookup
//! function), so every variable is tested without touching `std::env`.

use std::time::Duration;

use omniscope::propagation::percent_decode;
use omniscope_sdk::logs::LogFilter;
use omniscope_sdk::trace::Sampler;

use crate::backend::{self, Backend, Signal};
use crate::Error;

/// What the environment asks for; `None` where a variable is unset or empty
/// (OpenTelemetry treats an empty value as unset).
#[derive(Debug, Default)]
pub(crate) struct EnvConfig {
    /// `OTEL_SDK_DISABLED=true`: install nothing.
    pub(crate) disabled: bool,
    /// `OTEL_SERVICE_NAME`.
    pub(crate) service_name: Option<String>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, in order.
    pub(crate) resource_attributes: Vec<(String, String)>,
    /// `OTEL_{TRACES,METRICS,LOGS}_EXPORTER`, indexed like [`Signal::ALL`];
    /// `Some(vec![])` is `none`.
    pub(crate) exporters: [Option<Vec<Backend>>; 3],
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
    pub(crate) sampler: Option<Sampler>,
    /// `RUST_LOG`.
    pub(crate) log_filter: Option<LogFilter>,
    /// `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds in the variable).
    pub(crate) metric_export_interval: Option<Duration>,
}

impl EnvConfig {
    /// The backends the environment chose for `signal`.
    pub(crate) fn exporters(&self, signal: Signal) -> Option<&[Backend]> {
        self.exporters[signal_index(signal)].as_deref()
    }
}

pub(crate) fn signal_index(signal: Signal) -> usize {
    match signal {
        Signal::Traces => 0,
        Signal::Metrics => 1,
        Signal::Logs => 2,
    }
}

/// Reads every variable the kit knows through `lookup`.
///
/// # Errors
/// The first variable whose value is malformed, names an unknown backend,
/// a backend that is not compiled in, or one that cannot carry the signal.
pub(crate) fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<EnvConfig, Error> {
    let get = |var: &str| lookup(var).filter(|v| !v.trim().is_empty());
    let mut config = EnvConfig {
        disabled: match get("OTEL_SDK_DISABLED") {
            Some(v) => parse_bool("OTEL_SDK_DISABLED", &v)?,
            None => false,
        },
        service_name: get("OTEL_SERVICE_NAME").map(|v| v.trim().to_owned()),
        ..EnvConfig::default()
    };
    if let Some(v) = get("OTEL_RESOURCE_ATTRIBUTES") {
        config.resource_attributes = parse_resource_attributes(&v)?;
    }
    for signal in Signal::ALL {
        let var = signal.exporter_variable();
        if let Some(v) = get(var) {
            config.exporters[signal_index(signal)] = Some(parse_exporters(var, signal, &v)?);
        }
    }
    if let Some(name) = get("OTEL_TRACES_SAMPLER") {
        let arg = get("OTEL_TRACES_SAMPLER_ARG");
        let sampler = Sampler::from_env_values(&name, arg.as_deref()).map_err(|e| {
            let (var, value) = match &arg {
                Some(arg) if e.to_string().contains("OTEL_TRACES_SAMPLER_ARG") => {
                    ("OTEL_TRACES_SAMPLER_ARG", arg.as_str())
                }
                _ => ("OTEL_TRACES_SAMPLER", name.as_str()),
            };
            Error::env(var, value, sampler_problem(&e.to_string()))
        })?;
        config.sampler = Some(sampler);
    }
    if let Some(v) = get("RUST_LOG") {
        let filter = LogFilter::parse(&v).map_err(|e| {
            Error::env(
                "RUST_LOG",
                &v,
                format!("{e}; use directives such as `info,orders::db=debug`"),
            )
        })?;
        config.log_filter = Some(filter);
    }
    if let Some(v) = get("OTEL_METRIC_EXPORT_INTERVAL") {
        config.metric_export_interval = Some(parse_millis("OTEL_METRIC_EXPORT_INTERVAL", &v)?);
    }
    Ok(config)
}

/// The SDK's sampler message without its own "invalid … configuration" lead.
fn sampler_problem(message: &str) -> String {
    match message.split_once(": ") {
        Some((_, rest)) => rest.to_owned(),
        None => message.to_owned(),
    }
}

fn parse_bool(var: &'static str, value: &str) -> Result<bool, Error> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::env(var, value, "expected `true` or `false`")),
    }
}

/// A positive whole number of milliseconds.
fn parse_millis(var: &'static str, value: &str) -> Result<Duration, Error> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(Error::env(
            var,
            value,
            "expected a positive whole number of milliseconds, such as 60000",
        )),
    }
}

/// `key=value,key2=value2`, values percent-decoded (W3C Baggage syntax, as
/// the OpenTelemetry specification says).
fn parse_resource_attributes(value: &str) -> Result<Vec<(String, String)>, Error> {
    const VAR: &str = "OTEL_RESOURCE_ATTRIBUTES";
    let mut out = Vec::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(Error::env(
                VAR,
                value,
                format!("`{pair}` is not `key=value`; separate pairs with commas"),
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::env(VAR, value, format!("`{pair}` has an empty key")));
        }
        let decoded = percent_decode(raw.trim()).ok_or_else(|| {
            Error::env(
                VAR,
                value,
                format!("the value of `{key}` has an invalid percent-encoding (use %XX with two hex digits, UTF-8)"),
            )
        })?;
        out.push((key.to_owned(), decoded.into_owned()));
    }
    Ok(out)
}

/// A comma list of backend names, or `none`.
fn parse_exporters(var: &'static str, signal: Signal, value: &str) -> Result<Vec<Backend>, Error> {
    let names: Vec<&str> = value.split(',').map(str::trim).collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case("none")) {
        if names.len() > 1 {
            return Err(Error::env(
                var,
                value,
                "`none` cannot be combined with other exporters",
            ));
        }
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for name in names {
        let backend = Backend::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Backend::ALL.into_iter().map(Backend::name).collect();
            Error::env(
                var,
                value,
                format!(
                    "unknown exporter `{name}`: expected a comma-separated list of {}, or none",
                    known.join(", ")
                ),
            )
        })?;
        if !backend.is_compiled_in() {
            return Err(Error::env(var, value, backend::not_compiled_in(backend)));
        }
        if !backend.carries(signal) {
            return Err(Error::env(
                var,
                value,
                backend::cannot_carry(backend, signal),
            ));
        }
        if !out.contains(&backend) {
            out.push(backend);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
