//! `log` → omniscope: a `log` record reaches the installed omniscope logger
//! with its level, target, location, message, every kind of key-value with
//! its type (an `:err` error with its source chain), and the ids of the
//! span current where it was logged.

mod common;

use common::{Capture, Inner, Outer};
use omniscope::{
    Context, Level, LevelFilter, OwnedValue, SpanContext, SpanId, TraceFlags, TraceId, TraceState,
};

#[test]
fn a_log_record_arrives_whole_inside_its_span() {
    let capture = Capture::new(LevelFilter::Trace, "nobody");
    omniscope::set_logger(capture.clone()).unwrap();
    omniscope_log::install().unwrap();

    let (trace, span) = (TraceId::from_u128(0xabc), SpanId::from_u64(0xdef));
    let cx = SpanContext::new_remote(trace, span, TraceFlags::SAMPLED, TraceState::new());
    let error = Outer(Inner);
    let user = String::from("ada");
    let line = line!() + 3;
    {
        let _entered = Context::current().with_remote_span(cx).attach();
        log::warn!(
            target: "payments",
            count = 3, id = 7_u64, big = u128::MAX, ratio = 0.25, ok = true, name = "visa",
            user:% = user, chars:? = ['a'], cause:err = error;
            "charge {} failed", 42
        );
    }
    log::info!("outside any span");

    let seen = capture.take();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    let r = &seen[0];
    assert_eq!(r.level, Level::Warn);
    assert_eq!(r.target, "payments");
    assert_eq!(r.message, "charge 42 failed");
    assert_eq!(r.module_path.as_deref(), Some(module_path!()));
    assert_eq!(r.file.as_deref(), Some(file!()));
    assert_eq!(r.line, Some(line));
    assert_eq!(r.ids, Some((trace, span)));
    let fields: Vec<(&str, &OwnedValue)> = r.fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        fields,
        [
            ("count", &OwnedValue::I64(3)),
            ("id", &OwnedValue::U64(7)),
            ("big", &OwnedValue::Str(u128::MAX.to_string())),
            ("ratio", &OwnedValue::F64(0.25)),
            ("ok", &OwnedValue::Bool(true)),
            ("name", &OwnedValue::Str("visa".into())),
            ("user", &OwnedValue::Str("ada".into())),
            ("chars", &OwnedValue::Str("['a']".into())),
            (
                "cause",
                &OwnedValue::Error(vec!["payment failed".into(), "card declined".into()])
            ),
        ]
    );
    let outside = &seen[1];
    assert_eq!((outside.level, outside.ids), (Level::Info, None));
    assert!(outside.fields.is_empty());
}
