//! Issue #14, item 9: `Span::current()` reaches the innermost current span
//! (attributes, events, status, errors), in sync code and in futures across
//! threads; it owns nothing (dropping it ends nothing), and with no
//! recorded span current it does nothing.

use std::time::Duration;

use omniscope::testing::{capture, Recorder};
use omniscope::{span, FutureExt, Span, Status};

fn spans_compiled_in() -> bool {
    omniscope::Level::Info <= omniscope::STATIC_MAX_LEVEL
}

#[test]
fn reaches_the_innermost_span() {
    let captured = capture(|| {
        let _outer = span!("outer");
        Span::current().set_attribute("level", "outer");
        {
            let _inner = span!("inner");
            let current = Span::current();
            assert!(current.is_recording() || !spans_compiled_in());
            current.set_attribute("sku", "A-12");
            current.add_event("cache miss", &[]);
            current.record_error(&std::io::Error::other("backend down"));
            drop(current);
            Span::current().update_name("inner renamed");
        }
        Span::current().set_status(Status::Ok);
    });
    if !spans_compiled_in() {
        return;
    }
    let outer = captured.span("outer").expect("recorded");
    let inner = captured.span("inner renamed").expect("recorded");
    assert_eq!(
        outer.attribute("level").map(ToString::to_string).as_deref(),
        Some("outer")
    );
    assert_eq!(outer.status, Status::Ok);
    assert!(outer.attribute("sku").is_none());
    assert_eq!(
        inner.attribute("sku").map(ToString::to_string).as_deref(),
        Some("A-12")
    );
    assert!(inner.has_event("cache miss"));
    assert_eq!(inner.status, Status::error("backend down"));
    assert_eq!(
        Span::current().context(),
        None,
        "nothing is current outside"
    );
}

#[test]
fn dropping_the_handle_ends_nothing() {
    let recorder = Recorder::new();
    let _active = recorder.activate();
    let _cx = recorder.context().attach();
    let guard = span!("held");
    drop(Span::current());
    if spans_compiled_in() {
        assert!(!recorder.captured().span("held").expect("started").ended);
    }
    drop(guard);
    if spans_compiled_in() {
        assert!(recorder.captured().span("held").expect("started").ended);
    }
}

#[test]
fn without_a_current_span_it_does_nothing() {
    let captured = capture(|| {
        let current = Span::current();
        assert!(!current.is_recording());
        assert!(current.context().is_none());
        current.set_attribute("lost", 1);
        current.set_status(Status::error("lost"));
    });
    assert!(captured.spans().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_future_across_threads() {
    let recorder = Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        let task = async {
            Span::current().set_attribute("before", true);
            // Yield so that the task may resume on the other worker.
            tokio::time::sleep(Duration::from_millis(5)).await;
            tokio::task::yield_now().await;
            Span::current().set_attribute("after", true);
        }
        .in_span(omniscope::Span::start_in(
            &omniscope::Context::current(),
            {
                static SITE: omniscope::SpanSite =
                    omniscope::SpanSite::new("task", module_path!(), file!(), line!());
                &SITE
            },
            None,
            &[],
        ));
        tokio::spawn(task).await.expect("the task completes");
    }
    if !spans_compiled_in() {
        return;
    }
    let captured = recorder.captured();
    let task = captured.span("task").expect("recorded");
    assert!(task.attribute("before").is_some());
    assert!(task.attribute("after").is_some());
}
