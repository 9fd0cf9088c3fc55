//! Regression test of issue #11: a value whose `Display` panics while the
//! facade itself formats it — a log before any logger is installed (the
//! pre-init buffer), an error's message (`error_chain`), `testing::capture` —
//! never unwinds into the caller nor poisons the buffer: it is kept as
//! `<panicked while formatting>` and counted in `format_panics()`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::fmt;

use common::{all_levels_compiled_in, RecordingLogger};
use omniscope::{info, LevelFilter, OwnedValue, PANICKED_WHILE_FORMATTING};

struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a broken Display")
    }
}

#[derive(Debug)]
struct BrokenError;

impl fmt::Display for BrokenError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a broken error message")
    }
}

impl std::error::Error for BrokenError {}

#[test]
fn values_formatted_by_the_facade_never_unwind() {
    if !all_levels_compiled_in() {
        return;
    }
    // The caught panics stay quiet; the test's own failures do not.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<&str>().copied().unwrap_or("");
        if !message.starts_with("a broken") {
            default_hook(info);
        }
    }));
    omniscope::preinit::configure(16, 16, LevelFilter::Info);

    // In a scoped capture, then into the pre-init buffer.
    let captured = omniscope::testing::capture(|| {
        info!("captured {}", Panics; broken = %Panics);
    });
    info!("buffered {}", Panics; broken = %Panics);
    info!("after the panics");
    assert_eq!(
        omniscope::error_chain(&BrokenError),
        [PANICKED_WHILE_FORMATTING]
    );
    assert_eq!(omniscope::format_panics(), 5);

    let log = &captured.logs()[0];
    assert_eq!(log.message, format!("captured {PANICKED_WHILE_FORMATTING}"));

    let logger = RecordingLogger::new(LevelFilter::Info);
    omniscope::set_logger(logger.clone()).unwrap();
    let logs = logger.logs();
    assert_eq!(logs.len(), 2, "the buffer still works: {logs:?}");
    assert_eq!(
        logs[0].message,
        format!("buffered {PANICKED_WHILE_FORMATTING}")
    );
    assert_eq!(
        logs[0].field("broken"),
        Some(&OwnedValue::Str(PANICKED_WHILE_FORMATTING.to_owned()))
    );
    assert_eq!(logs[1].message, "after the panics");
}
