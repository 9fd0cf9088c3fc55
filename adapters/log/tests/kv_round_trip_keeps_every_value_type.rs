//! Both directions at once: `log`'s logger is the bridge, omniscope's is a
//! `LogForwarder` to a `log` logger of its own. A `log` record goes into
//! omniscope and out to that logger once, and each kind of key-value comes
//! back with its type; so does an omniscope record's field.

mod common;

use common::{within_10s, Inner, Kv, LogCapture, Outer};
use omniscope_log::{LogForwarder, SPAN_ID_KEY, TRACE_ID_KEY};

#[test]
fn every_value_type_survives_log_to_omniscope_to_log() {
    let capture = LogCapture::default();
    omniscope::set_logger(LogForwarder::to(capture.clone())).unwrap();
    omniscope_log::install().unwrap();
    assert_eq!(log::max_level(), log::LevelFilter::Trace);

    within_10s(|| {
        let error = Outer(Inner);
        let user = String::from("ada");
        log::debug!(
            target: "payments",
            count = -3, id = 7_u64, big = u128::MAX, ratio = 0.25, ok = true, name = "visa",
            user:% = user, chars:? = ['a'], cause:err = error;
            "charge failed"
        );
    });
    let seen = capture.take();
    assert_eq!(seen.len(), 1, "one record, once: {seen:#?}");
    let r = &seen[0];
    assert_eq!(
        (r.level, r.target.as_str()),
        (log::Level::Debug, "payments")
    );
    assert_eq!(r.message, "charge failed");
    assert_eq!(r.module_path.as_deref(), Some(module_path!()));
    assert_eq!(r.file.as_deref(), Some(file!()));
    let kvs: Vec<(&str, &Kv)> = r.kvs.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(
        kvs,
        [
            ("count", &Kv::I64(-3)),
            ("id", &Kv::U64(7)),
            ("big", &Kv::Other(u128::MAX.to_string())),
            ("ratio", &Kv::F64(0.25)),
            ("ok", &Kv::Bool(true)),
            ("name", &Kv::Str("visa".into())),
            ("user", &Kv::Other("ada".into())),
            ("chars", &Kv::Other("['a']".into())),
            (
                "cause",
                &Kv::Error(vec!["payment failed".into(), "card declined".into()])
            ),
        ]
    );

    within_10s(|| {
        let error = Outer(Inner);
        let e: &(dyn std::error::Error + 'static) = &error;
        omniscope::error!(
            "charge failed";
            count = -3_i32, id = 7_u64, ratio = 0.25, ok = true, name = "visa", sku = %"A-1", cause = e
        );
    });
    let seen = capture.take();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let r = &seen[0];
    assert_eq!(r.level, log::Level::Error);
    assert_eq!(r.kv("count"), Some(&Kv::I64(-3)));
    assert_eq!(r.kv("id"), Some(&Kv::U64(7)));
    assert_eq!(r.kv("ratio"), Some(&Kv::F64(0.25)));
    assert_eq!(r.kv("ok"), Some(&Kv::Bool(true)));
    assert_eq!(r.kv("name"), Some(&Kv::Str("visa".into())));
    assert_eq!(r.kv("sku"), Some(&Kv::Other("A-1".into())));
    assert_eq!(
        r.kv("cause"),
        Some(&Kv::Error(vec![
            "payment failed".into(),
            "card declined".into()
        ]))
    );
    // Emitted in no span: no ids.
    assert_eq!((r.kv(TRACE_ID_KEY), r.kv(SPAN_ID_KEY)), (None, None));
}
