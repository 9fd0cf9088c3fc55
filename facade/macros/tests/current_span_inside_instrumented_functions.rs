//! Issue #14, item 9: inside an `#[instrument]`ed function, sync or async,
//! `Span::current()` is the function's span, as in `tracing`.

mod common;

use common::spans_compiled_in;
use omniscope::testing::Recorder;
use omniscope::{instrument, Span};

#[instrument(skip_all)]
fn load(found: bool) -> Option<u32> {
    Span::current().set_attribute("cache.hit", found);
    found.then_some(1)
}

#[instrument(skip_all)]
async fn fetch() -> u32 {
    tokio::task::yield_now().await;
    Span::current().set_attribute("attempts", 2);
    load(true).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_span_is_the_function_s() {
    let recorder = Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        assert_eq!(tokio::spawn(fetch()).await.expect("completes"), 1);
    }
    if !spans_compiled_in() {
        return;
    }
    let captured = recorder.captured();
    let fetch = captured.span("fetch").expect("recorded");
    let load = captured.span("load").expect("recorded");
    assert_eq!(
        fetch
            .attribute("attempts")
            .map(ToString::to_string)
            .as_deref(),
        Some("2")
    );
    assert!(fetch.attribute("cache.hit").is_none());
    assert_eq!(
        load.attribute("cache.hit")
            .map(ToString::to_string)
            .as_deref(),
        Some("true")
    );
    assert_eq!(load.parent_span_id, Some(fetch.span_id));
}
