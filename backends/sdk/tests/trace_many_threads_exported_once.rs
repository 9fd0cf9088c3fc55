//! 100 000 spans from 4 threads (some ended while others run, some left on
//! idle threads) are all exported, each exactly once, after `flush`.
//!
//! Under Miri (`scripts/miri`) the same scenario runs with 50 spans a thread:
//! it drives the slab's `unsafe` slot protocol and the tracer's drain into
//! export chunks from several threads at once.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use omniscope::span;
use omniscope_sdk::export::PipelineConfig;
use omniscope_sdk::trace::SdkTracer;

#[test]
fn every_span_exported_once() {
    let (tracer, spans) =
        common::recording_tracer(SdkTracer::builder().with_pipeline_config(
            PipelineConfig::for_signal("traces").with_queue_capacity(200_000),
        ));
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    const THREADS: usize = 4;
    const PER_THREAD: usize = if cfg!(miri) { 50 } else { 25_000 };
    // The threads stay alive (idle) until the flush has run: their last
    // spans sit in their slabs, and `flush` must collect them.
    let done = Arc::new(Barrier::new(THREADS + 1));
    let flushed = Arc::new(Barrier::new(THREADS + 1));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (done, flushed) = (done.clone(), flushed.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let _s = span!("work", thread = t, i = i);
                }
                done.wait();
                flushed.wait();
            })
        })
        .collect();
    done.wait();
    tracer
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();
    flushed.wait();
    for h in handles {
        h.join().unwrap();
    }

    let got = spans.items();
    assert_eq!(got.len(), THREADS * PER_THREAD);
    let unique: HashSet<_> = got.iter().map(|s| s.context.span_id()).collect();
    assert_eq!(unique.len(), THREADS * PER_THREAD, "no span twice");
    let keys: HashSet<_> = got
        .iter()
        .map(|s| {
            (
                s.attributes.get("thread").map(|v| v.to_string()),
                s.attributes.get("i").map(|v| v.to_string()),
            )
        })
        .collect();
    assert_eq!(keys.len(), THREADS * PER_THREAD, "every (thread, i) once");
    let stats = tracer.stats();
    assert_eq!(
        (stats.dropped_buffer_full, stats.dropped_unrecordable),
        (0, 0)
    );
    assert_eq!(tracer.pipeline_stats()[0].dropped.total(), 0);
}
