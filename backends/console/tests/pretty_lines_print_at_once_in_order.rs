//! In the pretty format (development), a log line (or a handled error's)
//! is in the target when the logging call returns — before any batch
//! timeout, with no flush — and lines appear in the order they were logged,
//! on each thread and across threads (issue #12: pretty lines waited up to
//! a second in a batch). The pipelines' batch timeout here is an hour: a
//! batched line would not be there.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler as _};
use omniscope_console::{Console, FileTarget, Format};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::PipelineConfig;
use omniscope_sdk::logs::SdkLogger;

const THREADS: u64 = 4;
const LINES: u64 = 500;

#[test]
fn pretty_lines_print_at_once_in_order() {
    let dir = common::TempDir::new();
    let path = dir.path().join("app.log");
    let console = Console::builder()
        .with_format(Format::Pretty)
        .with_target(FileTarget::new(&path))
        .build()
        .unwrap();
    let logger = SdkLogger::builder()
        .without_rate_limit()
        .with_exporter(Box::new(console.logs()))
        .with_pipeline_config(
            PipelineConfig::for_signal("logs").with_batch_timeout(Duration::from_secs(3600)),
        )
        .build()
        .unwrap();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(console.errors()))
        .with_pipeline_config(
            PipelineConfig::for_signal("errors").with_batch_timeout(Duration::from_secs(3600)),
        )
        .build()
        .unwrap();
    let read = || std::fs::read_to_string(&path).unwrap();

    omniscope::info!(logger: &logger, "first");
    assert!(
        read().contains("  first"),
        "not written at once: {:?}",
        read()
    );
    omniscope::warn!(logger: &logger, "second"; order.id = 42);
    errors.handle(&std::io::Error::other("disk full"), &ErrorContext::new(&[]));
    omniscope::info!(logger: &logger, "third");
    let text = read();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].contains("  second  order.id=42"), "{text}");
    assert!(
        lines[2].contains("ERROR ") && lines[2].contains("disk full"),
        "{text}"
    );
    assert!(lines[3].contains("  third"), "{text}");

    // Each line logged while holding the sequence: the file must show the
    // sequence in order, whichever thread logged it.
    let sequence = Mutex::new(0_u64);
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (logger, sequence) = (&logger, &sequence);
            s.spawn(move || {
                for _ in 0..LINES {
                    let mut next = sequence.lock().unwrap();
                    omniscope::info!(logger: logger, "line"; seq = *next, thread = thread);
                    *next += 1;
                }
            });
        }
    });
    let text = read();
    let seqs: Vec<u64> = text
        .lines()
        .skip(4)
        .map(|line| {
            let seq = line
                .split("seq=")
                .nth(1)
                .unwrap_or_else(|| panic!("{line}"));
            seq.split(' ').next().unwrap().parse().unwrap()
        })
        .collect();
    let expected: Vec<u64> = (0..THREADS * LINES).collect();
    assert_eq!(seqs, expected, "lines out of order or missing");

    logger
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let stats = logger.pipeline_stats();
    assert_eq!(stats.len(), 1);
    let total = THREADS * LINES + 3;
    assert_eq!(
        (
            stats[0].produced,
            stats[0].exported,
            stats[0].dropped.total()
        ),
        (total, total, 0)
    );
    errors
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    assert_eq!(errors.pipeline_stats()[0].exported, 1);
}
