//! The dashboard's query parameters (`limit`, `level`, `trace`, `q`) and
//! the trace id in `/api/traces/{id}`, over real HTTP: the parser is the
//! server's own business, so it is reached the way a browser reaches it.
//!
//! `/api/traces/capture` is left out: with a valid `timeout` it waits that
//! long for a trace, by design.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use omniscope_present::{Present, Server};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::http::{get, Reply};

use crate::input::records;

/// The endpoints that read query parameters.
const WITH_QUERY: [&str; 4] = ["/api/traces", "/api/inflight", "/api/logs", "/api/errors"];

/// The first record as the query string of every endpoint that reads one,
/// the second as the id of `/api/traces/{id}` (bytes a URL cannot hold
/// raw are percent-encoded, `%` itself kept): every answer is JSON, `200`,
/// or `400` naming the parameter, or `404` for a trace not kept.
pub fn dashboard_query(data: &[u8]) {
    let mut records = records(data);
    let query = escape(&records.next().unwrap_or_default(), "/?");
    let id = escape(&records.next().unwrap_or_default(), "");
    let addr = dashboard();
    for endpoint in WITH_QUERY {
        let target = format!("{endpoint}?{query}");
        check(&target, &get(addr, &target), false);
    }
    let target = format!("/api/traces/{id}");
    check(&target, &get(addr, &target), true);
}

fn check(target: &str, reply: &Reply, may_be_missing: bool) {
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_else(|e| {
        panic!(
            "GET {target}: {} with a body that is not JSON ({e}): {:?}",
            reply.status, reply.body
        )
    });
    let error = body["error"].as_str();
    match reply.status {
        200 => assert!(body.is_object() && error.is_none(), "GET {target}: {body}"),
        400 => assert!(
            error.is_some_and(|e| e.contains("parameter") || e.contains("trace id")),
            "GET {target}: a 400 that names no parameter: {body}"
        ),
        404 if may_be_missing => assert!(error.is_some(), "GET {target}: {body}"),
        status => panic!("GET {target}: {status} {body}"),
    }
}

/// `s` with every byte but those a request target may hold raw (RFC 3986's
/// unreserved and sub-delimiters, `:`, `@`, `%`, and `raw`) as `%XX`.
fn escape(s: &str, raw: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@%".contains(&b)
            || raw.as_bytes().contains(&b)
        {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The address of a dashboard started once per process, holding a few
/// logs and errors so that the filters have something to filter.
fn dashboard() -> SocketAddr {
    static DASHBOARD: OnceLock<(Present, Server, Sdk)> = OnceLock::new();
    let (_, server, _) = DASHBOARD.get_or_init(|| {
        let present = Present::builder()
            .with_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
            .build()
            .expect("a dashboard with the defaults");
        let sdk = Sdk::builder()
            .with_resource(Resource::new("parser-checks"))
            .with_logger(
                SdkLogger::builder()
                    .with_filter("trace")
                    .with_exporter(Box::new(present.logs())),
            )
            .with_errors(SdkErrors::builder().with_reporter(Box::new(present.errors())))
            .build()
            .expect("an SDK with the dashboard's sinks");
        let logger = sdk.logger().expect("a logger");
        omniscope::warn!(logger: logger, "payment declined"; order.id = 7);
        omniscope::info!(logger: logger, "order placed"; order.id = 8);
        if let Some(errors) = sdk.errors() {
            let context = omniscope::ErrorContext::new(&[]);
            omniscope::ErrorHandler::handle(
                errors,
                &std::io::Error::other("card declined"),
                &context,
            );
        }
        sdk.flush(Instant::now() + Duration::from_secs(30))
            .expect("a flush within 30 s");
        let server = present
            .serve(sdk.clone())
            .expect("a dashboard on 127.0.0.1");
        (present, server, sdk)
    });
    server.local_addr()
}
