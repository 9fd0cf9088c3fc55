//! A real Pushgateway (Debian's `prometheus-pushgateway`, private, on
//! loopback: `omniscope_tests::prometheus`) receives what a batch job's SDK
//! pushes through its metrics pipeline, in the group named by the job and
//! grouping labels (values with `/`, spaces and nothing at all included),
//! and serves it back; `PUT` replaces the group and `POST` adds to it;
//! basic authentication works and a wrong password fails for good; the
//! Pushgateway's own refusal, an unreachable one and a silent one become
//! the right export errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::net::TcpListener;
use std::time::{Duration, Instant};

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_prometheus::{PushGateway, PushGatewayBuilder, PushMethod};
use omniscope_sdk::export::{Batch, ExportError, Exporter};
use omniscope_sdk::metrics::{SdkMeter, Temporality};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::prometheus::Pushgateway;
use serde_json::Value;

/// The bcrypt hash of the password `test` (from Prometheus' documentation).
const TEST_BCRYPT: &str = "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay";

/// The group whose labels are exactly `labels` (besides `job`).
fn group<'a>(groups: &'a [Value], labels: &[(&str, &str)]) -> Option<&'a Value> {
    groups.iter().find(|g| {
        let have = g["labels"].as_object().map_or(0, |l| l.len());
        have == labels.len() && labels.iter().all(|(k, v)| g["labels"][*k] == *v)
    })
}

/// The value of `metric` in `group` (its first series).
fn value<'a>(group: &'a Value, metric: &str) -> Option<&'a Value> {
    let series = &group[metric]["metrics"][0];
    (!series.is_null()).then_some(series)
}

/// Pushes `meter`'s snapshot once, directly (no pipeline).
fn push_once(push: &mut PushGateway, meter: &SdkMeter) -> Result<(), ExportError> {
    let batch = Batch::from_vec(vec![meter.snapshot()]);
    push.export(&batch, &Resource::new("ignored")).map(|_| ())
}

fn meter_with(counters: &[(&str, u64)]) -> SdkMeter {
    let meter = SdkMeter::new();
    for (name, n) in counters {
        meter
            .counter(&Key::from_name(*name), &MetricMeta::EMPTY)
            .increment(*n);
    }
    meter
}

#[test]
fn pushgateway_receives_pushed_batches() {
    let gateway = Pushgateway::start();

    // A batch job, through the SDK's pipeline: only the final push at
    // shutdown happens (the interval is an hour).
    let push = PushGateway::builder()
        .with_url(gateway.url())
        .with_job("nightly_backup")
        .with_grouping("instance", "db-1")
        .with_grouping("path", "/var/backups")
        .with_grouping("note", "a b?é")
        .with_grouping("empty", "")
        .with_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let sdk = Sdk::builder()
        .with_resource(Resource::new("backup"))
        .with_metric_exporter(
            Box::new(push),
            Duration::from_secs(3600),
            Temporality::Cumulative,
        )
        .build()
        .unwrap();
    let meter = sdk.meter();
    let labels = [Label::new("kind", "full")];
    let files = MetricMeta::new(Unit::NONE, "Files backed up.");
    meter
        .counter(&Key::new("backup.files", &labels), &files)
        .increment(42);
    let took = MetricMeta::new(Unit::SECONDS, "Time per file.");
    let histogram = meter.histogram(&Key::from_name("backup.file.duration"), &took);
    for s in [0.003, 0.02, 0.7] {
        histogram.record(s);
    }
    sdk.shutdown(Instant::now() + Duration::from_secs(30))
        .unwrap();

    let groups = gateway.groups(&[]);
    let labels = [
        ("job", "nightly_backup"),
        ("instance", "db-1"),
        ("path", "/var/backups"),
        ("note", "a b?é"),
        ("empty", ""),
    ];
    let backup =
        group(&groups, &labels).unwrap_or_else(|| panic!("no group {labels:?}: {groups:#?}"));
    let files = value(backup, "backup_files_total").unwrap_or_else(|| panic!("{backup:#}"));
    assert_eq!(backup["backup_files_total"]["type"], "COUNTER");
    assert_eq!(files["value"], "42", "{backup:#}");
    assert_eq!(files["labels"]["kind"], "full");
    let histogram = value(backup, "backup_file_duration_seconds").unwrap();
    assert_eq!(backup["backup_file_duration_seconds"]["type"], "HISTOGRAM");
    assert_eq!(histogram["count"], "3", "{backup:#}");
    assert_eq!(histogram["buckets"]["0.025"], "2", "{backup:#}");
    // The SDK's self-metrics travel with the job's own.
    assert!(
        value(backup, "omniscope_preinit_dropped_total").is_some(),
        "{backup:#}"
    );
    // And the Pushgateway serves it back to Prometheus.
    let (status, text) = gateway.get("/metrics", &[]);
    assert_eq!(status, 200);
    assert!(
        text.lines().any(|l| l.starts_with("backup_files_total{")
            && l.contains("job=\"nightly_backup\"")
            && l.contains("path=\"/var/backups\"")
            && l.ends_with(" 42")),
        "{text}"
    );

    // PUT replaces the group; POST adds to it.
    let builder = || {
        PushGateway::builder()
            .with_url(format!("{}/", gateway.url()))
            .with_job("methods")
    };
    let mut put = builder().build().unwrap();
    let mut post = builder().with_method(PushMethod::Post).build().unwrap();
    push_once(&mut put, &meter_with(&[("a_total", 1), ("b_total", 2)])).unwrap();
    push_once(&mut put, &meter_with(&[("a_total", 3)])).unwrap();
    push_once(&mut post, &meter_with(&[("c_total", 4)])).unwrap();
    let groups = gateway.groups(&[]);
    let methods = group(&groups, &[("job", "methods")]).unwrap();
    assert_eq!(value(methods, "a_total").unwrap()["value"], "3");
    assert!(
        value(methods, "b_total").is_none(),
        "PUT removed b: {methods:#}"
    );
    assert_eq!(value(methods, "c_total").unwrap()["value"], "4");

    // The Pushgateway's refusal (a name it knows with another type) fails
    // the push for good, with its message.
    let gauge = SdkMeter::new();
    omniscope::Meter::observe_gauge(
        &gauge,
        &Key::from_name("a_total"),
        &MetricMeta::EMPTY,
        Box::new(|| 1.0),
    );
    let mut other = PushGateway::builder()
        .with_url(gateway.url())
        .with_job("other")
        .build()
        .unwrap();
    match push_once(&mut other, &gauge) {
        Err(ExportError::Internal(message)) => assert!(
            message.starts_with("the Pushgateway answered 400 Bad Request to PUT http://")
                && message.contains("/metrics/job/other: ")
                && message.contains("a_total"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pushgateway_with_basic_auth() {
    let gateway = Pushgateway::start_with_basic_auth("admin", TEST_BCRYPT);
    let builder = |password: &str| -> PushGatewayBuilder {
        PushGateway::builder()
            .with_url(gateway.url())
            .with_job("secured")
            .with_basic_auth("admin", password)
    };
    let meter = meter_with(&[("jobs_total", 9)]);
    let mut wrong = builder("wrong").build().unwrap();
    match push_once(&mut wrong, &meter) {
        Err(ExportError::Internal(message)) => assert!(
            message.contains("401 Unauthorized") && message.contains("with_basic_auth"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    push_once(&mut builder("test").build().unwrap(), &meter).unwrap();
    // "admin:test"
    let groups = gateway.groups(&[("Authorization", "Basic YWRtaW46dGVzdA==")]);
    let secured = group(&groups, &[("job", "secured")]).unwrap();
    assert_eq!(value(secured, "jobs_total").unwrap()["value"], "9");
}

#[test]
fn unreachable_pushgateway_is_retryable() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut push = PushGateway::builder()
        .with_url(format!("http://127.0.0.1:{port}"))
        .with_job("lost")
        .build()
        .unwrap();
    match push_once(&mut push, &meter_with(&[("x_total", 1)])) {
        Err(ExportError::Retryable { message, .. }) => assert!(
            message.starts_with(&format!(
                "cannot send to http://127.0.0.1:{port}/metrics/job/lost"
            )),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn silent_pushgateway_times_out() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let mut push = PushGateway::builder()
        .with_url(format!("http://{addr}"))
        .with_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let outcome = push_once(&mut push, &meter_with(&[("x_total", 1)]));
    assert_eq!(outcome, Err(ExportError::Timeout));
    assert!(ExportError::Timeout.is_retryable());
}
