//! Installing the first logger and error handler while other threads are
//! logging and reporting loses nothing: every record and error is either
//! replayed from the pre-init buffer or delivered live, exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::sync::Barrier;

use common::{all_levels_compiled_in, RecordingHandler, RecordingLogger};
use omniscope::{handle_error, info, LevelFilter};

const THREADS: usize = 4;
const EACH: usize = 5_000;

#[test]
fn records_emitted_during_the_install_arrive_exactly_once() {
    // Room for everything, so that nothing is dropped for capacity.
    omniscope::preinit::configure(THREADS * EACH, THREADS * EACH, LevelFilter::Info);
    let logger = RecordingLogger::new(LevelFilter::Info);
    let handler = RecordingHandler::default();
    let start = Barrier::new(THREADS + 1);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let start = &start;
            s.spawn(move || {
                start.wait();
                for i in 0..EACH {
                    info!("record {t} {i}");
                    handle_error!(&std::fmt::Error; t, i);
                }
            });
        }
        start.wait();
        omniscope::set_logger(logger.clone()).unwrap();
        omniscope::set_error_handler(handler.clone()).unwrap();
    });

    assert_eq!(omniscope::preinit::dropped(), 0);
    assert_eq!(handler.reports().len(), THREADS * EACH);
    if all_levels_compiled_in() {
        let mut messages = logger.messages();
        assert_eq!(messages.len(), THREADS * EACH);
        messages.sort();
        messages.dedup();
        assert_eq!(messages.len(), THREADS * EACH, "each exactly once");
    }
}
