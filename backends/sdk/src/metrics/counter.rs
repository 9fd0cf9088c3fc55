//! Counter and up-down counter series: what the bound handles point at.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use omniscope::metrics::{CounterFn, ThreadCell, UpDownCounterFn};

use super::cells::{self, Cells, Totals, NO_CELL};
use super::padded::CachePadded;

/// A monotonic counter series: one per-thread cell (see [`cells`]) plus a
/// shared cell for exited threads and fallbacks.
pub(crate) struct CounterSeries {
    uid: u64,
    cell: u32,
    cells: Arc<Cells>,
    shared: Arc<[AtomicU64]>,
}

impl CounterSeries {
    pub(crate) fn new(uid: u64, cells: &Arc<Cells>) -> CounterSeries {
        let shared: Arc<[AtomicU64]> = Arc::new([AtomicU64::new(0)]);
        let cell = cells.allocate(1, 0, &shared).unwrap_or(NO_CELL);
        CounterSeries {
            uid,
            cell,
            cells: cells.clone(),
            shared,
        }
    }

    /// The ids this series' cells need in a [`Totals`].
    pub(crate) fn cells_end(&self) -> usize {
        if self.cell == NO_CELL {
            0
        } else {
            self.cell as usize + 1
        }
    }

    /// The total, from a collection's cell totals.
    pub(crate) fn read(&self, totals: &Totals) -> u64 {
        if self.cell == NO_CELL {
            self.shared[0].load(Relaxed)
        } else {
            totals.int(self.cell as usize)
        }
    }
}

impl CounterSeries {
    /// This thread's first use, another meter, or no cell: register the
    /// table, allocate the chunk, or fall back to the shared cell.
    #[cold]
    #[inline(never)]
    fn increment_slow(&self, value: u64) {
        if self.cell != NO_CELL
            && cells::with_table(self.uid, &self.cells, |t| t.add(self.cell as usize, value))
                == Some(true)
        {
            return;
        }
        self.shared[0].fetch_add(value, Relaxed);
    }
}

impl CounterFn for CounterSeries {
    #[inline]
    fn increment(&self, value: u64) {
        let cell = self.cell as usize;
        if !cells::with_chunk(self.uid, cell, |chunk| chunk.add(cell, value)) {
            self.increment_slow(value);
        }
    }

    fn thread_cell(&self) -> Option<ThreadCell> {
        if self.cell == NO_CELL {
            return None;
        }
        cells::with_table(self.uid, &self.cells, |t| t.thread_cell(self.cell as usize)).flatten()
    }
}

/// An up-down counter series: the sum, and the highest sum reached.
pub(crate) struct UpDownSeries {
    hot: CachePadded<UpDownCells>,
    /// The high-water mark of earlier intervals; written only under the
    /// meter's collection lock.
    pub(crate) settled_high: AtomicI64,
}

struct UpDownCells {
    value: AtomicI64,
    /// The highest value since the last delta collection swapped it.
    high: AtomicI64,
}

impl UpDownSeries {
    pub(crate) fn new() -> UpDownSeries {
        UpDownSeries {
            hot: CachePadded::new(UpDownCells {
                value: AtomicI64::new(0),
                high: AtomicI64::new(0),
            }),
            settled_high: AtomicI64::new(0),
        }
    }

    /// The current sum.
    pub(crate) fn value(&self) -> i64 {
        self.hot.value.load(Relaxed)
    }

    /// The highest sum since start (call under the collection lock).
    pub(crate) fn high_water(&self) -> i64 {
        self.settled_high
            .load(Relaxed)
            .max(self.hot.high.load(Relaxed))
    }

    /// Ends an interval (call under the collection lock): returns the
    /// interval's high-water mark and starts the next one at the current
    /// value.
    pub(crate) fn take_interval_high(&self) -> i64 {
        let high = self.hot.high.swap(self.value(), Relaxed);
        // A concurrent `add` may have landed between the load and the swap.
        self.hot.high.fetch_max(self.value(), Relaxed);
        self.settled_high.fetch_max(high, Relaxed);
        high
    }
}

impl UpDownCounterFn for UpDownSeries {
    #[inline]
    fn add(&self, value: i64) {
        let now = self.hot.value.fetch_add(value, Relaxed).wrapping_add(value);
        if value > 0 && now > self.hot.high.load(Relaxed) {
            self.hot.high.fetch_max(now, Relaxed);
        }
    }
}
