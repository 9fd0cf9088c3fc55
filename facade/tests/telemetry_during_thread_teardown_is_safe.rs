//! Telemetry from thread-local destructors (a connection pool in a
//! `thread_local!` that logs and spans when the thread exits) runs while
//! the facade's own thread-locals may already be gone. It must not panic
//! (a panic in a thread-local destructor aborts the process).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};

use common::{all_levels_compiled_in, IdTracer, RecordingHandler, RecordingLogger};
use omniscope::{counter, handle_error, info, span, Context, FutureExt, LevelFilter};

static DROPS: AtomicUsize = AtomicUsize::new(0);

/// Emits every kind of telemetry from its destructor.
struct EmitsOnDrop;

impl Drop for EmitsOnDrop {
    fn drop(&mut self) {
        let cx = Context::current();
        let _attached = cx.clone().attach();
        let _s = span!("teardown");
        info!("thread exiting"; n = 1);
        handle_error!(&std::fmt::Error);
        counter!("teardown_total").increment(1);
        let _ = omniscope::context::current_ids();
        let mut fut = pin!(async { 1 }.in_current_span());
        let polled = fut
            .as_mut()
            .poll(&mut TaskContext::from_waker(Waker::noop()));
        assert_eq!(polled, Poll::Ready(1));
        let _ = omniscope::testing::capture(|| info!("captured at teardown"));
        omniscope::context::spawn(|| ()).join().unwrap();
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

thread_local! {
    static BEFORE: EmitsOnDrop = const { EmitsOnDrop };
    static AFTER: EmitsOnDrop = const { EmitsOnDrop };
}

#[test]
fn thread_local_destructors_may_emit() {
    let logger = RecordingLogger::new(LevelFilter::Trace);
    omniscope::set_logger(logger.clone()).unwrap();
    omniscope::set_tracer(IdTracer::default()).unwrap();
    omniscope::set_error_handler(RecordingHandler::default()).unwrap();
    // One destructor registered before the facade's thread-locals and one
    // after: whatever order std runs them in, one runs after the facade's
    // are gone.
    std::thread::spawn(|| {
        BEFORE.with(|_| ());
        let _s = span!("work");
        info!("working");
        AFTER.with(|_| ());
    })
    .join()
    .unwrap();
    assert_eq!(DROPS.load(Ordering::Relaxed), 2);
    if all_levels_compiled_in() {
        // And the logs are not lost. (Once the context thread-local is gone,
        // no context can be attached, so a capture there sees nothing and
        // its logs go to the installed logger.)
        let messages = logger.messages();
        let exiting = messages.iter().filter(|m| *m == "thread exiting");
        assert_eq!(exiting.count(), 2, "{messages:?}");
    }
}
