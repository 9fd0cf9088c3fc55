//! omniscope → `log`: with `LogForwarder::global()` as omniscope's logger,
//! omniscope's records reach the application's `log` logger with their
//! location, fields and the ids of their span; `log`'s level filter
//! applies, and a `Display` that panics in the `log` logger does not unwind
//! into the code that logged.

mod common;

use std::fmt;

use common::{Kv, LogCapture};
use omniscope::{Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use omniscope_log::{LogForwarder, SPAN_ID_KEY, TRACE_ID_KEY};

struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("broken Display")
    }
}

#[test]
fn records_arrive_with_location_fields_and_ids() {
    let capture = LogCapture::default();
    log::set_boxed_logger(Box::new(capture.clone())).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    omniscope::set_logger(LogForwarder::global()).unwrap();
    assert_eq!(omniscope::max_level(), omniscope::LevelFilter::Info);

    let (trace, span) = (TraceId::from_u128(0x5eed), SpanId::from_u64(0xbeef));
    let cx = SpanContext::new_remote(trace, span, TraceFlags::SAMPLED, TraceState::new());
    let line = line!() + 3;
    {
        let _entered = Context::current().with_remote_span(cx).attach();
        omniscope::warn!(target: "orders", "stock low: {}", 2; sku = "A-1", left = 2_u64);
    }
    // Below `log`'s level: neither side's macros let it through, and the
    // forwarder would not either (omniscope's level could be wider).
    omniscope::debug!("not shown");
    omniscope::set_max_level(omniscope::LevelFilter::Trace);
    omniscope::debug!("not shown either");

    let seen = capture.take();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let r = &seen[0];
    assert_eq!((r.level, r.target.as_str()), (log::Level::Warn, "orders"));
    assert_eq!(r.message, "stock low: 2");
    assert_eq!(r.module_path.as_deref(), Some(module_path!()));
    assert_eq!(r.file.as_deref(), Some(file!()));
    assert_eq!(r.line, Some(line));
    assert_eq!(r.kv("sku"), Some(&Kv::Str("A-1".into())));
    assert_eq!(r.kv("left"), Some(&Kv::U64(2)));
    assert_eq!(r.kv(TRACE_ID_KEY), Some(&Kv::Other(trace.to_string())));
    assert_eq!(r.kv(SPAN_ID_KEY), Some(&Kv::Other(span.to_string())));

    std::panic::set_hook(Box::new(|_| {}));
    let panics = omniscope::format_panics();
    omniscope::warn!("value {}", Panics);
    assert_eq!(omniscope::format_panics(), panics + 1);
    assert!(capture.take().is_empty());
}
