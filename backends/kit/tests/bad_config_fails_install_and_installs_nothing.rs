//! A bad variable fails `install` with a message naming it, and installs
//! nothing: a later, good install still succeeds.

fn install_with(var: &'static str, value: &'static str) -> omniscope_kit::Error {
    match omniscope_kit::builder()
        .from_env_with(move |v| (v == var).then(|| value.to_owned()))
        .without_panic_hook()
        .install()
    {
        Ok(_) => panic!("{var}={value} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn bad_config_fails_install_and_installs_nothing() {
    let mut cases = vec![
        ("OTEL_TRACES_EXPORTER", "zipkn", "unknown exporter `zipkn`"),
        (
            "OTEL_METRICS_EXPORTER",
            "none,present",
            "`none` cannot be combined",
        ),
        (
            "OTEL_TRACES_SAMPLER",
            "sometimes",
            "unsupported OTEL_TRACES_SAMPLER",
        ),
        ("RUST_LOG", "info,db=loud", "use directives such as"),
        ("OTEL_RESOURCE_ATTRIBUTES", "novalue", "is not `key=value`"),
        ("OTEL_SDK_DISABLED", "maybe", "expected `true` or `false`"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1m", "milliseconds"),
        (
            "OTEL_METRIC_EXPORT_INTERVAL",
            "18446744073709551615",
            "from 1 to 86400000",
        ),
    ];
    // Checked whenever the console is compiled in, chosen or not (#11).
    if cfg!(feature = "console") {
        cases.push(("OMNISCOPE_LOG_FORMAT", "xml", "not a log format"));
    }
    for (var, value, says) in cases {
        let e = install_with(var, value);
        let message = e.to_string();
        assert_eq!(e.variable(), Some(var), "{message}");
        assert!(
            message.starts_with(&format!("invalid {var}=`{value}`: ")),
            "{message}"
        );
        assert!(message.contains(says), "{message}");
    }
    // Had a failed install set any global, this one would be refused.
    let telemetry = omniscope_kit::builder()
        .with_exporters(omniscope_kit::Signal::Traces, [])
        .with_exporters(omniscope_kit::Signal::Metrics, [])
        .with_exporters(omniscope_kit::Signal::Logs, [])
        .without_panic_hook()
        .install();
    assert!(telemetry.is_ok(), "{:?}", telemetry.err());
}
