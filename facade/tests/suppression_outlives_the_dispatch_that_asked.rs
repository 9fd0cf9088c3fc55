//! A backend that suppresses its thread while handling a record (say, it
//! starts an export thread's work inline) keeps it suppressed after the
//! dispatch ends: the thread's telemetry stays dropped.

use std::sync::atomic::{AtomicUsize, Ordering};

struct SuppressingLogger(AtomicUsize);

impl omniscope::Logger for SuppressingLogger {
    fn log(&self, _: &omniscope::Record<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
        omniscope::suppress_current_thread();
    }
}

static LOGGER: SuppressingLogger = SuppressingLogger(AtomicUsize::new(0));

#[test]
fn suppression_outlives_the_dispatch_that_asked() {
    omniscope::set_logger(&LOGGER)
        .map_err(|_| "installed twice")
        .unwrap();
    omniscope::set_max_level(omniscope::LevelFilter::Info);
    std::thread::spawn(|| {
        assert!(!omniscope::is_dispatching());
        omniscope::info!("first: reaches the logger, which suppresses the thread");
        assert!(
            omniscope::is_dispatching(),
            "still suppressed after the dispatch"
        );
        omniscope::info!("second: dropped");
    })
    .join()
    .unwrap();
    assert_eq!(LOGGER.0.load(Ordering::Relaxed), 1);
    omniscope::info!("another thread is not suppressed");
    assert_eq!(LOGGER.0.load(Ordering::Relaxed), 2);
}
