//! Acceptance: inside `omniscope::testing::capture`, a log and a handled
//! error emitted inside a span carry that span's ids, and parallel captures
//! (tests run on several threads) do not see each other's data.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::fmt;

use common::all_levels_compiled_in;
use omniscope::testing::{self, Captured};
use omniscope::{handle_error, info, span, ErrorKind, Level, OwnedValue};

#[derive(Debug)]
struct Timeout;

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for Timeout {}

/// One unit of work, tagged so that parallel captures can be told apart.
fn work(tag: &'static str) -> Captured {
    testing::capture(|| {
        let _outer = span!("job", tag);
        info!("started"; tag);
        {
            let _inner = span!("step");
            handle_error!(&Timeout; tag);
            omniscope::counter!("steps_total").increment(1);
        }
        info!("done");
    })
}

fn check(captured: &Captured, tag: &str) {
    let job = captured.span("job").unwrap();
    let step = captured.span("step").unwrap();
    assert_eq!(captured.spans().len(), 2);
    assert!(job.ended && step.ended);
    assert_eq!(job.attribute("tag"), Some(&OwnedValue::Str(tag.to_owned())));
    assert_eq!(step.parent_span_id, Some(job.span_id));
    assert_eq!(step.trace_id, job.trace_id);
    assert_eq!(captured.children_of(job), [step]);

    let logs = captured.logs();
    assert_eq!(logs.len(), 2);
    captured.assert_logged(Level::Info, "started");
    for log in logs {
        assert_eq!(
            (log.trace_id, log.span_id),
            (Some(job.trace_id), Some(job.span_id))
        );
    }
    assert_eq!(
        logs[0].fields,
        [("tag".to_owned(), OwnedValue::Str(tag.to_owned()))]
    );

    let errors = captured.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, ErrorKind::Handled);
    assert_eq!(errors[0].chain, ["timed out"]);
    assert_eq!(
        (errors[0].trace_id, errors[0].span_id),
        (Some(step.trace_id), Some(step.span_id))
    );
    assert_eq!(
        errors[0].fields,
        [("tag".to_owned(), OwnedValue::Str(tag.to_owned()))]
    );
    assert!(errors[0].location.as_deref().unwrap().starts_with(file!()));
    assert_eq!(captured.counter("steps_total", &[]), Some(1));
}

#[test]
fn logs_and_errors_carry_the_span_ids() {
    if !all_levels_compiled_in() {
        return;
    }
    check(&work("first"), "first");
}

/// Many captures at once on several threads: each sees only its own data.
#[test]
fn parallel_captures_are_isolated() {
    if !all_levels_compiled_in() {
        return;
    }
    const TAGS: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
    std::thread::scope(|s| {
        let handles: Vec<_> = TAGS
            .iter()
            .map(|tag| s.spawn(move || (tag, (0..20).map(|_| work(tag)).collect::<Vec<_>>())))
            .collect();
        for handle in handles {
            let (tag, runs) = handle.join().unwrap();
            for captured in &runs {
                check(captured, tag);
            }
        }
    });
}

/// Outside a capture, with nothing installed, nothing reaches any capture.
#[test]
fn nothing_outside_a_capture_is_recorded() {
    let inside = testing::capture(|| {
        // Another thread without the capture's context emits meanwhile.
        std::thread::spawn(|| {
            let _s = span!("elsewhere");
            info!("not captured");
            handle_error!(&Timeout);
            omniscope::counter!("elsewhere_total").increment(1);
        })
        .join()
        .unwrap();
    });
    assert!(inside.is_empty(), "{inside:?}");
}
