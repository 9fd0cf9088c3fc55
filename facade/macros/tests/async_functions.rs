//! Async functions: the span starts when the function is called (its parent
//! is the caller's span), is current on every poll on whichever worker
//! thread, and records errors, panics and cancellation.

mod common;

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::spans_compiled_in;
use omniscope::context::current_ids;
use omniscope::testing::{capture, Captured, Recorder};
use omniscope::{instrument, FutureExt, Status};

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
}

fn function(name: &str) -> String {
    format!("{}::{name}", module_path!())
}

/// `function.calls` and `function.in_flight` of `name`.
fn calls_and_in_flight(captured: &Captured, name: &str) -> (Option<u64>, Option<i64>) {
    let function = function(name);
    let labels = [("function", function.as_str())];
    (
        captured.counter("function.calls", &labels),
        captured.up_down_counter("function.in_flight", &labels),
    )
}

fn durations(captured: &Captured, name: &str, outcome: &str) -> Option<usize> {
    let function = function(name);
    let labels = [("function", function.as_str()), ("outcome", outcome)];
    captured
        .histogram("function.duration", &labels)
        .map(|d| d.len())
}

#[instrument]
async fn fetch(id: u32) -> u32 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    parse(id).await + 1
}

#[instrument]
async fn parse(id: u32) -> u32 {
    tokio::task::yield_now().await;
    omniscope::info!("parsing"; id);
    id
}

#[instrument]
async fn fail(path: &str) -> io::Result<()> {
    tokio::task::yield_now().await;
    Err(io::Error::other(format!("{path} is gone")))
}

#[instrument]
async fn explode() {
    tokio::task::yield_now().await;
    panic!("async boom");
}

#[instrument]
async fn forever() {
    std::future::pending::<()>().await;
}

struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[instrument(skip(_flag))]
async fn holds(_flag: Flag) {}

/// Notes, when dropped, whether the current span is the one named `slow`
/// and whether that span had ended.
struct Probe {
    recorder: Recorder,
    seen: Arc<Mutex<Option<(bool, bool)>>>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        let captured = self.recorder.captured();
        let span = captured.span("slow");
        let current = current_ids().map(|(_, id)| id);
        let inside = span.is_some_and(|s| current == Some(s.span_id));
        let ended = span.is_some_and(|s| s.ended);
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((inside, ended));
        }
    }
}

#[instrument(skip(probe))]
async fn slow(probe: Probe) {
    let _probe = probe;
    std::future::pending::<()>().await;
}

struct Client {
    base: String,
}

impl Client {
    #[instrument(fields(base = self.base.as_str()))]
    async fn get(&self, path: &str) -> String {
        tokio::task::yield_now().await;
        format!("{}{path}", self.base)
    }
}

#[test]
fn the_span_starts_at_the_call_under_the_callers_span() {
    let rt = runtime().expect("runtime");
    let captured = capture(|| {
        let future = {
            let _caller = omniscope::span!("caller");
            parse(7)
        };
        // Awaited after the caller's span ended, on the runtime.
        assert_eq!(rt.block_on(future), 7);
    });
    assert_eq!(calls_and_in_flight(&captured, "parse"), (Some(1), Some(0)));
    if !spans_compiled_in() {
        return;
    }
    let caller = captured.span("caller").expect("recorded");
    let parse = captured.span("parse").expect("recorded");
    assert_eq!(parse.parent_span_id, Some(caller.span_id));
    assert!(parse.ended);
}

#[test]
fn spawned_calls_nest_and_log_on_worker_threads() {
    let rt = runtime().expect("runtime");
    let captured = capture(|| {
        rt.block_on(async {
            let _root = omniscope::span!("root");
            // Instrumented futures carry their span (and the capture) by themselves…
            let direct: Vec<_> = (0..4).map(|i| tokio::spawn(fetch(i))).collect();
            // …and plain async blocks carry it with `in_current_span`.
            let wrapped = tokio::spawn(async { fetch(10).await }.in_current_span());
            for handle in direct {
                handle.await.expect("task");
            }
            assert_eq!(wrapped.await.expect("task"), 11);
        });
    });
    assert_eq!(calls_and_in_flight(&captured, "fetch"), (Some(5), Some(0)));
    assert_eq!(calls_and_in_flight(&captured, "parse"), (Some(5), Some(0)));
    assert_eq!(durations(&captured, "fetch", "ok"), Some(5));
    if !spans_compiled_in() {
        return;
    }
    let root = captured.span("root").expect("recorded");
    let fetches: Vec<_> = captured
        .spans()
        .iter()
        .filter(|s| s.name == "fetch")
        .collect();
    assert_eq!(fetches.len(), 5);
    for fetch in &fetches {
        assert_eq!(fetch.parent_span_id, Some(root.span_id));
        assert_eq!(fetch.trace_id, root.trace_id);
        let children = captured.children_of(fetch);
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].name, "parse");
    }
    assert_eq!(captured.logs().len(), 5);
    for log in captured.logs() {
        let span = captured
            .spans()
            .iter()
            .find(|s| Some(s.span_id) == log.span_id)
            .expect("the log carries its span");
        assert_eq!(span.name, "parse");
    }
}

#[test]
fn an_async_error_is_recorded() {
    let rt = runtime().expect("runtime");
    let captured = capture(|| {
        let result = rt.block_on(rt.spawn(fail("/tmp/x"))).expect("task");
        assert!(result.is_err());
    });
    let name = function("fail");
    let errors = [("function", name.as_str()), ("kind", "io::Error")];
    assert_eq!(captured.counter("function.errors", &errors), Some(1));
    assert_eq!(durations(&captured, "fail", "error"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("fail").expect("recorded");
    assert_eq!(span.status, Status::error("/tmp/x is gone"));
}

#[test]
fn an_async_panic_is_recorded_while_it_unwinds() {
    let rt = runtime().expect("runtime");
    let captured = capture(|| {
        let joined = rt.block_on(rt.spawn(explode()));
        assert!(joined.expect_err("the task panicked").is_panic());
    });
    let name = function("explode");
    let labels = [("function", name.as_str())];
    assert_eq!(captured.counter("function.panics", &labels), Some(1));
    assert_eq!(
        calls_and_in_flight(&captured, "explode"),
        (Some(1), Some(0))
    );
    assert_eq!(durations(&captured, "explode", "panic"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("explode").expect("recorded");
    assert_eq!(span.status, Status::error("panicked"));
    assert!(span.has_event("panic"));
}

#[test]
fn a_dropped_future_leaves_in_flight_without_a_duration() {
    let captured = capture(|| {
        let mut future = pin!(forever());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_pending());
    });
    assert_eq!(
        calls_and_in_flight(&captured, "forever"),
        (Some(1), Some(0))
    );
    assert!(captured
        .metrics()
        .keys()
        .all(|k| k.name() != "function.duration"));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("forever").expect("recorded");
    assert!(span.ended);
    assert_eq!(span.status, Status::Unset);
}

#[test]
fn a_cancelled_body_is_dropped_inside_its_span_before_it_ends() {
    let recorder = Recorder::new();
    let seen = Arc::new(Mutex::new(None));
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        let probe = Probe {
            recorder: recorder.clone(),
            seen: seen.clone(),
        };
        let mut future = Box::pin(slow(probe));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_pending());
        // Dropped on another thread, without any context, as a runtime may.
        std::thread::scope(|s| {
            s.spawn(move || drop(future));
        });
    }
    let captured = recorder.captured();
    assert_eq!(calls_and_in_flight(&captured, "slow"), (Some(1), Some(0)));
    if !spans_compiled_in() {
        return;
    }
    let seen = *seen.lock().expect("not poisoned");
    assert_eq!(seen, Some((true, false)), "(inside the span, span ended)");
    assert!(captured.span("slow").is_some_and(|s| s.ended));
}

#[test]
fn arguments_live_as_long_as_the_future() {
    let dropped = Arc::new(AtomicBool::new(false));
    let future = holds(Flag(dropped.clone()));
    assert!(!dropped.load(Ordering::SeqCst), "moved into the future");
    let mut future = pin!(future);
    let poll = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    assert!(matches!(poll, Poll::Ready(())));
    assert!(dropped.load(Ordering::SeqCst), "dropped when it completed");
}

#[test]
fn async_methods_borrow_self() {
    let rt = runtime().expect("runtime");
    let captured = capture(|| {
        let client = Client {
            base: "http://svc".into(),
        };
        let body = rt.block_on(client.get("/orders"));
        assert_eq!(body, "http://svc/orders");
    });
    // A method: labelled `module::Client::get` (#14).
    assert_eq!(
        calls_and_in_flight(&captured, "Client::get"),
        (Some(1), Some(0))
    );
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("get").expect("recorded");
    let keys: Vec<&str> = span.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["path", "base"]);
}
