//! Acceptance: items pushed through `LocalBatcher`s from many threads all
//! arrive exactly once after a flush — including those still buffered by
//! threads that have exited — with several batchers (of different item
//! types) used by the same threads.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{
    Fanout, InMemoryExporter, InMemoryHandle, LocalBatcher, Pipeline, PipelineConfig,
};
use omniscope_sdk::Resource;

const THREADS: u64 = 8;
const PER_THREAD: u64 = 10_007; // not a multiple of the chunk size: every thread leaves a remainder
const CHUNK: usize = 64;

fn batcher<T: Clone + Send + Sync + 'static>(
    signal: &'static str,
) -> (Arc<LocalBatcher<T>>, InMemoryHandle<T>) {
    let (exporter, received) = InMemoryExporter::new();
    let config = PipelineConfig::default().with_queue_capacity(1_000_000);
    let pipeline = match Pipeline::spawn(
        signal,
        Box::new(exporter),
        Arc::new(Resource::empty()),
        config,
    ) {
        Ok(pipeline) => pipeline,
        Err(e) => panic!("{e}"),
    };
    (
        LocalBatcher::new(Fanout::new(vec![pipeline]), CHUNK),
        received,
    )
}

#[test]
fn items_of_all_threads_arrive_exactly_once() {
    let (spans, spans_received) = batcher::<u64>("traces");
    let (logs, logs_received) = batcher::<u32>("logs");
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (spans, logs) = (spans.clone(), logs.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    spans.push(t << 32 | i);
                    if i % 2 == 0 {
                        logs.push((t * PER_THREAD + i) as u32);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(spans.buffer_count(), THREADS as usize);

    // This thread is alive and keeps a remainder in its own buffer.
    spans.push(u64::MAX);

    let deadline = Instant::now() + Duration::from_secs(60);
    spans.flush(deadline).unwrap();
    logs.flush(deadline).unwrap();

    let got = spans_received.items();
    let unique: BTreeSet<u64> = got.iter().copied().collect();
    let mut expected: BTreeSet<u64> = (0..THREADS)
        .flat_map(|t| (0..PER_THREAD).map(move |i| t << 32 | i))
        .collect();
    expected.insert(u64::MAX);
    assert_eq!(got.len(), expected.len(), "no duplicates, nothing lost");
    assert_eq!(unique, expected);

    let logs_got: BTreeSet<u32> = logs_received.items().into_iter().collect();
    let logs_expected: BTreeSet<u32> = (0..THREADS)
        .flat_map(|t| {
            (0..PER_THREAD)
                .step_by(2)
                .map(move |i| (t * PER_THREAD + i) as u32)
        })
        .collect();
    assert_eq!(logs_received.len(), logs_expected.len());
    assert_eq!(logs_got, logs_expected);

    // Exited threads' buffers were drained and forgotten; this thread's stays.
    assert_eq!(spans.buffer_count(), 1);
    let stats = spans.stats();
    assert_eq!(stats[0].exported, THREADS * PER_THREAD + 1);
    assert_eq!(stats[0].dropped.total(), 0);
}

#[test]
fn ticker_hands_over_buffers_without_a_flush() {
    let (logs, received) = batcher::<u32>("logs");
    logs.spawn_ticker(Duration::from_millis(10)).unwrap();
    let (producer, pushed) = (logs.clone(), 5u32);
    std::thread::spawn(move || (0..pushed).for_each(|i| producer.push(i)))
        .join()
        .unwrap();

    // The pipeline's own batch timeout (1 s) then sends the partial batch.
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.len() < pushed as usize && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(received.items(), [0, 1, 2, 3, 4]);

    logs.shutdown(Instant::now() + Duration::from_secs(60))
        .unwrap();
    logs.push(9);
    assert_eq!(logs.stats()[0].dropped.shutdown, 1);
}
