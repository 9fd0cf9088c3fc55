//! Attribute buffers travel back from the exporter to the recording thread
//! and are reused: every exported span still carries exactly its own
//! attributes.

mod common;

use std::time::{Duration, Instant};

use omniscope::Value;
use omniscope_sdk::trace::SdkTracer;

#[test]
fn attributes_survive_buffer_recycling() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
    omniscope::set_tracer(tracer.clone()).unwrap();
    const N: u64 = 20_000;
    for i in 0..N {
        // Alternating shapes: a reused buffer must not keep a longer
        // predecessor's entries.
        if i % 2 == 0 {
            let _s = omniscope::span!("even", i = i, label = "short", extra = true);
        } else {
            let _s = omniscope::span!("odd", i = i);
        }
        if i % 1000 == 999 {
            tracer
                .flush(Instant::now() + Duration::from_secs(10))
                .unwrap();
        }
    }
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let mut seen = vec![false; N as usize];
    for span in spans.items() {
        let Some(Value::U64(i)) = span.attributes.get("i") else {
            panic!("span without its `i`: {:?}", span.attributes);
        };
        let expected = if i % 2 == 0 { 3 } else { 1 };
        assert_eq!(
            span.attributes.len(),
            expected,
            "span {i}: {:?}",
            span.attributes
        );
        assert!(!seen[i as usize], "span {i} exported twice");
        seen[i as usize] = true;
    }
    assert!(seen.iter().all(|s| *s), "every span exported");
}
