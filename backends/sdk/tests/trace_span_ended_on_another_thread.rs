//! A span started on one thread and ended on another (a std thread, and a
//! task migrating between tokio workers) is recorded exactly once, with its
//! ids, its parent and both timestamps.

mod common;

use std::time::{Duration, Instant};

use omniscope::{span, FutureExt, Span};
use omniscope_sdk::export::InMemoryHandle;
use omniscope_sdk::trace::{SdkTracer, SpanData};

fn only(spans: &InMemoryHandle<SpanData>, name: &str) -> Vec<SpanData> {
    spans
        .items()
        .into_iter()
        .filter(|s| s.name == name)
        .collect()
}

#[test]
fn ended_on_another_thread() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
    omniscope::set_tracer(tracer.clone()).ok().unwrap();
    let deadline = || Instant::now() + Duration::from_secs(10);

    // std thread: started here, attribute and end over there.
    let root = span!("root");
    let moved: Span = span!("moved").exit();
    let moved_ids = moved
        .context()
        .map(|c| (c.trace_id(), c.span_id()))
        .unwrap();
    std::thread::spawn(move || {
        moved.set_attribute("where", "other thread");
        std::thread::sleep(Duration::from_millis(1));
        drop(moved);
    })
    .join()
    .unwrap();
    let root_ids = root.context().map(|c| (c.trace_id(), c.span_id())).unwrap();
    drop(root);
    tracer.flush(deadline()).unwrap();
    let moved_spans = only(&spans, "moved");
    assert_eq!(moved_spans.len(), 1, "recorded once");
    let m = &moved_spans[0];
    assert_eq!((m.context.trace_id(), m.context.span_id()), moved_ids);
    assert_eq!(m.parent_span_id, Some(root_ids.1));
    assert_eq!(
        m.attributes.get("where").and_then(|v| v.as_str()),
        Some("other thread")
    );
    assert!(m.end_time.duration_since(m.start_time).unwrap() >= Duration::from_millis(1));

    // tokio: many tasks, each span crosses `.await`s (and usually workers).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..64u64 {
            tasks.push(tokio::spawn(
                async move {
                    for _ in 0..3 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        tokio::task::yield_now().await;
                    }
                    let _inner = span!("inner", i = i);
                }
                .in_span(span!("task")),
            ));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    drop(rt);
    tracer.flush(deadline()).unwrap();
    let all = spans.items();
    let tasks: Vec<_> = all.iter().filter(|s| s.name == "task").collect();
    let inners: Vec<_> = all.iter().filter(|s| s.name == "inner").collect();
    assert_eq!((tasks.len(), inners.len()), (64, 64));
    let mut ids: Vec<_> = tasks.iter().map(|s| s.context.span_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 64, "each task span once");
    for inner in inners {
        let parent = tasks
            .iter()
            .find(|t| Some(t.context.span_id()) == inner.parent_span_id)
            .unwrap();
        assert_eq!(parent.context.trace_id(), inner.context.trace_id());
        assert!(parent.start_time <= inner.start_time && inner.end_time <= parent.end_time);
        assert!(
            parent.end_time.duration_since(parent.start_time).unwrap() >= Duration::from_millis(3)
        );
    }
}
