//! Regression test for issue #11: an error whose `source()` chain loops
//! back to itself used to hang `error_chain` for ever, and with it the
//! application thread that reported it before any handler was installed
//! (the pre-init buffer keeps the chain). The walk stops at
//! `MAX_ERROR_CHAIN` errors.

use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use omniscope::error::{error_sources, MAX_ERROR_CHAIN};

/// Its own source. Formatting it more than `LIMIT` times means a walker
/// went far past any cap: it then parks for ever instead of letting an
/// unbounded walk fill memory, and the test's timeout reports the hang.
#[derive(Debug)]
struct Cycle {
    formatted: AtomicUsize,
}

const LIMIT: usize = 10_000;

impl Cycle {
    fn new() -> Cycle {
        Cycle {
            formatted: AtomicUsize::new(0),
        }
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.formatted.fetch_add(1, Ordering::Relaxed) > LIMIT {
            loop {
                std::thread::park();
            }
        }
        f.write_str("loops")
    }
}

impl Error for Cycle {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self)
    }
}

/// Runs `f` on its own thread; its result, or a failure if it is not back
/// within 10 s (a liveness bound: the walk takes microseconds).
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what} did not return: the cyclic chain hangs it"))
}

#[test]
fn error_chain_stops_at_the_cap() {
    let chain = finishes("error_chain", || omniscope::error_chain(&Cycle::new()));
    assert_eq!(chain.len(), MAX_ERROR_CHAIN);
    assert!(chain.iter().all(|m| m == "loops"));
}

#[test]
fn chain_message_stops_at_the_cap_and_says_each_message_once() {
    let line = finishes("chain_message", || {
        omniscope::error::chain_message("cannot send".into(), &Cycle::new())
    });
    assert_eq!(line, "cannot send: loops");
}

#[test]
fn error_sources_stops_at_the_cap() {
    let visited = finishes("error_sources", || error_sources(&Cycle::new()).count());
    assert_eq!(visited, MAX_ERROR_CHAIN);
}

#[test]
fn handling_before_install_returns() {
    // No handler is installed in this process: the error goes to the
    // pre-init buffer, which keeps its chain.
    finishes("handle_error", || omniscope::handle_error(&Cycle::new()));
}
