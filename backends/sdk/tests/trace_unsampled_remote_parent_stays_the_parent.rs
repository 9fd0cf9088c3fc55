//! Issue #12: with the SDK installed (the default sampler, parent-based),
//! a request whose caller decided not to sample stays in the caller's
//! trace: a span started under that remote parent records nothing, and the
//! calls made in it, in a future or on the thread, send the parent's trace
//! id with sampled 0 (and random as received) and its `tracestate`, not a
//! new sampled trace. Nothing is exported for it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use omniscope::propagation::{self, parse_traceparent, Propagator, TraceContextPropagator};
use omniscope::trace::SpanSite;
use omniscope::{span, Context, FutureExt, Span, SpanKind};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::trace::SdkTracer;

static SERVER: SpanSite =
    SpanSite::new("GET /orders", module_path!(), file!(), line!()).with_kind(SpanKind::Server);

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACESTATE: &str = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

/// The context a server extracts from its caller's headers.
fn extracted(flags: &str) -> Context {
    let mut headers = HashMap::new();
    headers.insert(
        "traceparent".to_owned(),
        format!("00-{TRACE}-00f067aa0ba902b7-{flags}"),
    );
    headers.insert("tracestate".to_owned(), TRACESTATE.to_owned());
    TraceContextPropagator.extract(Context::new(), &headers)
}

/// The headers of a call made now, under a client span of its own.
fn call_downstream() -> HashMap<String, String> {
    let _client = span!(kind: SpanKind::Client, "GET /stock");
    let mut headers = HashMap::new();
    propagation::inject_current(&mut headers);
    headers
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

fn assert_in_the_callers_trace(headers: &HashMap<String, String>, flags: u8) {
    let traceparent = headers.get("traceparent").expect("a traceparent is sent");
    let (trace_id, _, sent) = parse_traceparent(traceparent).unwrap();
    assert_eq!(trace_id.to_string(), TRACE, "a new trace: {traceparent}");
    assert_eq!(sent.to_u8(), flags, "{traceparent}");
    assert_eq!(
        headers.get("tracestate").map(String::as_str),
        Some(TRACESTATE)
    );
}

#[test]
fn the_callers_decision_not_to_sample_holds_downstream() {
    let (exporter, exported) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    for (flags, byte) in [("00", 0x00), ("02", 0x02)] {
        let parent = extracted(flags);

        // The handler as a future (what an async server runs).
        let server = Span::start_in(&parent, &SERVER, None, &[]);
        assert!(!server.is_recording());
        let headers = block_on(async { call_downstream() }.in_span(server));
        assert_in_the_callers_trace(&headers, byte);

        // The handler on a thread.
        let server = Span::start_in(&parent, &SERVER, None, &[]);
        let headers = std::thread::spawn(move || {
            let _entered = server.enter();
            call_downstream()
        })
        .join()
        .unwrap();
        assert_in_the_callers_trace(&headers, byte);
    }

    // A sampled caller: the server span is recorded in the caller's trace,
    // with the caller's random flag, and the call goes out under it.
    let server = Span::start_in(&extracted("03"), &SERVER, None, &[]);
    assert!(server.is_recording());
    let headers = block_on(async { call_downstream() }.in_span(server));
    assert_in_the_callers_trace(&headers, 0x03);

    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let spans = exported.items();
    assert!(spans
        .iter()
        .all(|s| s.context.trace_id().to_string() == TRACE));
    assert!(
        spans.iter().all(|s| s.context.is_sampled()),
        "only the sampled request is exported"
    );
    assert!(spans
        .iter()
        .any(|s| s.name == "GET /orders" && s.parent_is_remote));
}
