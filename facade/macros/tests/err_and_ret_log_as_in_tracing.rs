//! Issue #14, item 7: `err`, `err(Display)`, `err(Debug)`, `err(level = …)`
//! and `ret` mean what they mean in `tracing`: `err` logs the `Err` a
//! function returns (`error` field, `Display` unless `Debug`, at `error`
//! unless `level`), `ret` logs what it returns (`return` field, `Debug`
//! unless `Display`, at the span's level; only the `Ok` value when `err` is
//! there too). Events sit in the function's span. An expected error
//! (`UserError`) is logged no more severely than `info`.

mod common;

use std::fmt;

use common::spans_compiled_in;
use omniscope::testing::{capture, CapturedLog};
use omniscope::{instrument, Level, UserError};

#[derive(Debug)]
struct Declined {
    code: u16,
}

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "card declined ({})", self.code)
    }
}

#[derive(Debug)]
struct NotFound;

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not found")
    }
}

impl UserError for NotFound {}

#[instrument(err)]
fn pay(ok: bool) -> Result<u32, Declined> {
    if ok {
        Ok(1)
    } else {
        Err(Declined { code: 51 })
    }
}

#[instrument(err(Debug))]
fn pay_debug() -> Result<(), Declined> {
    Err(Declined { code: 5 })
}

#[instrument(err(level = "warn", Display))]
fn pay_warn() -> Result<(), Declined> {
    Err(Declined { code: 7 })
}

#[instrument(err)]
fn find() -> Result<(), NotFound> {
    Err(NotFound)
}

#[instrument(level = "debug", ret)]
fn total(a: u32, b: u32) -> u32 {
    a + b
}

#[instrument(ret(Display, level = Level::Warn))]
fn greeting() -> String {
    "hello".to_owned()
}

#[instrument(ret, err)]
async fn both(ok: bool) -> Result<u32, Declined> {
    pay(ok)
}

#[instrument(ret)]
fn whole(ok: bool) -> Result<u32, String> {
    if ok {
        Ok(2)
    } else {
        Err("no".to_owned())
    }
}

fn field(log: &CapturedLog, key: &str) -> Option<String> {
    log.fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.to_string())
}

fn summary(logs: &[CapturedLog]) -> Vec<(Level, Option<String>, Option<String>)> {
    logs.iter()
        .map(|l| (l.level, field(l, "error"), field(l, "return")))
        .collect()
}

#[test]
fn err_logs_the_error_in_its_span() {
    if !spans_compiled_in() {
        return;
    }
    let captured = capture(|| {
        let _ = pay(true);
        let _ = pay(false);
        let _ = pay_debug();
        let _ = pay_warn();
        let _ = find();
    });
    assert_eq!(
        summary(captured.logs()),
        [
            (Level::Error, Some("card declined (51)".to_owned()), None),
            (Level::Error, Some("Declined { code: 5 }".to_owned()), None),
            (Level::Warn, Some("card declined (7)".to_owned()), None),
            (Level::Info, Some("not found".to_owned()), None),
        ]
    );
    let log = &captured.logs()[0];
    assert_eq!(log.target, module_path!());
    let spans = captured.spans();
    assert_eq!(log.span_id, Some(spans[1].span_id), "inside `pay`'s span");
}

#[tokio::test]
async fn ret_logs_the_value_at_the_span_level() {
    if !spans_compiled_in() {
        return;
    }
    let recorder = omniscope::testing::Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        assert_eq!(total(2, 3), 5);
        assert_eq!(greeting(), "hello");
        assert!(both(true).await.is_ok());
        assert!(both(false).await.is_err());
        let _ = whole(true);
        let _ = whole(false);
    }
    let captured = recorder.captured();
    // `both(false)` logs `pay`'s error and its own; `both(true)` its `Ok`
    // value only; `ret` alone logs the whole `Result`.
    assert_eq!(
        summary(captured.logs()),
        [
            (Level::Debug, None, Some("5".to_owned())),
            (Level::Warn, None, Some("hello".to_owned())),
            (Level::Info, None, Some("1".to_owned())),
            (Level::Error, Some("card declined (51)".to_owned()), None),
            (Level::Error, Some("card declined (51)".to_owned()), None),
            (Level::Info, None, Some("Ok(2)".to_owned())),
            (Level::Info, None, Some("Err(\"no\")".to_owned())),
        ]
    );
}
