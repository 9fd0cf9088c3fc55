use std::fmt;
use std::time::{Duration, SystemTime};

use omniscope::{ErrorKind, SpanId, TraceId, Value};
use omniscope_sdk::testing;

use super::*;

#[derive(Debug)]
struct Outer(Middle);
#[derive(Debug)]
struct Middle(std::io::Error);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot save the order")
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
impl fmt::Display for Middle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("database write failed")
    }
}
impl std::error::Error for Middle {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn convert() -> Convert {
    Convert {
        in_app: InApp::default(),
        fingerprint: None,
        release: None,
        environment: None,
        server_name: None,
    }
}

#[test]
fn chain_is_root_cause_first_with_type_names() {
    let error = Outer(Middle(std::io::Error::other("disk full")));
    let event = testing::error(&error)
        .with_ids(TraceId::from_u128(7), SpanId::from_u64(9))
        .with_field("order.id", Value::I64(42))
        .with_field("password", Value::Str("hunter2"))
        .build();
    let resource = Resource::new("orders")
        .with(Resource::SERVICE_VERSION, OwnedValue::Str("1.2.3".into()))
        .with("host.name", OwnedValue::Str("web-1".into()));
    let out = to_sentry(&event, &resource, Vec::new(), &convert());
    let types: Vec<&str> = out.exception.values.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(types, ["io::Error", "Middle", "Outer"]);
    assert_eq!(
        out.exception.values[2].value.as_deref(),
        Some("cannot save the order")
    );
    let mechanism = out.exception.values[2].mechanism.as_ref().unwrap();
    assert_eq!(
        (mechanism.ty.as_str(), mechanism.handled),
        ("generic", Some(true))
    );
    assert_eq!(out.level, Level::Error);
    assert_eq!(out.release.as_deref(), Some("1.2.3"));
    assert_eq!(out.server_name.as_deref(), Some("web-1"));
    assert_eq!(out.tags.get("order.id").map(String::as_str), Some("42"));
    assert_eq!(
        out.tags.get("password").map(String::as_str),
        Some("[REDACTED]")
    );
    let Some(Context::Trace(trace)) = out.contexts.get("trace") else {
        panic!("no trace context: {:?}", out.contexts)
    };
    assert_eq!(
        trace.trace_id.to_string(),
        TraceId::from_u128(7).to_string()
    );
    assert_eq!(trace.span_id.to_string(), SpanId::from_u64(9).to_string());
    assert_eq!(out.platform, "native");
}

#[test]
fn panics_are_fatal_and_unhandled() {
    let error = std::io::Error::other("boom");
    let event = testing::error(&error)
        .with_kind(ErrorKind::Panic)
        .with_thread("worker-3")
        .build();
    let out = to_sentry(&event, &Resource::new("x"), Vec::new(), &convert());
    assert_eq!(out.level, Level::Fatal);
    let outer = out.exception.values.last().unwrap();
    assert_eq!(outer.ty, "panic");
    assert_eq!(outer.mechanism.as_ref().unwrap().handled, Some(false));
    assert_eq!(out.threads.values[0].name.as_deref(), Some("worker-3"));
    assert!(out.threads.values[0].crashed);
}

#[test]
fn configured_values_win_over_the_resource() {
    let error = std::io::Error::other("boom");
    let event = testing::error(&error).build();
    let resource = Resource::new("x")
        .with(Resource::SERVICE_VERSION, OwnedValue::Str("1".into()))
        .with(
            Resource::DEPLOYMENT_ENVIRONMENT,
            OwnedValue::Str("staging".into()),
        );
    let mut c = convert();
    c.release = Some("2".into());
    c.fingerprint = Some(Arc::new(|_: &ErrorEvent| vec!["mine".to_owned()]));
    let out = to_sentry(&event, &resource, Vec::new(), &c);
    assert_eq!(out.release.as_deref(), Some("2"));
    assert_eq!(out.environment.as_deref(), Some("staging"));
    assert_eq!(out.fingerprint.as_ref(), [Cow::Borrowed("mine")]);
}

#[test]
fn tags_are_made_acceptable() {
    let long = "v".repeat(300);
    let (k, v) = tag(
        "a key/with:odd chars and a very long name",
        &Value::Str(&long),
    )
    .unwrap();
    assert_eq!(k, "a_key_with:odd_chars_and_a_very_");
    assert_eq!(v.chars().count(), MAX_TAG_VALUE);
    assert_eq!(tag("k", &Value::Str("two\nlines")).unwrap().1, "two lines");
    assert!(tag("k", &Value::Str("  ")).is_none());
}

#[test]
fn default_fingerprint_is_type_and_site() {
    let error = std::io::Error::other("boom");
    let mut event = testing::error(&error).build();
    event.location = Some("src/main.rs:10:5".into());
    assert_eq!(default_fingerprint(&event), ["io::Error", "src/main.rs:10"]);
    let _ = SystemTime::now() + Duration::from_secs(1);
}
