use std::collections::HashMap;

use super::*;

fn read_vars(vars: &[(&str, &str)]) -> Result<EnvConfig, Error> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    read(&|var| Ok(map.get(var).cloned()))
}

fn message(vars: &[(&str, &str)]) -> String {
    match read_vars(vars) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn nothing_set_reads_as_nothing() {
    let c = read_vars(&[]).unwrap();
    assert!(!c.disabled);
    assert!(c.service_name.is_none() && c.sampler.is_none() && c.log_filter.is_none());
    assert!(c.resource_attributes.is_empty());
    assert!(Signal::ALL.iter().all(|s| c.exporters(*s).is_none()));
}

#[test]
fn empty_values_are_unset() {
    let c = read_vars(&[("OTEL_SERVICE_NAME", " "), ("OTEL_TRACES_EXPORTER", "")]).unwrap();
    assert!(c.service_name.is_none());
    assert!(c.exporters(Signal::Traces).is_none());
}

#[test]
fn service_name() {
    let c = read_vars(&[("OTEL_SERVICE_NAME", " orders ")]).unwrap();
    assert_eq!(c.service_name.as_deref(), Some("orders"));
}

#[test]
fn sdk_disabled() {
    assert!(
        read_vars(&[("OTEL_SDK_DISABLED", "TRUE")])
            .unwrap()
            .disabled
    );
    assert!(
        !read_vars(&[("OTEL_SDK_DISABLED", "false")])
            .unwrap()
            .disabled
    );
    assert_eq!(
        message(&[("OTEL_SDK_DISABLED", "yes")]),
        "invalid OTEL_SDK_DISABLED=`yes`: expected `true` or `false`"
    );
}

#[test]
fn resource_attributes_are_percent_decoded() {
    let c = read_vars(&[(
        "OTEL_RESOURCE_ATTRIBUTES",
        "deployment.environment.name=prod, team=a%20b%2Cc,service.version=1.2",
    )])
    .unwrap();
    assert_eq!(
        c.resource_attributes,
        vec![
            ("deployment.environment.name".to_owned(), "prod".to_owned()),
            ("team".to_owned(), "a b,c".to_owned()),
            ("service.version".to_owned(), "1.2".to_owned()),
        ]
    );
}

#[test]
fn resource_attributes_errors_name_the_pair() {
    assert_eq!(
        message(&[("OTEL_RESOURCE_ATTRIBUTES", "a=1,oops")]),
        "invalid OTEL_RESOURCE_ATTRIBUTES=`a=1,oops`: `oops` is not `key=value`; separate pairs with commas"
    );
    assert_eq!(
        message(&[("OTEL_RESOURCE_ATTRIBUTES", "=1")]),
        "invalid OTEL_RESOURCE_ATTRIBUTES=`=1`: `=1` has an empty key"
    );
    assert_eq!(
        message(&[("OTEL_RESOURCE_ATTRIBUTES", "a=%zz")]),
        "invalid OTEL_RESOURCE_ATTRIBUTES=`a=%zz`: the value of `a` has an invalid percent-encoding (use %XX with two hex digits, UTF-8)"
    );
}

/// The names of the backends that `keep`, as messages list them.
fn names(keep: impl Fn(Backend) -> bool) -> String {
    let names: Vec<&str> = Backend::ALL
        .into_iter()
        .filter(|b| keep(*b))
        .map(Backend::name)
        .collect();
    names.join(", ")
}

#[test]
fn exporters_none_and_unknown() {
    let known = names(|_| true);
    assert!(
        known.starts_with("console, present, otlp, jaeger, prometheus"),
        "{known}"
    );
    for signal in Signal::ALL {
        let var = exporter_variable(signal);
        let c = read_vars(&[(var, "none")]).unwrap();
        assert_eq!(c.exporters(signal), Some(&[][..]));
        assert_eq!(
            message(&[(var, "zipkn")]),
            format!("invalid {var}=`zipkn`: unknown exporter `zipkn`: expected a comma-separated list of {known}, or none")
        );
        assert_eq!(
            message(&[(var, "none,present")]),
            format!("invalid {var}=`none,present`: `none` cannot be combined with other exporters")
        );
    }
}

#[cfg(all(feature = "console", feature = "present"))]
#[test]
fn exporters_lists() {
    let c = read_vars(&[
        ("OTEL_TRACES_EXPORTER", "present, CONSOLE,present"),
        ("OTEL_METRICS_EXPORTER", "present"),
        ("OTEL_LOGS_EXPORTER", "console"),
    ])
    .unwrap();
    assert_eq!(
        c.exporters(Signal::Traces),
        Some(&[Backend::Present, Backend::Console][..])
    );
    assert_eq!(c.exporters(Signal::Metrics), Some(&[Backend::Present][..]));
    assert_eq!(c.exporters(Signal::Logs), Some(&[Backend::Console][..]));
}

#[cfg(feature = "jaeger")]
#[test]
fn a_backend_that_cannot_carry_the_signal() {
    let metrics = names(|b| b.carries(Signal::Metrics));
    assert!(
        metrics.starts_with("console, present, otlp, prometheus"),
        "{metrics}"
    );
    let logs = names(|b| b.carries(Signal::Logs));
    assert!(logs.starts_with("console, present, otlp"), "{logs}");
    for (var, signal, can) in [
        ("OTEL_METRICS_EXPORTER", "metrics", metrics),
        ("OTEL_LOGS_EXPORTER", "logs", logs),
    ] {
        assert_eq!(
            message(&[(var, "jaeger")]),
            format!("invalid {var}=`jaeger`: the `jaeger` backend does not export {signal}: choose among {can}, or none")
        );
    }
}

#[cfg(feature = "prometheus")]
#[test]
fn prometheus_takes_metrics_only() {
    let traces = names(|b| b.carries(Signal::Traces));
    assert!(
        traces.starts_with("console, present, otlp, jaeger"),
        "{traces}"
    );
    assert!(!traces.contains("prometheus"), "{traces}");
    assert_eq!(
        message(&[("OTEL_TRACES_EXPORTER", "prometheus")]),
        format!("invalid OTEL_TRACES_EXPORTER=`prometheus`: the `prometheus` backend does not export traces: choose among {traces}, or none")
    );
}

#[cfg(not(feature = "otlp"))]
#[test]
fn otlp_not_compiled_in() {
    assert_eq!(
        message(&[("OTEL_TRACES_EXPORTER", "otlp")]),
        "invalid OTEL_TRACES_EXPORTER=`otlp`: the `otlp` backend is not compiled in: enable the `otlp` feature of omniscope-kit"
    );
}

#[cfg(not(feature = "present"))]
#[test]
fn a_backend_not_compiled_in() {
    assert_eq!(
        message(&[("OTEL_TRACES_EXPORTER", "present")]),
        "invalid OTEL_TRACES_EXPORTER=`present`: the `present` backend is not compiled in: enable the `present` feature of omniscope-kit"
    );
}

#[cfg(not(feature = "console"))]
#[test]
fn console_not_compiled_in() {
    assert_eq!(
        message(&[("OTEL_LOGS_EXPORTER", "console")]),
        "invalid OTEL_LOGS_EXPORTER=`console`: the `console` backend is not compiled in: enable the `console` feature of omniscope-kit"
    );
}

#[test]
fn sampler_and_its_argument() {
    let c = read_vars(&[
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
    ])
    .unwrap();
    assert_eq!(
        c.sampler,
        Some(Sampler::parent_based(Sampler::TraceIdRatio(0.25)))
    );
    let c = read_vars(&[("OTEL_TRACES_SAMPLER", "always_off")]).unwrap();
    assert_eq!(c.sampler, Some(Sampler::AlwaysOff));
}

#[test]
fn sampler_errors_name_the_variable() {
    let m = message(&[("OTEL_TRACES_SAMPLER", "sometimes")]);
    assert!(
        m.starts_with("invalid OTEL_TRACES_SAMPLER=`sometimes`: unsupported OTEL_TRACES_SAMPLER `sometimes`: expected one of"),
        "{m}"
    );
    let m = message(&[
        ("OTEL_TRACES_SAMPLER", "traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "lots"),
    ]);
    assert!(
        m.starts_with("invalid OTEL_TRACES_SAMPLER_ARG=`lots`: invalid OTEL_TRACES_SAMPLER_ARG `lots`: expected a ratio between 0 and 1"),
        "{m}"
    );
}

#[test]
fn rust_log() {
    let c = read_vars(&[("RUST_LOG", "info,orders::db=debug")]).unwrap();
    assert!(c.log_filter.is_some());
    let m = message(&[("RUST_LOG", "info,orders::db=loud")]);
    assert!(
        m.starts_with("invalid RUST_LOG=`info,orders::db=loud`: "),
        "{m}"
    );
    assert!(
        m.ends_with("; use directives such as `info,orders::db=debug`"),
        "{m}"
    );
}

#[test]
fn metric_export_interval() {
    let c = read_vars(&[("OTEL_METRIC_EXPORT_INTERVAL", "5000")]).unwrap();
    assert_eq!(
        c.metric_export_interval,
        Some(std::time::Duration::from_secs(5))
    );
    for bad in ["0", "-1", "5s", "1.5"] {
        assert_eq!(
            message(&[("OTEL_METRIC_EXPORT_INTERVAL", bad)]),
            format!("invalid OTEL_METRIC_EXPORT_INTERVAL=`{bad}`: expected a whole number of milliseconds from 1 to 86400000 (one day), such as 60000")
        );
    }
}

/// Issue #11: `OTEL_METRIC_EXPORT_INTERVAL=18446744073709551615` used to be
/// accepted.
#[test]
fn metric_export_interval_longer_than_a_day_is_rejected() {
    for bad in ["18446744073709551615", "86400001"] {
        assert_eq!(
            message(&[("OTEL_METRIC_EXPORT_INTERVAL", bad)]),
            format!("invalid OTEL_METRIC_EXPORT_INTERVAL=`{bad}`: expected a whole number of milliseconds from 1 to 86400000 (one day), such as 60000")
        );
    }
}

/// Issue #11: `OMNISCOPE_LOG_FORMAT=xml` used to be checked only when the
/// console was chosen.
#[cfg(feature = "console")]
#[test]
fn log_format_is_checked_whatever_the_backends() {
    assert_eq!(
        message(&[
            ("OTEL_LOGS_EXPORTER", "none"),
            ("OMNISCOPE_LOG_FORMAT", "xml")
        ]),
        "invalid OMNISCOPE_LOG_FORMAT=`xml`: not a log format: use `json` or `pretty`"
    );
    assert!(read_vars(&[("OMNISCOPE_LOG_FORMAT", " JSON ")]).is_ok());
}

#[test]
fn rust_log_words_one_edit_from_a_level_are_noticed() {
    assert_eq!(
        rust_log_near_misses("inof,orders=debug"),
        Some("RUST_LOG: `inof` is read as a target, not a level (did you mean `info`?)".to_owned())
    );
    assert_eq!(
        rust_log_near_misses("warm, debg ,db"),
        Some("RUST_LOG: `warm` is read as a target, not a level (did you mean `warn`?); `debg` is read as a target, not a level (did you mean `debug`?)".to_owned())
    );
    assert_eq!(
        rust_log_near_misses("INOF"),
        Some("RUST_LOG: `INOF` is read as a target, not a level (did you mean `info`?)".to_owned())
    );
    for fine in [
        "info",
        "WARN",
        "orders",
        "orders::db=debug",
        "inof=info",
        "tracing",
        "",
        "a::inof",
    ] {
        assert_eq!(rust_log_near_misses(fine), None, "{fine}");
    }
}

#[test]
fn a_value_not_in_utf8_names_the_variable() {
    let e = read(&|var: &str| match var {
        "OTEL_SERVICE_NAME" => Err(omniscope_sdk::env::EnvError::new(var, "x")),
        _ => Ok(None),
    })
    .unwrap_err();
    assert_eq!(e.variable(), Some("OTEL_SERVICE_NAME"));
}
