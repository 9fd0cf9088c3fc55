//! The pre-init buffer is bounded: with the default configuration it keeps
//! the first 256 records at `Info` and above and the first 64 handled
//! errors, counts the rest in `preinit::dropped()`, allocates nothing once
//! full, and `disable()` frees what it holds (counting it as dropped).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use common::{all_levels_compiled_in, RecordingHandler, RecordingLogger};
use counting_alloc::allocations_in;
use omniscope::preinit::{self, DEFAULT_ERROR_CAPACITY, DEFAULT_LOG_CAPACITY};
use omniscope::{debug, handle_error, info, LevelFilter};

#[test]
fn the_buffer_keeps_what_fits_and_counts_the_rest() {
    let early = 300;
    let early_errors = 70;
    assert_eq!((DEFAULT_LOG_CAPACITY, DEFAULT_ERROR_CAPACITY), (256, 64));
    // While no logger is installed, the global filter is the buffer's level.
    assert_eq!(omniscope::max_level(), LevelFilter::Info);

    for i in 0..early_errors {
        handle_error!(&std::fmt::Error; i);
    }
    let error_overflow = early_errors - DEFAULT_ERROR_CAPACITY;
    assert_eq!(preinit::dropped(), error_overflow as u64);
    // Full: one more error is counted, and copies nothing.
    let n = allocations_in(|| handle_error!(&std::fmt::Error; extra = true));
    assert_eq!(n, 0);
    let mut dropped = error_overflow as u64 + 1;
    assert_eq!(preinit::dropped(), dropped);

    let logs = all_levels_compiled_in();
    if logs {
        for i in 0..early {
            debug!("below the buffer's level {}", i);
            info!("early {}", i; i);
        }
        dropped += (early - DEFAULT_LOG_CAPACITY) as u64;
        assert_eq!(preinit::dropped(), dropped, "debug records are not counted");
        let n = allocations_in(|| info!("one too many {}", "x"; field = "v"));
        assert_eq!(n, 0, "a full buffer copies nothing");
        dropped += 1;
        assert_eq!(preinit::dropped(), dropped);
    }

    // The first logger receives exactly what was kept, in order.
    let logger = RecordingLogger::new(LevelFilter::Trace);
    omniscope::set_logger(logger.clone()).unwrap();
    let replayed = logger.logs();
    let expected: Vec<String> = if logs {
        (0..DEFAULT_LOG_CAPACITY)
            .map(|i| format!("early {i}"))
            .collect()
    } else {
        Vec::new()
    };
    assert_eq!(logger.messages(), expected);
    assert!(replayed.iter().all(|r| r.timestamp.is_some()));

    // From now on records go to the logger, not the buffer.
    info!("live");
    assert_eq!(preinit::dropped(), dropped);
    if logs {
        assert_eq!(logger.logs().len(), DEFAULT_LOG_CAPACITY + 1);
        assert_eq!(logger.logs()[DEFAULT_LOG_CAPACITY].timestamp, None);
    }

    // Disabling frees the errors still held, counting them as dropped; a
    // handler installed afterwards receives none of them.
    preinit::disable();
    dropped += DEFAULT_ERROR_CAPACITY as u64;
    assert_eq!(preinit::dropped(), dropped);
    assert_eq!(omniscope::max_level(), LevelFilter::Trace, "the logger's");
    let handler = RecordingHandler::default();
    omniscope::set_error_handler(handler.clone()).unwrap();
    assert!(handler.reports().is_empty());
    omniscope::handle_error(&std::fmt::Error);
    assert_eq!(handler.reports().len(), 1);
    assert_eq!(preinit::dropped(), dropped);
}
