//! A `counter!` call site keeps the thread's cell a backend hands it
//! (`CounterFn::thread_cell`): after a thread's first call, increments go
//! to that cell without calling the backend, until the backend retires the
//! thread's cells; a capture active still takes what is recorded inside
//! it. One install per process: this file is its own test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use omniscope::metrics::{self, Counter, CounterFn, Key, MetricMeta, ThreadCell};
use omniscope::Meter;

/// Counts the calls that reach the backend; hands out one cell per thread
/// call, leaked, so that it stays valid for the thread's whole life.
#[derive(Default)]
struct Series {
    calls: AtomicU64,
    called_total: AtomicU64,
    cells_handed: AtomicU64,
}

thread_local! {
    /// The cells handed to this thread, newest last.
    static CELLS: std::cell::RefCell<Vec<&'static AtomicU64>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl CounterFn for Series {
    fn increment(&self, value: u64) {
        self.calls.fetch_add(1, Relaxed);
        self.called_total.fetch_add(value, Relaxed);
    }

    fn thread_cell(&self) -> Option<ThreadCell> {
        self.cells_handed.fetch_add(1, Relaxed);
        let cell: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
        CELLS.with(|c| c.borrow_mut().push(cell));
        // SAFETY: leaked, so allocated forever; only this thread writes it
        // (the test reads it on this thread).
        Some(unsafe { ThreadCell::new(cell) })
    }
}

struct TestMeter(Arc<Series>);

impl Meter for TestMeter {
    fn counter(&self, _: &Key<'_>, _: &MetricMeta) -> Counter {
        Counter::from_arc(self.0.clone())
    }
}

fn hit(n: u64) {
    omniscope::counter!("cached_total").increment(n);
}

fn cells() -> Vec<u64> {
    CELLS.with(|c| c.borrow().iter().map(|c| c.load(Relaxed)).collect())
}

#[test]
fn the_site_adds_to_the_cell_until_it_is_retired() {
    let series = Arc::new(Series::default());
    hit(100); // nothing installed: nothing recorded, no cell asked for
    omniscope::set_meter(TestMeter(series.clone())).unwrap();

    // The first call goes to the backend and takes the cell; the next
    // ones add to the cell only.
    hit(1);
    hit(2);
    hit(3);
    assert_eq!(series.calls.load(Relaxed), 1);
    assert_eq!(series.called_total.load(Relaxed), 1);
    assert_eq!(cells(), [5]);

    // Retired: the next call goes to the backend again and takes a new cell.
    metrics::retire_thread_cells();
    hit(10);
    hit(20);
    assert_eq!(series.calls.load(Relaxed), 2);
    assert_eq!(series.called_total.load(Relaxed), 11);
    assert_eq!(cells(), [5, 20]);

    // A capture takes what is recorded inside it, not the cell.
    let captured = omniscope::testing::capture(|| hit(7));
    assert_eq!(captured.counter("cached_total", &[]), Some(7));
    hit(1);
    assert_eq!(cells(), [5, 21]);

    // Another thread has its own cell.
    std::thread::spawn(|| {
        hit(4);
        hit(4);
        assert_eq!(cells(), [4]);
    })
    .join()
    .unwrap();
    assert_eq!(series.calls.load(Relaxed), 3);
    assert_eq!(series.cells_handed.load(Relaxed), 3);
}
