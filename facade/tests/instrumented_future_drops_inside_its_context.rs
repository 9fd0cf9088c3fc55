//! A future wrapped with `in_span` or `in_current_span` that is dropped
//! before it completes (a cancelled request, a timed-out call) is dropped
//! inside its context, so what its destructors log carries the span's ids;
//! the span ends after the future is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::task::{Context as TaskContext, Poll, Waker};

use common::{all_levels_compiled_in, IdTracer};
use omniscope::context::current_ids;
use omniscope::{span, FutureExt, SpanId, TraceId};

type Ids = Option<(TraceId, SpanId)>;

/// What the probe saw when it was dropped: the current ids, and whether
/// the span was still open.
static SEEN: Mutex<Vec<(Ids, bool)>> = Mutex::new(Vec::new());

/// Never completes; notes the context when dropped.
struct Probe(&'static IdTracer);

impl Future for Probe {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let open = self.0.spans().iter().any(|s| !s.ended);
        SEEN.lock().unwrap().push((current_ids(), open));
    }
}

fn poll_once<F: Future>(fut: &mut Pin<Box<F>>) {
    let polled = fut
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()));
    assert!(polled.is_pending());
}

#[test]
fn a_cancelled_future_is_dropped_inside_its_span() {
    if !all_levels_compiled_in() {
        return;
    }
    static TRACER: OnceLock<IdTracer> = OnceLock::new();
    let tracer = TRACER.get_or_init(IdTracer::default);
    omniscope::set_tracer(tracer.clone()).unwrap();

    let request = span!("request");
    let ids = request.context().map(|c| (c.trace_id(), c.span_id()));
    let mut fut = Box::pin(Probe(tracer).in_span(request));
    poll_once(&mut fut);
    drop(fut);
    assert_eq!(SEEN.lock().unwrap().pop(), Some((ids, true)));
    assert!(tracer.span("request").unwrap().ended);
    assert_eq!(current_ids(), None, "the caller's context is back");

    // Dropped without ever being polled, too.
    drop(Probe(tracer).in_span(span!("never_polled")));
    let never = tracer.span("never_polled").unwrap().context;
    let seen = SEEN.lock().unwrap().pop();
    assert_eq!(
        seen,
        Some((Some((never.trace_id(), never.span_id())), true))
    );

    // `in_current_span`: the context it captured, not the dropping thread's.
    let outer = span!("outer");
    let outer_ids = outer.context().map(|c| (c.trace_id(), c.span_id()));
    let fut = Box::pin(Probe(tracer).in_current_span());
    drop(outer);
    std::thread::spawn(move || drop(fut)).join().unwrap();
    assert_eq!(SEEN.lock().unwrap().pop(), Some((outer_ids, false)));
}
