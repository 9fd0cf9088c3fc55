//! Issue #12: a span started under a remote parent whose sampled flag is 0,
//! with a tracer that starts nothing under it, leaves the parent's context
//! in force: a future run `in_span`, a span entered here or on another
//! thread, all send the parent's trace id, flags (sampled 0, random as
//! received) and `tracestate` downstream, instead of a new, sampled trace.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};

use omniscope::propagation::{inject_current, parse_traceparent};
use omniscope::trace::{SpanSite, SpanStart, SpanToken, StartedSpan};
use omniscope::{
    Context, FutureExt, Span, SpanContext, SpanId, TraceFlags, TraceId, TraceState, Tracer,
};

/// Records children of sampled parents and starts nothing under unsampled
/// ones (OpenTelemetry's parent-based sampling), asked for every span.
struct ParentBased {
    next: AtomicU64,
}

impl Tracer for ParentBased {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        match start.parent() {
            Some(parent) if !parent.is_sampled() => StartedSpan::unsampled(),
            Some(parent) => StartedSpan::recording(
                SpanContext::new(parent.trace_id(), SpanId::from_u64(n), parent.flags()),
                SpanToken(n),
            ),
            None => StartedSpan::recording(
                SpanContext::new(
                    TraceId::from_u128(u128::from(n)),
                    SpanId::from_u64(n),
                    TraceFlags::SAMPLED,
                ),
                SpanToken(n),
            ),
        }
    }

    fn end(&self, _: SpanToken) {}
}

static SITE: SpanSite = SpanSite::new("call_downstream", module_path!(), file!(), line!());

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A parent from upstream: not sampled, with the `random` flag when
/// `random`, and a `tracestate`.
fn unsampled_parent(random: bool) -> Context {
    let flags = TraceFlags::new(if random { 0x02 } else { 0x00 });
    let state = TraceState::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").unwrap();
    let parent = SpanContext::new_remote(
        TraceId::from_hex(TRACE).unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        flags,
        state,
    );
    Context::new().with_remote_span(parent)
}

/// What an outgoing request made now would carry.
fn outgoing() -> HashMap<String, String> {
    let mut headers = HashMap::new();
    inject_current(&mut headers);
    headers
}

/// The headers say: the parent's trace, not sampled, random as upstream
/// said, and its `tracestate`.
fn assert_parent_kept(headers: &HashMap<String, String>, random: bool) {
    let traceparent = headers.get("traceparent").expect("a traceparent is sent");
    let (trace_id, _, flags) = parse_traceparent(traceparent).unwrap();
    assert_eq!(
        trace_id.to_string(),
        TRACE,
        "a new trace was started: {traceparent}"
    );
    assert_eq!(
        flags.to_u8(),
        if random { 0x02 } else { 0x00 },
        "{traceparent}"
    );
    assert_eq!(
        headers.get("tracestate").map(String::as_str),
        Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
    );
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut task = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut task) {
            return out;
        }
    }
}

#[test]
fn every_way_of_running_under_the_parent_keeps_it() {
    omniscope::set_tracer(ParentBased {
        next: AtomicU64::new(1),
    })
    .unwrap();

    for random in [false, true] {
        let parent = unsampled_parent(random);

        // A future run in the span makes an outgoing call under a client
        // span of its own (which, under this parent, starts nothing either).
        let span = Span::start_in(&parent, &SITE, None, &[]);
        assert!(!span.is_recording());
        assert_eq!(span.context(), None, "no span of its own was started");
        let call = async {
            let _client = omniscope::span!(kind: omniscope::SpanKind::Client, "GET /stock");
            outgoing()
        };
        assert_parent_kept(&block_on(call.in_span(span)), random);

        // The span entered on this thread.
        let guard = Span::start_in(&parent, &SITE, None, &[]).enter();
        assert_eq!(guard.context(), None);
        assert_parent_kept(&outgoing(), random);
        drop(guard);
        assert!(outgoing().is_empty(), "the parent stays only while entered");

        // The span moved to another thread and entered there.
        let span = Span::start_in(&parent, &SITE, None, &[]);
        let headers = std::thread::spawn(move || {
            let _entered = span.enter();
            outgoing()
        })
        .join()
        .unwrap();
        assert_parent_kept(&headers, random);

        // A child of the span's context is still under the parent.
        let span = Span::start_in(&parent, &SITE, None, &[]);
        let child = Span::start_in(span.as_context().unwrap(), &SITE, None, &[]);
        let headers = block_on(async { outgoing() }.in_span(child));
        assert_parent_kept(&headers, random);
    }

    // Under a sampled parent, the span is the tracer's, as before.
    let sampled = Context::new().with_remote_span(SpanContext::new_remote(
        TraceId::from_hex(TRACE).unwrap(),
        SpanId::from_u64(1),
        TraceFlags::SAMPLED,
        TraceState::new(),
    ));
    let span = Span::start_in(&sampled, &SITE, None, &[]);
    let own = span.context().expect("a recorded span");
    let headers = block_on(async { outgoing() }.in_span(span));
    let (trace_id, span_id, flags) = parse_traceparent(&headers["traceparent"]).unwrap();
    assert_eq!((trace_id, span_id), (own.trace_id(), own.span_id()));
    assert!(flags.is_sampled());

    // `Span::none()` has no parent to keep: the future runs in whatever is
    // current when it is wrapped, as documented.
    let _current = unsampled_parent(false).attach();
    let headers = block_on(async { outgoing() }.in_span(Span::none()));
    assert_parent_kept(&headers, false);
}
