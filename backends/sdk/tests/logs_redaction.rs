//! Redaction of secret-bearing log fields: the default list, separators
//! and case, dotted keys, and replacing or extending the list.

use std::time::{Duration, Instant};

use omniscope::{Field, Level, Logger, Metadata, Record, SourceLocation, Value};
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::logs::{LogData, LoggerBuilder, SdkLogger, DEFAULT_REDACTED_FIELDS, REDACTED};

fn build(builder: LoggerBuilder) -> (SdkLogger, InMemoryHandle<LogData>) {
    let (exporter, handle) = InMemoryExporter::new();
    let logger = builder
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    (logger, handle)
}

/// Logs one record with `fields` and returns the fields as delivered.
fn deliver(
    logger: &SdkLogger,
    received: &InMemoryHandle<LogData>,
    fields: &[Field<'_>],
) -> LogData {
    let location = SourceLocation::new("tests", file!(), line!());
    let metadata = Metadata::new(Level::Info, "tests").with_location(&location);
    logger.log(&Record::new(metadata, format_args!("signed in"), fields));
    logger
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut items = received.take();
    assert_eq!(items.len(), 1);
    items.remove(0)
}

fn value<'a>(log: &'a LogData, key: &str) -> Option<&'a str> {
    log.fields.get(key).and_then(|v| v.as_str())
}

#[test]
fn default_list_covers_common_secrets_in_any_spelling() {
    let (logger, received) = build(SdkLogger::builder());
    let secret = String::from("s3cr3t");
    let keys = [
        "password",
        "Password",
        "PASSWORD",
        "user.password",
        "db.Password",
        "token",
        "access_token",
        "accessToken",
        "Authorization",
        "http.request.header.authorization",
        "api_key",
        "apiKey",
        "API-KEY",
        "x-api-key",
        "cookie",
        "Set-Cookie",
        "card_number",
        "cardNumber",
        "card.number",
        "Card-Number",
        "client_secret",
        "secret",
    ];
    let mut fields: Vec<Field<'_>> = keys
        .iter()
        .map(|k| Field::new(k, Value::Str(&secret)))
        .collect();
    fields.push(Field::new_static("user", Value::Str("ada")));
    fields.push(Field::new_static("order.id", Value::U64(42)));
    fields.push(Field::new_static("password_hint_shown", Value::Bool(true)));
    let log = deliver(&logger, &received, &fields);
    for key in keys {
        assert_eq!(value(&log, key), Some(REDACTED), "{key}");
    }
    assert_eq!(value(&log, "user"), Some("ada"));
    assert!(matches!(log.fields.get("order.id"), Some(Value::U64(42))));
    assert!(matches!(
        log.fields.get("password_hint_shown"),
        Some(Value::Bool(true))
    ));
    // Non-string values are redacted too, and order is kept.
    let log = deliver(
        &logger,
        &received,
        &[Field::new_static("cvv", Value::U64(123))],
    );
    assert_eq!(value(&log, "cvv"), Some(REDACTED));
    assert!(DEFAULT_REDACTED_FIELDS.contains(&"password"));
    // Only the fields: the record's timestamp may contain "123" by chance.
    assert!(!format!("{:?}", log.fields).contains("123"));
}

#[test]
fn replacing_the_list_drops_the_defaults() {
    let (logger, received) =
        build(SdkLogger::builder().with_redacted_fields(["ssn", "card number"]));
    let log = deliver(
        &logger,
        &received,
        &[
            Field::new_static("customer.SSN", Value::Str("123-45-6789")),
            Field::new_static("CardNumber", Value::Str("4111111111111111")),
            Field::new_static("password", Value::Str("visible now")),
        ],
    );
    assert_eq!(value(&log, "customer.SSN"), Some(REDACTED));
    assert_eq!(value(&log, "CardNumber"), Some(REDACTED));
    assert_eq!(value(&log, "password"), Some("visible now"));

    let (logger, received) = build(SdkLogger::builder().with_redacted_fields(Vec::<String>::new()));
    let log = deliver(
        &logger,
        &received,
        &[Field::new_static("password", Value::Str("p"))],
    );
    assert_eq!(value(&log, "password"), Some("p"));
}

#[test]
fn additional_names_extend_the_defaults() {
    let (logger, received) =
        build(SdkLogger::builder().with_additional_redacted_fields(vec![String::from("iban")]));
    let log = deliver(
        &logger,
        &received,
        &[
            Field::new_static("payout.IBAN", Value::Str("DE89370400440532013000")),
            Field::new_static("password", Value::Str("p")),
            Field::new_static("amount", Value::F64(9.5)),
        ],
    );
    assert_eq!(value(&log, "payout.IBAN"), Some(REDACTED));
    assert_eq!(value(&log, "password"), Some(REDACTED));
    assert!(matches!(log.fields.get("amount"), Some(Value::F64(v)) if v == 9.5));
}
