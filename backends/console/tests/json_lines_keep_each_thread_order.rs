//! JSON lines may be batched, but never reordered: what each of several
//! threads logs reaches the file in the order it logged it, while the
//! batcher's ticker hands thread buffers over every millisecond (issue #12:
//! a buffer the ticker took could reach the pipeline after the chunk its
//! thread filled next).

mod common;

use std::time::{Duration, Instant};

use omniscope_console::{Console, FileTarget, Format};
use omniscope_sdk::export::PipelineConfig;
use omniscope_sdk::logs::SdkLogger;
use serde_json::Value;

const THREADS: u64 = 4;
const LINES: u64 = 25_000;

#[test]
fn json_lines_keep_each_thread_order() {
    let dir = common::TempDir::new();
    let path = dir.path().join("app.log");
    let console = Console::builder()
        .with_format(Format::Json)
        .with_target(FileTarget::new(&path))
        .build()
        .unwrap();
    let logger = SdkLogger::builder()
        .without_rate_limit()
        .with_exporter(Box::new(console.logs()))
        .with_pipeline_config(
            PipelineConfig::for_signal("logs")
                .with_queue_capacity(THREADS as usize * LINES as usize)
                .with_batch_timeout(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let logger = &logger;
            s.spawn(move || {
                for line in 0..LINES {
                    omniscope::info!(logger: logger, "line"; thread = thread, line = line);
                }
            });
        }
    });
    logger
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let mut next = [0_u64; THREADS as usize];
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        let thread = line["fields"]["thread"].as_u64().unwrap() as usize;
        let n = line["fields"]["line"].as_u64().unwrap();
        assert_eq!(
            n, next[thread],
            "thread {thread}: line {n} came out of order"
        );
        next[thread] += 1;
    }
    assert_eq!(next, [LINES; THREADS as usize], "every line was written");
}
