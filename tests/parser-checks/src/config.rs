//! The `OTEL_*` and `OMNISCOPE_*` variables, through each reader's public
//! entry point (`from_env_with` and a lookup function, then the step that
//! validates): the kit, the OTLP exporters (Jaeger's too), the console,
//! the Prometheus endpoint, Zipkin and statsd.
//!
//! `OTEL_EXPORTER_OTLP_*CERTIFICATE` is left out: its value is a path, and
//! fuzzing it would read whatever files the machine has (the size cap on
//! what is read has its own test in `omniscope-otlp`).

use std::collections::BTreeMap;
use std::time::Duration;

use omniscope_console::{Console, Format, FORMAT_ENV};
use omniscope_otlp::{Otlp, Signal, MAX_TIMEOUT};
use omniscope_prometheus::{Prometheus, HOST_ENV, OPENMETRICS_ENV, PORT_ENV};
use omniscope_sdk::env::MAX_MILLIS;
use omniscope_statsd::env as statsd;
use omniscope_statsd::Statsd;
use omniscope_zipkin::Zipkin;

use crate::input::{env, is_set};

/// The variables the kit reads itself (the backends' are below).
pub const KIT_VARIABLES: &[&str] = &[
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_LOGS_EXPORTER",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "RUST_LOG",
    "OTEL_METRIC_EXPORT_INTERVAL",
];

/// The OTLP exporters' variables, generic and per signal (but the
/// certificate paths).
pub const OTLP_VARIABLES: &[&str] = &[
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
    "OTEL_EXPORTER_OTLP_COMPRESSION",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION",
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
];

/// The Prometheus endpoint's variables.
pub const PROMETHEUS_VARIABLES: &[&str] = &[HOST_ENV, PORT_ENV, OPENMETRICS_ENV];

/// Zipkin's variables.
pub const ZIPKIN_VARIABLES: &[&str] = &[
    "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
    "OTEL_EXPORTER_ZIPKIN_TIMEOUT",
];

/// statsd's variables (Datadog's and omniscope's).
pub const STATSD_VARIABLES: &[&str] = &[
    statsd::STATSD_HOST_ENV,
    statsd::STATSD_PORT_ENV,
    statsd::DD_AGENT_HOST_ENV,
    statsd::DD_DOGSTATSD_PORT_ENV,
    statsd::DD_DOGSTATSD_URL_ENV,
    statsd::FLAVOR_ENV,
    statsd::HISTOGRAM_ENV,
    statsd::PREFIX_ENV,
];

/// The kit's variables ([`KIT_VARIABLES`], picked as [`env`](fn@crate::input::env) says), read
/// by `install()`, which reads and checks every variable, and then (with
/// `OTEL_SDK_DISABLED=true`) installs nothing: an error names a variable
/// that was set, in its message too.
///
/// `OTEL_SDK_DISABLED` unset, blank or `false` becomes `true`, so that no
/// input installs the globals (once per process) or starts a dashboard.
pub fn kit_env(data: &[u8]) {
    let mut vars = env(data, KIT_VARIABLES);
    let set = set_names(&vars);
    let disabled = vars.entry("OTEL_SDK_DISABLED").or_default();
    if !is_set(disabled) || disabled.trim().eq_ignore_ascii_case("false") {
        *disabled = "true".to_owned();
    }
    let shown = format!("{vars:?}");
    let result = omniscope_kit::builder()
        .from_env_with(move |name| vars.get(name).cloned())
        .install();
    let Err(e) = result else {
        return;
    };
    let message = e.to_string();
    let variable = e.variable();
    assert!(
        variable.is_some_and(|v| set.contains(&v)),
        "{shown}: the error names {variable:?}, not a variable that was set: {message}"
    );
    assert!(
        variable.is_some_and(|v| message.contains(v)),
        "{shown}: the message does not name the variable: {message}"
    );
}

/// The OTLP exporters' variables ([`OTLP_VARIABLES`]), read by
/// `Otlp::builder().from_env_with(…).build()`: an error names a variable
/// that was set; a configuration accepted has an `http` or `https`
/// endpoint with a port from 1 to 65535 and a timeout from 1 ms to
/// [`MAX_TIMEOUT`] for every signal.
pub fn otlp_env(data: &[u8]) {
    let vars = env(data, OTLP_VARIABLES);
    let built = Otlp::builder()
        .from_env_with(|name| vars.get(name).cloned())
        .build();
    let otlp = match built {
        Ok(otlp) => otlp,
        Err(e) => return names_a_set_variable(&vars, &e.to_string()),
    };
    for signal in [Signal::Traces, Signal::Metrics, Signal::Logs] {
        let endpoint = otlp.endpoint(signal);
        let authority = endpoint
            .strip_prefix("http://")
            .or_else(|| endpoint.strip_prefix("https://"))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("{vars:?}: {signal:?} endpoint {endpoint:?}"));
        if let Some((_, port)) = authority.rsplit_once(':').filter(|(_, p)| !p.contains(']')) {
            let port: u32 = port.parse().unwrap_or(0);
            assert!(
                (1..=65535).contains(&port),
                "{vars:?}: {signal:?} endpoint {endpoint:?}"
            );
        }
        let timeout = otlp.timeout(signal);
        assert!(
            timeout >= Duration::from_millis(1) && timeout <= MAX_TIMEOUT,
            "{vars:?}: {signal:?} timeout {timeout:?}"
        );
    }
}

/// `OMNISCOPE_LOG_FORMAT` (the whole input is its value), read by
/// `Console::builder().from_env_with(…).build()`: accepted exactly when
/// blank or a format name, and an error names the variable.
pub fn console_env(data: &[u8]) {
    let value = crate::input::text(data).into_owned();
    let result = Console::builder()
        .from_env_with(|name| (name == FORMAT_ENV).then(|| value.clone()))
        .build();
    let valid = !is_set(&value) || Format::from_name(&value).is_some();
    match result {
        Ok(_) => assert!(valid, "{FORMAT_ENV}={value:?} accepted"),
        Err(e) => {
            assert!(!valid, "{FORMAT_ENV}={value:?} refused: {e}");
            assert!(e.to_string().contains(FORMAT_ENV), "{value:?}: {e}");
        }
    }
}

/// The Prometheus endpoint's variables ([`PROMETHEUS_VARIABLES`]), read by
/// `Prometheus::builder().from_env_with(…).build()`: an error names a
/// variable that was set.
pub fn prometheus_env(data: &[u8]) {
    let vars = env(data, PROMETHEUS_VARIABLES);
    let built = Prometheus::builder()
        .from_env_with(|name| vars.get(name).cloned())
        .build();
    if let Err(e) = built {
        names_a_set_variable(&vars, &e.to_string());
    }
}

/// Zipkin's variables ([`ZIPKIN_VARIABLES`]), read by
/// `Zipkin::builder().from_env_with(…).build()`: an error names a variable
/// that was set; an accepted timeout is from 1 ms to a day.
pub fn zipkin_env(data: &[u8]) {
    let vars = env(data, ZIPKIN_VARIABLES);
    let built = Zipkin::builder()
        .from_env_with(|name| vars.get(name).cloned())
        .build();
    match built {
        Ok(zipkin) => {
            let timeout = zipkin.timeout();
            assert!(
                timeout >= Duration::from_millis(1) && timeout <= Duration::from_millis(MAX_MILLIS),
                "{vars:?}: timeout {timeout:?}"
            );
        }
        Err(e) => names_a_set_variable(&vars, &e.to_string()),
    }
}

/// statsd's variables ([`STATSD_VARIABLES`]), read by
/// `Statsd::builder().from_env_with(…).build()`: an error names a variable
/// that was set.
pub fn statsd_env(data: &[u8]) {
    let vars = env(data, STATSD_VARIABLES);
    let built = Statsd::builder()
        .from_env_with(|name| vars.get(name).cloned())
        .build();
    if let Err(e) = built {
        names_a_set_variable(&vars, &e.to_string());
    }
}

fn names_a_set_variable(vars: &BTreeMap<&'static str, String>, message: &str) {
    assert!(
        set_names(vars).iter().any(|v| message.contains(v)),
        "{vars:?}: the error names no variable that was set: {message}"
    );
}

/// The variables of `vars` that are set (not blank).
fn set_names(vars: &BTreeMap<&'static str, String>) -> Vec<&'static str> {
    vars.iter()
        .filter(|(_, v)| is_set(v))
        .map(|(k, _)| *k)
        .collect()
}
