//! Per-function meters: `function.calls`, `function.in_flight` (up
//! during the call, down after) and `function.duration{outcome}`.

use omniscope::instrument;
use omniscope::testing::{capture, Recorder};

const WORK: &str = concat!(module_path!(), "::work");

#[instrument]
fn work(n: u64) -> u64 {
    n + 1
}

#[instrument(skip(recorder))]
fn observe_in_flight(recorder: &Recorder) -> Option<i64> {
    let name = concat!(module_path!(), "::observe_in_flight");
    recorder
        .captured()
        .up_down_counter("function.in_flight", &[("function", name)])
}

#[test]
fn calls_and_durations_are_counted() {
    let captured = capture(|| {
        for n in 0..3 {
            assert_eq!(work(n), n + 1);
        }
    });
    let function = [("function", WORK)];
    assert_eq!(captured.counter("function.calls", &function), Some(3));
    assert_eq!(
        captured.up_down_counter("function.in_flight", &function),
        Some(0)
    );
    let samples = captured
        .histogram(
            "function.duration",
            &[("function", WORK), ("outcome", "ok")],
        )
        .expect("durations recorded");
    assert_eq!(samples.len(), 3);
    assert!(samples.iter().all(|s| *s >= 0.0));
    for outcome in ["error", "panic"] {
        let labels = [("function", WORK), ("outcome", outcome)];
        assert_eq!(captured.histogram("function.duration", &labels), None);
    }
    assert_eq!(captured.counter("function.errors", &function), None);
    assert_eq!(captured.counter("function.panics", &function), None);
}

#[test]
fn in_flight_is_up_during_the_call() {
    let recorder = Recorder::new();
    let during = {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        observe_in_flight(&recorder)
    };
    assert_eq!(during, Some(1));
    let name = concat!(module_path!(), "::observe_in_flight");
    assert_eq!(
        recorder
            .captured()
            .up_down_counter("function.in_flight", &[("function", name)]),
        Some(0)
    );
}

#[test]
fn with_nothing_installed_nothing_is_recorded_and_the_function_runs() {
    assert_eq!(work(41), 42);
    let captured = capture(|| {});
    assert!(captured.is_empty());
}
