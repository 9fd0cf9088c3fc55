//! A `tracing` span becomes an omniscope span: its name, level, target and
//! location, its fields as typed attributes, and the fields recorded later
//! with `Span::record`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use omniscope::{Level, Value};
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn fields_at_start_and_recorded_later_are_typed_attributes() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!(
            "lookup",
            sku = "A-1",
            count = 3_u64,
            delta = -2_i64,
            ratio = 0.5,
            ok = true,
            list = ?vec![1, 2],
            shown = %"x y",
            later = tracing::field::Empty,
        );
        span.record("later", 7_i64);
        span.record("ok", false);
        drop(span);
        drop(tracing::debug_span!("detail"));
    });

    let (spans, _) = telemetry.take();
    let lookup = common::span(&spans, "lookup");
    let get = |key| lookup.attributes.get(key);
    assert!(matches!(get("sku"), Some(Value::Str("A-1"))));
    assert!(matches!(get("count"), Some(Value::U64(3))));
    assert!(matches!(get("delta"), Some(Value::I64(-2))));
    assert!(matches!(get("ratio"), Some(Value::F64(r)) if r == 0.5));
    assert!(matches!(get("list"), Some(Value::Str("[1, 2]"))));
    assert!(matches!(get("shown"), Some(Value::Str("x y"))));
    assert!(matches!(get("later"), Some(Value::I64(7))));
    // Recorded twice: the later value is the one that counts.
    let oks: Vec<_> = lookup
        .attributes
        .iter()
        .filter(|(k, _)| *k == "ok")
        .map(|(_, v)| v.to_string())
        .collect();
    assert_eq!(oks.last().map(String::as_str), Some("false"), "{oks:?}");

    assert_eq!(lookup.site.level(), Level::Info);
    assert_eq!(lookup.site.target(), module_path!());
    assert_eq!(lookup.site.file(), file!());
    assert!(lookup.site.line() > 0);
    assert_eq!(common::span(&spans, "detail").site.level(), Level::Debug);
    assert!(lookup.parent_span_id.is_none());
}
