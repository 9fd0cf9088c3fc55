//! Errors' fields are redacted with the same matcher as logs: default list,
//! separators and case, dotted keys, and a replaced list.

use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler, Field, Value};
use omniscope_sdk::errors::{ErrorEvent, ErrorsBuilder, SdkErrors};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::REDACTED;

fn report(builder: ErrorsBuilder, fields: &[Field<'_>]) -> ErrorEvent {
    let (reporter, received) = InMemoryExporter::new();
    let errors = builder
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    errors.handle(
        &std::io::Error::other("login failed"),
        &ErrorContext::new(fields),
    );
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut events = received.take();
    assert_eq!(events.len(), 1);
    events.remove(0)
}

#[test]
fn secrets_in_error_fields_are_redacted() {
    let token = String::from("eyJhbGciOi");
    let event = report(
        SdkErrors::builder(),
        &[
            Field::new_static("user", Value::Str("ada")),
            Field::new_static("user.password", Value::Str("hunter2")),
            Field::new("Authorization", Value::Str(&token)),
            Field::new_static("cardNumber", Value::Str("4111111111111111")),
            Field::new_static("refresh-token", Value::Str("r")),
        ],
    );
    let get = |k: &str| event.fields.get(k).and_then(|v| v.as_str());
    assert_eq!(get("user"), Some("ada"));
    for key in [
        "user.password",
        "Authorization",
        "cardNumber",
        "refresh-token",
    ] {
        assert_eq!(get(key), Some(REDACTED), "{key}");
    }
    assert!(!format!("{event:?}").contains("hunter2"));
}

#[test]
fn the_list_can_be_replaced_or_extended() {
    let fields = [
        Field::new_static("tenant.ssn", Value::Str("123")),
        Field::new_static("password", Value::Str("p")),
    ];
    let replaced = report(SdkErrors::builder().with_redacted_fields(["SSN"]), &fields);
    assert_eq!(
        replaced.fields.get("tenant.ssn").and_then(|v| v.as_str()),
        Some(REDACTED)
    );
    assert_eq!(
        replaced.fields.get("password").and_then(|v| v.as_str()),
        Some("p")
    );
    let extended = report(
        SdkErrors::builder().with_additional_redacted_fields(["ssn"]),
        &fields,
    );
    assert_eq!(
        extended.fields.get("tenant.ssn").and_then(|v| v.as_str()),
        Some(REDACTED)
    );
    assert_eq!(
        extended.fields.get("password").and_then(|v| v.as_str()),
        Some(REDACTED)
    );
}
