//! Regression test for issue #11: spans started after the tracer shut down
//! are not recorded, and each is counted as dropped (`reason="shutdown"`)
//! in every pipeline, as log records are; so `produced = exported +
//! dropped` holds for spans too.

use std::time::{Duration, Instant};

use omniscope::span;
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::trace::{Sampler, SdkTracer};

#[test]
fn spans_after_shutdown_are_dropped_and_counted() {
    let (a, got_a) = InMemoryExporter::with_capacity("a", 1000);
    let (b, got_b) = InMemoryExporter::with_capacity("b", 1000);
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(a))
        .with_exporter(Box::new(b))
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    const BEFORE: u64 = 10;
    const AFTER: u64 = 7;
    for i in 0..BEFORE {
        let _s = span!("before", i = i);
    }
    tracer
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    for i in 0..AFTER {
        let outer = span!("after", i = i);
        let _inner = span!("after_child");
        assert!(!outer.is_recording());
    }

    assert_eq!(got_a.items().len() as u64, BEFORE);
    assert_eq!(got_b.items().len() as u64, BEFORE);
    for stats in tracer.pipeline_stats() {
        assert_eq!(stats.exported, BEFORE, "{stats:?}");
        assert_eq!(stats.dropped.shutdown, 2 * AFTER, "{stats:?}");
        assert_eq!(
            stats.exported + stats.dropped.total(),
            BEFORE + 2 * AFTER,
            "produced = exported + dropped: {stats:?}"
        );
    }
}
