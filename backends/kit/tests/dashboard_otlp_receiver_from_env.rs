//! Issue #18, item 8 through the kit: `OMNISCOPE_DASHBOARD_OTLP_ADDR`
//! turns the dashboard's OTLP/HTTP receiver on, started and stopped with
//! the dashboard, so another local service exports to it by setting
//! `OTEL_EXPORTER_OTLP_ENDPOINT` alone; a bad value fails install naming
//! the variable. (Unset, it is off: `omniscope-present`'s unit tests.)
#![cfg(feature = "present")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener, TcpStream};

use omniscope_tests::http::{get, send};

const SPAN_JSON: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
  "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
  "name":"bill","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000"}]}]}]}"#;

fn install(otlp: String) -> Result<omniscope_kit::TelemetryGuard, omniscope_kit::Error> {
    omniscope_kit::builder()
        .from_env_with(move |var| match var {
            "OMNISCOPE_DASHBOARD_ADDR" => Some("127.0.0.1:0".to_owned()),
            "OMNISCOPE_DASHBOARD_OTLP_ADDR" => Some(otlp.clone()),
            _ => None,
        })
        .without_panic_hook()
        .install()
}

/// A port that was free a moment ago.
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn dashboard_otlp_receiver_from_env() {
    let e = install("anywhere".to_owned()).map(drop).unwrap_err();
    assert!(
        e.to_string()
            .contains("OMNISCOPE_DASHBOARD_OTLP_ADDR=`anywhere`"),
        "{e}"
    );

    let otlp = free_port();
    let telemetry = install(otlp.to_string()).unwrap();
    let reply = send(otlp, "POST", "/v1/traces", &[], Some(SPAN_JSON));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let url = telemetry.dashboard_url().unwrap();
    let dashboard: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let trace = get(dashboard, "/api/traces/5b8efff798038103d269b633813fc60c").json();
    assert_eq!(trace["spans"][0]["attributes"]["service.name"], "billing");
    drop(telemetry);
    assert!(
        TcpStream::connect(otlp).is_err(),
        "the receiver stops with the dashboard"
    );
}
