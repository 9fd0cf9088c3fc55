//! A `tracing` event becomes an omniscope log: level, target, location,
//! message and typed fields, with the trace and span ids of the span it
//! was emitted in; omniscope's level and per-target filters apply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use omniscope::{Level, Value};
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn events_are_logs_with_fields_inside_their_span() {
    let telemetry = common::install("debug,noisy=warn");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("lookup");
        let _in = span.enter();
        let sku = "A-1";
        tracing::info!(
            sku,
            count = 3_u64,
            delta = -1_i64,
            ratio = 0.25,
            ok = true,
            list = ?[1, 2],
            "looked up {}",
            sku
        );
        tracing::warn!(count = 1_u64);
        tracing::trace!("below omniscope's level");
        tracing::info!(target: "noisy", "below noisy's level");
        tracing::warn!(target: "noisy", "kept");
    });
    tracing::subscriber::with_default(
        tracing_subscriber::registry().with(omniscope_tracing::layer()),
        || tracing::error!("outside any span"),
    );

    let (spans, logs) = telemetry.take();
    let messages: Vec<&str> = logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        messages,
        ["looked up A-1", "", "kept", "outside any span"],
        "{logs:#?}"
    );
    let lookup = common::span(&spans, "lookup");
    let log = &logs[0];
    common::assert_in(log, lookup);
    assert_eq!(log.level, Level::Info);
    assert_eq!(log.target, module_path!());
    let location = log.location.as_ref().unwrap();
    assert_eq!(
        (location.0.as_ref(), location.1.as_ref()),
        (module_path!(), file!())
    );
    let get = |key| log.fields.get(key);
    assert!(matches!(get("sku"), Some(Value::Str("A-1"))));
    assert!(matches!(get("count"), Some(Value::U64(3))));
    assert!(matches!(get("delta"), Some(Value::I64(-1))));
    assert!(matches!(get("ratio"), Some(Value::F64(r)) if r == 0.25));
    assert!(matches!(get("ok"), Some(Value::Bool(true))));
    assert!(matches!(get("list"), Some(Value::Str("[1, 2]"))));
    assert!(get("message").is_none());
    assert_eq!(logs[1].level, Level::Warn);
    assert!(matches!(logs[1].fields.get("count"), Some(Value::U64(1))));
    assert_eq!(logs[2].target, "noisy");
    assert_eq!(logs[3].trace_id, None);
}
