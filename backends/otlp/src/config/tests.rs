use std::collections::HashMap;
use std::time::Duration;

use omniscope_sdk::metrics::Temporality;

use super::resolve::{self, SignalConfig};
use super::OtlpBuilder;
use crate::protocol::{Compression, Protocol};
use crate::signal::Signal;
use crate::Otlp;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn resolved(builder: &OtlpBuilder, signal: Signal) -> SignalConfig {
    resolve::signal(builder, signal).unwrap()
}

fn rejected(builder: OtlpBuilder) -> String {
    match builder.build() {
        Ok(otlp) => panic!("accepted: {otlp:?}"),
        Err(e) => e.to_string(),
    }
}

fn header_pairs(config: &SignalConfig) -> Vec<(String, String)> {
    config
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn defaults_are_http_protobuf_on_4318_with_signal_paths() {
    let otlp = Otlp::builder().from_env_with(env(&[])).build().unwrap();
    for signal in Signal::ALL {
        assert_eq!(otlp.protocol(signal), Protocol::HttpProtobuf);
        assert_eq!(
            otlp.endpoint(signal),
            format!("http://localhost:4318/v1/{signal}")
        );
        assert_eq!(otlp.timeout(signal), Duration::from_secs(10));
        assert_eq!(otlp.compression(signal), Compression::None);
        assert!(otlp.header_names(signal).is_empty());
    }
    assert_eq!(otlp.temporality(), Temporality::Cumulative);
    let grpc = Otlp::builder()
        .with_protocol(Protocol::Grpc)
        .build()
        .unwrap();
    assert_eq!(grpc.endpoint(Signal::Logs), "http://localhost:4317/");
}

#[test]
fn the_generic_endpoint_is_a_base_and_a_signal_endpoint_is_used_as_is() {
    let b = OtlpBuilder::default().from_env_with(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base/"),
        (
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            "https://logs.example:443/ingest",
        ),
    ]));
    assert_eq!(
        resolved(&b, Signal::Traces).endpoint.to_string(),
        "http://collector:4318/base/v1/traces"
    );
    assert_eq!(
        resolved(&b, Signal::Metrics).endpoint.to_string(),
        "http://collector:4318/base/v1/metrics"
    );
    assert_eq!(
        resolved(&b, Signal::Logs).endpoint.to_string(),
        "https://logs.example:443/ingest"
    );

    let grpc = b.clone().with_protocol(Protocol::Grpc);
    assert_eq!(
        resolved(&grpc, Signal::Traces).endpoint.to_string(),
        "http://collector:4318/base/"
    );
}

#[test]
fn a_signal_variable_wins_over_the_generic_one() {
    let b = OtlpBuilder::default().from_env_with(env(&[
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP"),
        ("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic,x-team=core"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=traces"),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta"),
    ]));
    let traces = resolved(&b, Signal::Traces);
    let metrics = resolved(&b, Signal::Metrics);
    let logs = resolved(&b, Signal::Logs);
    assert_eq!(
        (traces.protocol, metrics.protocol, logs.protocol),
        (Protocol::Grpc, Protocol::HttpJson, Protocol::Grpc)
    );
    assert_eq!(traces.endpoint.to_string(), "http://localhost:4317/");
    assert_eq!(
        metrics.endpoint.to_string(),
        "http://localhost:4318/v1/metrics"
    );
    assert_eq!(
        (traces.timeout, logs.timeout),
        (Duration::from_millis(700), Duration::from_millis(2500))
    );
    assert_eq!(
        (traces.compression, logs.compression),
        (Compression::Gzip, Compression::None)
    );
    assert_eq!(
        header_pairs(&traces),
        [("api-key".into(), "traces".into())],
        "the signal's list replaces the generic one"
    );
    assert_eq!(
        header_pairs(&logs),
        [
            ("api-key".to_owned(), "generic".to_owned()),
            ("x-team".into(), "core".into())
        ]
    );
    assert_eq!(resolve::temporality(&b), Ok(Temporality::Delta));
}

#[test]
fn code_wins_over_the_environment() {
    let b = OtlpBuilder::default()
        .with_endpoint("http://code:4318")
        .with_signal_endpoint(Signal::Logs, "http://code-logs:9999/logs")
        .with_protocol(Protocol::HttpProtobuf)
        .with_timeout(Duration::from_millis(300))
        .with_compression(Compression::None)
        .with_header("api-key", "code")
        .with_temporality(Temporality::Cumulative)
        .from_env_with(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://env-traces:4318/v1/traces",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "9000"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=env,x-extra=1"),
            ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"),
        ]));
    let traces = resolved(&b, Signal::Traces);
    assert_eq!(traces.endpoint.to_string(), "http://code:4318/v1/traces");
    assert_eq!(
        resolved(&b, Signal::Logs).endpoint.to_string(),
        "http://code-logs:9999/logs"
    );
    assert_eq!(traces.protocol, Protocol::HttpProtobuf);
    assert_eq!(traces.timeout, Duration::from_millis(300));
    assert_eq!(traces.compression, Compression::None);
    assert_eq!(
        header_pairs(&traces),
        [
            ("x-extra".to_owned(), "1".to_owned()),
            ("api-key".into(), "code".into())
        ]
    );
    assert_eq!(resolve::temporality(&b), Ok(Temporality::Cumulative));
}

#[test]
fn empty_variables_count_as_unset() {
    let b = OtlpBuilder::default().from_env_with(env(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "  "),
        ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", ""),
    ]));
    let traces = resolved(&b, Signal::Traces);
    assert_eq!(
        traces.endpoint.to_string(),
        "http://localhost:4318/v1/traces"
    );
    assert_eq!(traces.timeout, Duration::from_secs(10));
}

#[test]
fn bad_values_fail_the_build_naming_the_variable_the_value_and_the_fix() {
    let cases: &[(&str, &str, &str)] = &[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url", "OTEL_EXPORTER_OTLP_ENDPOINT=\"not a url\" is not a URL"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "localhost:4317", "give an absolute http:// or https:// URL"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift", "OTEL_EXPORTER_OTLP_PROTOCOL=\"thrift\" is not an OTLP protocol: use `grpc`, `http/protobuf` or `http/json`"),
        ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=\"http\" is not an OTLP protocol"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "api-key", "OTEL_EXPORTER_OTLP_HEADERS is not a header list: member 1 has no `=`"),
        ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "bad key=1", "OTEL_EXPORTER_OTLP_METRICS_HEADERS is not a header list"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", "OTEL_EXPORTER_OTLP_TIMEOUT=\"10s\" is not a timeout: give a whole number of milliseconds from 1 to 86400000"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "0", "is not a timeout"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\" is not a compression: use `gzip` or `none`"),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem", "the certificate file /nonexistent/ca.pem named by OTEL_EXPORTER_OTLP_CERTIFICATE cannot be read: "),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes", "is not a temporality preference"),
    ];
    for (variable, value, expected) in cases {
        let message = rejected(OtlpBuilder::default().from_env_with(env(&[(variable, value)])));
        assert!(
            message.starts_with("invalid otlp configuration: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{variable}={value:?}: {message}"
        );
    }
}

#[test]
fn header_values_stay_out_of_errors_and_debug_output() {
    let message = rejected(OtlpBuilder::default().from_env_with(env(&[(
        "OTEL_EXPORTER_OTLP_HEADERS",
        "authorization=Bearer%20secret,broken",
    )])));
    assert!(!message.contains("secret"), "{message}");
    let b = OtlpBuilder::default().with_header("authorization", "Bearer secret");
    assert!(!format!("{b:?}").contains("secret"));
    let otlp = b.build().unwrap();
    assert!(!format!("{otlp:?}").contains("secret"));
    assert_eq!(otlp.header_names(Signal::Traces), ["authorization"]);
}

#[test]
fn bad_code_settings_fail_the_build_naming_the_setter() {
    let message = rejected(OtlpBuilder::default().with_endpoint("ftp://c"));
    assert!(
        message.contains("the endpoint \"ftp://c\" set in code has scheme `ftp`"),
        "{message}"
    );
    let message = rejected(OtlpBuilder::default().with_header("bad name", "v"));
    assert!(
        message.contains("header set in code: \"bad name\" is not a valid HTTP header name"),
        "{message}"
    );
    let message = rejected(OtlpBuilder::default().with_timeout(Duration::ZERO));
    assert!(
        message.contains("the timeout set in code is 0"),
        "{message}"
    );
}

#[test]
fn a_certificate_file_must_hold_pem_certificates() {
    let path =
        std::env::temp_dir().join(format!("omniscope-otlp-not-pem-{}.pem", std::process::id()));
    std::fs::write(&path, "hello").unwrap();
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        let message = rejected(
            OtlpBuilder::default()
                .with_endpoint("https://collector:4318")
                .with_protocol(protocol)
                .with_certificate(&path),
        );
        assert!(
            message.contains("holds no PEM certificate"),
            "{protocol}: {message}"
        );
    }
    std::fs::remove_file(&path).unwrap();
}

/// Issue #11: a port out of range or not a number used to be accepted,
/// and data went to port 80.
#[test]
fn endpoint_ports_are_parsed_strictly() {
    for bad in [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://c:0",
        "http://c:",
        "http://c:+80",
        "http://user@c:65536",
        "http://[::1]:70000/v1",
    ] {
        for variable in [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ] {
            let message = rejected(OtlpBuilder::default().from_env_with(env(&[(variable, bad)])));
            assert!(
                message.contains(&format!("{variable}={bad:?} has port ")),
                "{message}"
            );
            assert!(
                message.contains(", not a port from 1 to 65535"),
                "{message}"
            );
        }
        let message = rejected(OtlpBuilder::default().with_endpoint(bad));
        assert!(
            message.contains(&format!("the endpoint {bad:?} set in code has port ")),
            "{message}"
        );
    }
    assert_eq!(
        rejected(
            OtlpBuilder::default()
                .from_env_with(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:99999")]))
        ),
        "invalid otlp configuration: OTEL_EXPORTER_OTLP_ENDPOINT=\"http://127.0.0.1:99999\" has port `99999`, \
         not a port from 1 to 65535: give an absolute http:// or https:// URL such as http://localhost:4318"
    );
    for (good, uri) in [
        ("http://c:65535", "http://c:65535/"),
        ("http://[::1]:4318", "http://[::1]:4318/"),
        ("https://c", "https://c/"),
        ("http://u:p@c:1/x", "http://u:p@c:1/x"),
    ] {
        let b = OtlpBuilder::default()
            .from_env_with(env(&[("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", good)]));
        assert_eq!(resolved(&b, Signal::Logs).endpoint.to_string(), uri);
    }
}

/// Issue #11: `OTEL_EXPORTER_OTLP_TIMEOUT=18446744073709551615` used to be
/// accepted.
#[test]
fn timeouts_longer_than_a_day_are_rejected() {
    for bad in ["18446744073709551615", "86400001"] {
        let message = rejected(
            OtlpBuilder::default()
                .from_env_with(env(&[("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", bad)])),
        );
        assert!(
            message.contains(&format!(
                "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT={bad:?} is not a timeout: give a whole number of milliseconds from 1 to 86400000 (one day), such as 10000"
            )),
            "{message}"
        );
    }
    let b =
        OtlpBuilder::default().from_env_with(env(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "86400000")]));
    assert_eq!(
        resolved(&b, Signal::Traces).timeout,
        Duration::from_secs(86_400)
    );
    let message = rejected(OtlpBuilder::default().with_timeout(Duration::MAX));
    assert!(
        message.contains("the timeout set in code is longer than a day"),
        "{message}"
    );
}

/// Issue #11: a bad percent-encoding in a header value used to be decoded
/// lossily, while the same mistake in `OTEL_RESOURCE_ATTRIBUTES` is
/// rejected.
#[test]
fn header_values_with_a_bad_percent_encoding_are_rejected() {
    for bad in ["api-key=100%", "api-key=secret%zz", "api-key=%FF"] {
        let message = rejected(
            OtlpBuilder::default().from_env_with(env(&[("OTEL_EXPORTER_OTLP_HEADERS", bad)])),
        );
        assert!(
            message.contains(
                "OTEL_EXPORTER_OTLP_HEADERS is not a header list: the value of header api-key has an invalid percent-encoding (use %XX with two hex digits, UTF-8)"
            ),
            "{message}"
        );
        assert!(!message.contains("secret"), "{message}");
    }
}

/// Issue #11: the certificate file used to be read whole, whatever its
/// size (`/dev/zero` until memory ran out).
#[test]
fn a_certificate_file_larger_than_the_cap_is_rejected() {
    let path = std::env::temp_dir().join(format!("omniscope-otlp-big-{}.pem", std::process::id()));
    // Sparse: takes no disk.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(1024 * 1024 + 1)
        .unwrap();
    let message = rejected(OtlpBuilder::default().from_env_with(env(&[(
        "OTEL_EXPORTER_OTLP_CERTIFICATE",
        path.to_str().unwrap(),
    )])));
    std::fs::remove_file(&path).unwrap();
    assert!(
        message.contains(&format!(
            "the certificate file {} named by OTEL_EXPORTER_OTLP_CERTIFICATE is larger than 1 MiB: give a PEM file of trusted certificate authorities",
            path.display()
        )),
        "{message}"
    );
}
