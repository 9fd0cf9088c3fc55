//! Acceptance: on a multi-threaded tokio runtime, a span's context survives
//! many `.await` points and moves between worker threads with its task;
//! spawned work carries it when asked to; nothing leaks onto the workers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

use common::{all_levels_compiled_in, IdTracer};
use omniscope::context::current_ids;
use omniscope::{counter, info, span, FutureExt, Level, Span, SpanId, TraceId};

const TASKS: usize = 32;
const AWAITS: usize = 120;

type Ids = (TraceId, SpanId);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap()
}

/// The one global install of this process, shared by its tests.
fn tracer() -> &'static IdTracer {
    static TRACER: OnceLock<IdTracer> = OnceLock::new();
    TRACER.get_or_init(|| {
        let tracer = IdTracer::default();
        omniscope::set_tracer(tracer.clone()).unwrap();
        tracer
    })
}

/// What one instrumented task saw.
struct Seen {
    threads: HashSet<ThreadId>,
}

/// Awaits many times, checking the current ids at every resumption, and
/// hands its context to spawned tasks, a child span and a std thread.
async fn request(expected: Ids, n: usize) -> Seen {
    let mut threads = HashSet::new();
    for i in 0..AWAITS {
        assert_eq!(current_ids(), Some(expected), "await point {i}");
        threads.insert(std::thread::current().id());
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        } else {
            tokio::task::yield_now().await;
        }
    }
    info!("request done"; n);
    counter!("requests_total").increment(1);

    // A spawned task carries the context when asked to...
    let carried = tokio::spawn(
        async {
            tokio::task::yield_now().await;
            info!("in a spawned task");
            current_ids()
        }
        .in_current_span(),
    );
    assert_eq!(carried.await.unwrap(), Some(expected));
    // ...and not otherwise: a plain spawn starts from an empty context.
    let plain = tokio::spawn(async { current_ids() });
    assert_eq!(plain.await.unwrap(), None);

    // A std thread started with `context::spawn` carries it too.
    let from_thread = omniscope::context::spawn(current_ids).join().unwrap();
    assert_eq!(from_thread, Some(expected));

    // A child span is current inside its future, then the parent again.
    // (Held as a `Span`: a `SpanGuard` variable is `!Send`, and the compiler
    // counts it as alive across the `.await` even once it is moved.)
    let child: Span = span!("step", n).into();
    let child_ids = child.context().map(|c| (c.trace_id(), c.span_id()));
    let in_child = async {
        tokio::task::yield_now().await;
        current_ids()
    }
    .in_span(child)
    .await;
    assert_eq!(in_child, child_ids);
    assert_eq!(in_child.map(|(t, _)| t), Some(expected.0));
    assert_eq!(current_ids(), Some(expected));
    Seen { threads }
}

/// Starts `TASKS` instrumented requests at once (many concurrent tasks make
/// migration between the 4 workers near certain), plus probes that check
/// that the workers' context between polls is empty.
async fn run_all() -> Vec<(Ids, Seen)> {
    let mut probes = Vec::new();
    for _ in 0..TASKS {
        probes.push(tokio::spawn(async {
            for _ in 0..AWAITS {
                assert_eq!(current_ids(), None, "context leaked onto a worker");
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut tasks = Vec::new();
    for n in 0..TASKS {
        let span = span!("request", n);
        let ids = span.context().map(|c| (c.trace_id(), c.span_id())).unwrap();
        tasks.push((ids, tokio::spawn(request(ids, n).in_span(span))));
    }
    // Entering the spans above left nothing behind here.
    assert_eq!(current_ids(), None);
    let mut seen = Vec::new();
    for (ids, task) in tasks {
        seen.push((ids, task.await.unwrap()));
        assert_eq!(current_ids(), None);
    }
    for probe in probes {
        probe.await.unwrap();
    }
    seen
}

fn report_migration(seen: &[(Ids, Seen)]) {
    let migrated = seen.iter().filter(|(_, s)| s.threads.len() > 1).count();
    let workers: HashSet<_> = seen.iter().flat_map(|(_, s)| s.threads.iter()).collect();
    // The checks in `request` held across thread changes whenever a task
    // moved; the scheduler decides whether one did, so this only reports.
    eprintln!(
        "{migrated} of {} tasks ran on more than one thread; {} threads polled them",
        seen.len(),
        workers.len()
    );
}

#[test]
fn span_context_survives_awaits_and_migration() {
    if !all_levels_compiled_in() {
        return;
    }
    let tracer = tracer();
    let rt = runtime();
    let seen = rt.block_on(run_all());
    report_migration(&seen);
    assert_eq!(current_ids(), None);

    // Each request span ended once its future completed, and every id the
    // tasks saw is the one the tracer assigned.
    let spans = tracer.spans();
    for (ids, _) in &seen {
        let span = spans
            .iter()
            .find(|s| (s.context.trace_id(), s.context.span_id()) == *ids)
            .unwrap();
        assert_eq!(span.name, "request");
        assert!(span.ended);
        let steps: Vec<_> = spans.iter().filter(|s| s.parent == Some(ids.1)).collect();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].name, "step");
        assert!(steps[0].ended);
    }
}

#[test]
fn capture_records_work_spawned_onto_other_workers() {
    if !all_levels_compiled_in() {
        return;
    }
    // A capture takes precedence over the installed tracer where its
    // context is current.
    let _ = tracer();
    let rt = runtime();
    let mut seen = Vec::new();
    let captured = omniscope::testing::capture(|| {
        // `block_on` polls on this thread, where the capture is current;
        // each task carries it inside its span's context.
        seen = rt.block_on(async {
            let mut tasks = Vec::new();
            for n in 0..TASKS {
                let span = span!("request", n);
                let ids = span.context().map(|c| (c.trace_id(), c.span_id())).unwrap();
                tasks.push((ids, tokio::spawn(request(ids, n).in_span(span))));
            }
            let mut seen = Vec::new();
            for (ids, task) in tasks {
                seen.push((ids, task.await.unwrap()));
            }
            seen
        });
    });
    report_migration(&seen);

    assert_eq!(captured.spans().len(), 2 * TASKS);
    assert!(captured.spans().iter().all(|s| s.ended));
    assert_eq!(captured.counter("requests_total", &[]), Some(TASKS as u64));
    let logs = captured.logs();
    assert_eq!(logs.len(), 2 * TASKS);
    for (ids, _) in &seen {
        let span = captured
            .spans()
            .iter()
            .find(|s| (s.trace_id, s.span_id) == *ids)
            .unwrap();
        assert_eq!(span.name, "request");
        assert_eq!(captured.children_of(span).len(), 1);
        let own: Vec<_> = logs
            .iter()
            .filter(|l| (l.trace_id, l.span_id) == (Some(ids.0), Some(ids.1)))
            .collect();
        assert_eq!(own.len(), 2, "a task's two logs carry its span's ids");
        assert!(own.iter().all(|l| l.level == Level::Info));
    }
    // The global tracer saw none of it.
    assert!(tracer().spans().iter().all(|s| !seen
        .iter()
        .any(|(ids, _)| s.context.span_id() == ids.1 && s.context.trace_id() == ids.0)));
}
