//! The nesting scenario across `.await` with task migration, run by the
//! layer's test and the standalone subscriber's alike.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use omniscope::FutureExt as _;
use tracing::Instrument as _;

use super::Telemetry;

const TASKS: usize = 32;
const AWAITS: usize = 8;

/// Notes the polling thread, then yields so the task may move.
async fn hop(threads: &Mutex<HashSet<std::thread::ThreadId>>) {
    threads.lock().unwrap().insert(std::thread::current().id());
    tokio::time::sleep(Duration::from_millis(1)).await;
    tokio::task::yield_now().await;
}

async fn task(i: usize, threads: &'static Mutex<HashSet<std::thread::ThreadId>>) {
    hop(threads).await;
    async {
        for _ in 0..AWAITS {
            hop(threads).await;
        }
        let inner = omniscope::Span::start_in(
            &omniscope::Context::current(),
            {
                static SITE: omniscope::SpanSite =
                    omniscope::SpanSite::new("omni inner", module_path!(), file!(), line!());
                &SITE
            },
            None,
            &[],
        );
        async {
            hop(threads).await;
            tracing::info!(task = i as u64, "in omni inner");
            async { hop(threads).await }
                .instrument(tracing::info_span!("tracing innermost", task = i as u64))
                .await;
        }
        .in_span(inner)
        .await;
        tracing::info!(task = i as u64, "in tracing middle");
    }
    .instrument(tracing::info_span!("tracing middle", task = i as u64))
    .await;
}

/// Runs the tasks on a two-worker runtime, with whatever `tracing`
/// subscriber is the global default, and checks every task's trace.
pub(crate) fn run_and_check(telemetry: &Telemetry) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let threads: Vec<&'static Mutex<HashSet<_>>> = (0..TASKS)
        .map(|_| &*Box::leak(Box::new(Mutex::new(HashSet::new()))))
        .collect();
    runtime.block_on(async {
        let handles: Vec<_> = threads
            .iter()
            .enumerate()
            .map(|(i, seen)| {
                let outer = omniscope::Span::start_in(
                    &omniscope::Context::new(),
                    {
                        static SITE: omniscope::SpanSite =
                            omniscope::SpanSite::new("omni outer", module_path!(), file!(), 0);
                        &SITE
                    },
                    None,
                    &[omniscope::Field::new(
                        "task",
                        omniscope::Value::U64(i as u64),
                    )],
                );
                tokio::spawn(task(i, seen).in_span(outer))
            })
            .collect();
        for handle in handles {
            tokio::time::timeout(Duration::from_secs(30), handle)
                .await
                .expect("the tasks finish within 30 s")
                .unwrap();
        }
    });
    drop(runtime);
    let migrated = threads
        .iter()
        .filter(|t| t.lock().unwrap().len() > 1)
        .count();
    assert!(
        migrated > 0,
        "no task ran on two threads: the test did not exercise migration"
    );

    let (spans, logs) = telemetry.take();
    let task_of = |attrs: &omniscope_sdk::Attributes| super::text(attrs.get("task"));
    for i in 0..TASKS {
        let id = Some(i.to_string());
        let find = |name: &str| {
            let found: Vec<_> = spans
                .iter()
                .filter(|s| s.name == name)
                .filter(|s| name == "omni inner" || task_of(&s.attributes) == id)
                .collect();
            found
        };
        let outer = find("omni outer");
        let middle = find("tracing middle");
        assert_eq!((outer.len(), middle.len()), (1, 1), "task {i}");
        let (outer, middle) = (outer[0], middle[0]);
        super::assert_child(middle, outer);
        let innermost = find("tracing innermost");
        assert_eq!(innermost.len(), 1, "task {i}");
        let inner = spans
            .iter()
            .find(|s| Some(s.context.span_id()) == innermost[0].parent_span_id)
            .expect("the innermost span's parent was exported");
        assert_eq!(inner.name, "omni inner", "task {i}");
        super::assert_child(inner, middle);
        super::assert_child(innermost[0], inner);
        let log = |message: &str| {
            logs.iter()
                .find(|l| l.message == message && task_of(&l.fields) == id)
                .unwrap_or_else(|| panic!("task {i}: no log `{message}`"))
        };
        super::assert_in(log("in omni inner"), inner);
        super::assert_in(log("in tracing middle"), middle);
    }
}
