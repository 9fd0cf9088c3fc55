//! The environment variables the kit reads, parsed into typed values.
//!
//! Parsing is separate from the process environment (`read` takes a lookup
//! function), so every variable is tested without touching `std::env`.

use std::io::Write as _;
use std::sync::Once;
use std::time::Duration;

use omniscope::propagation::percent_decode;
use omniscope::{Level, LevelFilter};
use omniscope_sdk::env::{self, Lookup};
use omniscope_sdk::logs::LogFilter;
use omniscope_sdk::trace::Sampler;

use crate::backends::{self as backend, Backend};
use crate::propagators;
use crate::{Error, Signal};

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
    /// `OTEL_PROPAGATORS`, in order; `Some(vec![])` is `none`.
    pub(crate) propagators: Option<Vec<propagators::Choice>>,
}

impl EnvConfig {
    /// The backends the environment chose for `signal`.
    pub(crate) fn exporters(&self, signal: Signal) -> Option<&[Backend]> {
        self.exporters[signal.index()].as_deref()
    }
}

/// The variable choosing `signal`'s backends (`OTEL_TRACES_EXPORTER`, …).
pub(crate) const fn exporter_variable(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "OTEL_TRACES_EXPORTER",
        Signal::Metrics => "OTEL_METRICS_EXPORTER",
        Signal::Logs => "OTEL_LOGS_EXPORTER",
    }
}

/// Reads every variable the kit knows through `lookup`.
///
/// # Errors
/// The first variable whose value is not UTF-8, is malformed, names an
/// unknown backend, a backend that is not compiled in, or one that cannot
/// carry the signal.
pub(crate) fn read(lookup: Lookup<'_>) -> Result<EnvConfig, Error> {
    let get = |var: &'static str| env::get(lookup, var).map_err(|e| Error::unreadable(var, e));
    let mut config = EnvConfig {
        disabled: match get("OTEL_SDK_DISABLED")? {
            Some(v) => parse_bool("OTEL_SDK_DISABLED", &v)?,
            None => false,
        },
        service_name: get("OTEL_SERVICE_NAME")?.map(|v| v.trim().to_owned()),
        ..EnvConfig::default()
    };
    if let Some(v) = get("OTEL_RESOURCE_ATTRIBUTES")? {
        config.resource_attributes = parse_resource_attributes(&v)?;
    }
    for signal in Signal::ALL {
        let var = exporter_variable(signal);
        if let Some(v) = get(var)? {
            config.exporters[signal.index()] = Some(parse_exporters(var, signal, &v)?);
        }
    }
    if let Some(name) = get("OTEL_TRACES_SAMPLER")? {
        let arg = get("OTEL_TRACES_SAMPLER_ARG")?;
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
    if let Some(v) = get("RUST_LOG")? {
        let filter = LogFilter::parse(&v).map_err(|e| {
            Error::env(
                "RUST_LOG",
                &v,
                format!("{e}; use directives such as `info,orders::db=debug`"),
            )
        })?;
        if let Some(notice) = rust_log_near_misses(&v) {
            say_once(&notice);
        }
        config.log_filter = Some(filter);
    }
    if let Some(v) = get("OTEL_METRIC_EXPORT_INTERVAL")? {
        config.metric_export_interval = Some(parse_millis("OTEL_METRIC_EXPORT_INTERVAL", &v)?);
    }
    if let Some(v) = get(propagators::VAR)? {
        config.propagators = Some(propagators::parse(&v)?);
    }
    // Each compiled-in backend checks its own variables, chosen or not.
    for module in Backend::ALL.into_iter().filter_map(Backend::module) {
        module.check_env(lookup)?;
    }
    Ok(config)
}

/// A line for each bare `RUST_LOG` word that is one edit away from a level
/// name (`inof`, `warm`, `debg`): like `env_logger`, the filter reads it as
/// a target, which is seldom what was meant.
fn rust_log_near_misses(directives: &str) -> Option<String> {
    let levels = std::iter::once(LevelFilter::Off.as_str()).chain(Level::ALL.map(Level::as_str));
    let notices: Vec<String> = directives
        .split(',')
        .map(str::trim)
        .filter(|word| !word.is_empty() && !word.contains(['=', ':']))
        .filter(|word| word.parse::<LevelFilter>().is_err())
        .filter_map(|word| {
            let lower = word.to_ascii_lowercase();
            let level = levels
                .clone()
                .map(str::to_ascii_lowercase)
                .find(|level| one_edit_apart(&lower, level))?;
            Some(format!(
                "`{word}` is read as a target, not a level (did you mean `{level}`?)"
            ))
        })
        .collect();
    (!notices.is_empty()).then(|| format!("RUST_LOG: {}", notices.join("; ")))
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution, or
/// swap of two neighbours (a typo's usual forms).
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 if prefix == short.len() => false,
        0 => {
            let rest = prefix + 1;
            short[rest..] == long[rest..]
                || (rest < short.len()
                    && short[prefix] == long[rest]
                    && short[rest] == long[prefix]
                    && short[rest + 1..] == long[rest + 1..])
        }
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

/// Writes `line` on stderr, the first time only: the kit may be installed
/// (or fail to install) more than once in a process. A failed write is
/// ignored: a hint is not worth a panic.
fn say_once(line: &str) {
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(std::io::stderr(), "omniscope-kit: {line}");
    });
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

/// A whole number of milliseconds, at most a day.
fn parse_millis(var: &'static str, value: &str) -> Result<Duration, Error> {
    env::parse_millis(value).ok_or_else(|| {
        Error::env(
            var,
            value,
            format!(
                "expected a whole number of milliseconds from 1 to {} (one day), such as 60000",
                env::MAX_MILLIS
            ),
        )
    })
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
