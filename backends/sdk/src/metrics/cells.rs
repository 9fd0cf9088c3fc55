//! Per-thread cells: what counters and histograms write on the hot path.
//!
//! Every counter series owns one cell id, every histogram series a run of
//! `buckets + 1` ids (its sum, then one count per bucket), in a dense id
//! space per meter. Each thread that records gets its own [`ThreadTable`]
//! of `AtomicU64` cells indexed by id, allocated in 128-byte-aligned chunks
//! of 64 cells on first use, and written **only by that thread**, with a
//! relaxed `load` and `store` (no read-modify-write, so no `lock` prefix and
//! no cache line shared with another writer). Histogram sums are f64 bits
//! in their cell.
//!
//! The hot path reaches a chunk through [`FAST`]: a `const` thread-local
//! without a destructor (so no lazy-registration check), holding the uid of
//! the thread's first meter and direct pointers to the first
//! [`FAST_CHUNKS`] chunks of its table. An increment is then one
//! thread-pointer-relative load of the uid, one of the chunk pointer, and
//! the cell's load and store. Before this cache, the same path read the
//! thread-local's state byte, the table `Arc`, and two `OnceLock` levels
//! (a state word and a pointer each): 46 instructions for a counter
//! increment, with five dependent loads before the cell. Cells past the
//! cached chunks, other meters and first uses take the table path.
//!
//! A `counter!` call site goes further: it keeps the thread's cell itself
//! (`CounterFn::thread_cell`, [`ThreadTable::thread_cell`]), in a
//! thread-local of its own, and adds to it without calling the SDK. Such
//! copies are valid until the facade's per-thread epoch moves, which
//! [`Local`]'s destructor and a table's rebind do first
//! (`omniscope::metrics::retire_thread_cells`).
//!
//! Tables are registered in the meter's [`Cells`], which the collector
//! reads under its mutex: it sums each id over the live tables plus the
//! series' *shared* cells. When a thread exits, its thread-local destructor
//! folds the table into the shared cells and unregisters it, under the same
//! mutex, so every increment is counted exactly once. The shared cells also
//! take increments made where a table is unavailable (during thread
//! teardown, or past [`MAX_CELLS`] ids), with ordinary atomic adds.

use crate::sync::lock;
use omniscope::metrics::{retire_thread_cells, ThreadCell};
use std::cell::{Cell, OnceCell, RefCell};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Cells per chunk (one allocation, 512 bytes).
const CHUNK: usize = 64;
/// Chunks per middle-level table.
const MID: usize = 64;
/// Middle-level tables per thread table.
const TOP: usize = 64;
/// The size of a meter's id space; series registered beyond it record into
/// their shared cells with atomic adds.
pub(crate) const MAX_CELLS: usize = CHUNK * MID * TOP;
/// The id of a series with no per-thread cells.
pub(crate) const NO_CELL: u32 = u32::MAX;

/// Cells per chunk: a run of up to this many ids never straddles chunks.
pub(crate) const CHUNK_CELLS: usize = CHUNK;

/// A chunk of cells on its own cache lines (128 bytes: adjacent-line
/// prefetch pairs lines on x86).
#[repr(align(128))]
pub(crate) struct Chunk([AtomicU64; CHUNK]);

impl Chunk {
    /// Adds `v` to the cell at `slot` (owner thread only: a load and a
    /// store; the collector's relaxed loads see either value).
    #[inline]
    pub(crate) fn add(&self, slot: usize, v: u64) {
        let cell = &self.0[slot % CHUNK];
        cell.store(cell.load(Relaxed).wrapping_add(v), Relaxed);
    }

    /// Adds `v` to the f64 at `slot` (owner thread only).
    #[inline]
    pub(crate) fn add_f64(&self, slot: usize, v: f64) {
        let cell = &self.0[slot % CHUNK];
        cell.store((f64::from_bits(cell.load(Relaxed)) + v).to_bits(), Relaxed);
    }
}

type Middle = [OnceLock<Box<Chunk>>; MID];

/// One thread's cells for one meter.
pub(crate) struct ThreadTable {
    top: [OnceLock<Box<Middle>>; TOP],
    /// The table of its thread's first meter (`Local::first`): the one
    /// [`FAST`] points into.
    cached: bool,
}

impl ThreadTable {
    fn new(cached: bool) -> ThreadTable {
        ThreadTable {
            top: std::array::from_fn(|_| OnceLock::new()),
            cached,
        }
    }

    /// The chunk of cell `id`, if it exists.
    #[inline]
    fn chunk(&self, id: usize) -> Option<&Chunk> {
        let middle = self.top.get(id / (CHUNK * MID))?.get()?;
        middle[(id / CHUNK) % MID].get().map(|c| &**c)
    }

    /// The cell `id`, if its chunk exists.
    #[inline]
    fn cell(&self, id: usize) -> Option<&AtomicU64> {
        self.chunk(id).map(|c| &c.0[id % CHUNK])
    }

    /// The cell `id`, allocating its chunk (owner thread only).
    #[inline]
    fn cell_mut(&self, id: usize) -> Option<&AtomicU64> {
        match self.cell(id) {
            Some(cell) => Some(cell),
            None => self.allocate(id),
        }
    }

    #[cold]
    fn allocate(&self, id: usize) -> Option<&AtomicU64> {
        let middle = self
            .top
            .get(id / (CHUNK * MID))?
            .get_or_init(|| Box::new(std::array::from_fn(|_| OnceLock::new())));
        let chunk = middle[(id / CHUNK) % MID]
            .get_or_init(|| Box::new(Chunk(std::array::from_fn(|_| AtomicU64::new(0)))));
        if self.cached {
            // Owner thread only (see `cell_mut`), so FAST is this table's.
            FAST.with(|fast| fast.set_chunk(id / CHUNK, chunk));
        }
        Some(&chunk.0[id % CHUNK])
    }

    /// Cell `id` for a call site to keep (see [`ThreadCell`]), allocating
    /// its chunk (owner thread only).
    pub(crate) fn thread_cell(&self, id: usize) -> Option<ThreadCell> {
        let cell = self.cell_mut(id)?;
        // SAFETY: only the owner thread reaches its table (`with_table`),
        // so the cell is the calling thread's and no other thread writes
        // it (`Cells::totals` only loads). Its chunk is a `Box` in a
        // `OnceLock` that is never reset, freed only with the table, which
        // the thread's `Local` holds until `Local::drop`; that drop, and a
        // `Bound::rebind` (which makes the cells count for another meter),
        // call `retire_thread_cells` before anything else, on this thread.
        Some(unsafe { ThreadCell::new(cell) })
    }

    /// Adds `v` to cell `id`. Only the owner thread calls this, so a load
    /// and a store are enough; the collector's relaxed loads see either
    /// value.
    #[inline]
    pub(crate) fn add(&self, id: usize, v: u64) -> bool {
        match self.cell_mut(id) {
            Some(cell) => {
                cell.store(cell.load(Relaxed).wrapping_add(v), Relaxed);
                true
            }
            None => false,
        }
    }

    /// Adds `v` to the f64 in cell `id` (owner thread only).
    #[inline]
    pub(crate) fn add_f64(&self, id: usize, v: f64) -> bool {
        match self.cell_mut(id) {
            Some(cell) => {
                cell.store((f64::from_bits(cell.load(Relaxed)) + v).to_bits(), Relaxed);
                true
            }
            None => false,
        }
    }

    /// Calls `f(first_id, chunk)` for every allocated chunk below `limit`.
    fn for_each_chunk(&self, limit: usize, mut f: impl FnMut(usize, &Chunk)) {
        for (t, middle) in self.top.iter().enumerate() {
            let Some(middle) = middle.get() else { continue };
            for (m, chunk) in middle.iter().enumerate() {
                let first = (t * MID + m) * CHUNK;
                if first >= limit {
                    return;
                }
                if let Some(chunk) = chunk.get() {
                    f(first, chunk);
                }
            }
        }
    }
}

/// A run of cell ids owned by one series, and its shared cells.
struct Range {
    first: usize,
    /// The first `floats` cells hold f64 bits (a histogram's sum).
    floats: usize,
    shared: Arc<[AtomicU64]>,
}

/// The cells of one meter: live thread tables and the ranges they fold into.
pub(crate) struct Cells {
    state: Mutex<CellsState>,
}

#[derive(Default)]
struct CellsState {
    tables: Vec<Arc<ThreadTable>>,
    /// Sorted by `first` (ids are handed out in increasing order).
    ranges: Vec<Range>,
    next_id: usize,
}

/// Cell totals of one collection: for every id below `len`, the sum over
/// live threads plus the shared cell, as an integer and as an f64.
pub(crate) struct Totals {
    ints: Vec<u64>,
    floats: Vec<f64>,
}

impl Totals {
    /// The integer total of cell `id`.
    pub(crate) fn int(&self, id: usize) -> u64 {
        self.ints.get(id).copied().unwrap_or(0)
    }

    /// The f64 total of cell `id`.
    pub(crate) fn float(&self, id: usize) -> f64 {
        self.floats.get(id).copied().unwrap_or(0.0)
    }
}

/// Adds `v` to the f64 in `cell` (shared cells: any thread).
pub(crate) fn atomic_add_f64(cell: &AtomicU64, v: f64) {
    let _ = cell.fetch_update(Relaxed, Relaxed, |b| {
        Some((f64::from_bits(b) + v).to_bits())
    });
}

impl Cells {
    pub(crate) fn new() -> Cells {
        Cells {
            state: Mutex::new(CellsState::default()),
        }
    }

    /// Hands out `len` ids for a series whose shared cells are `shared`
    /// (the first `floats` of them f64). A run of up to one chunk never
    /// straddles two. `None` once the id space is used up.
    pub(crate) fn allocate(
        &self,
        len: usize,
        floats: usize,
        shared: &Arc<[AtomicU64]>,
    ) -> Option<u32> {
        let mut state = lock(&self.state);
        let mut first = state.next_id;
        if len <= CHUNK && first % CHUNK + len > CHUNK {
            first = first.next_multiple_of(CHUNK);
        }
        if first + len > MAX_CELLS {
            return None;
        }
        state.next_id = first + len;
        state.ranges.push(Range {
            first,
            floats,
            shared: shared.clone(),
        });
        u32::try_from(first).ok()
    }

    /// Sums every cell below `len` (see [`Totals`]), consistently with
    /// thread exits.
    pub(crate) fn totals(&self, len: usize) -> Totals {
        let mut ints = vec![0u64; len];
        let mut floats = vec![0f64; len];
        let state = lock(&self.state);
        for table in &state.tables {
            table.for_each_chunk(len, |first, chunk| {
                let end = (first + CHUNK).min(len);
                for (id, cell) in (first..end).zip(chunk.0.iter()) {
                    let v = cell.load(Relaxed);
                    ints[id] = ints[id].wrapping_add(v);
                    floats[id] += f64::from_bits(v);
                }
            });
        }
        for range in &state.ranges {
            for (i, cell) in range.shared.iter().enumerate() {
                let id = range.first + i;
                if id >= len {
                    break;
                }
                let v = cell.load(Relaxed);
                ints[id] = ints[id].wrapping_add(v);
                floats[id] += f64::from_bits(v);
            }
        }
        Totals { ints, floats }
    }

    fn register(&self, table: Arc<ThreadTable>) {
        lock(&self.state).tables.push(table);
    }

    /// Folds an exiting thread's cells into the shared cells and forgets
    /// the table, atomically with respect to [`Cells::totals`].
    fn retire(&self, table: &Arc<ThreadTable>) {
        let mut state = lock(&self.state);
        for range in &state.ranges {
            for (i, shared) in range.shared.iter().enumerate() {
                let Some(cell) = table.cell(range.first + i) else {
                    continue;
                };
                let v = cell.load(Relaxed);
                if v == 0 {
                    continue;
                }
                if i < range.floats {
                    atomic_add_f64(shared, f64::from_bits(v));
                } else {
                    shared.fetch_add(v, Relaxed);
                }
                cell.store(0, Relaxed);
            }
        }
        state.tables.retain(|t| !Arc::ptr_eq(t, table));
    }
}

impl std::fmt::Debug for Cells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Cells")
            .field("threads", &state.tables.len())
            .field("ids", &state.next_id)
            .finish()
    }
}

/// A thread's table for one meter. The meter can change: a table whose
/// meter is gone is zeroed and reused for the next one.
struct Bound {
    uid: Cell<u64>,
    table: Arc<ThreadTable>,
    cells: RefCell<Weak<Cells>>,
}

impl Bound {
    /// A new table for `cells`; `cached` for the thread's first meter,
    /// whose table [`FAST`] then follows.
    fn new(uid: u64, cells: &Arc<Cells>, cached: bool) -> Bound {
        let table = Arc::new(ThreadTable::new(cached));
        cells.register(table.clone());
        if cached {
            FAST.with(|fast| fast.uid.set(uid));
        }
        Bound {
            uid: Cell::new(uid),
            table,
            cells: RefCell::new(Arc::downgrade(cells)),
        }
    }

    /// Rebinds this table to `cells` if its own meter is gone (and so no
    /// collector can read it any more).
    fn rebind(&self, uid: u64, cells: &Arc<Cells>) -> bool {
        let Ok(mut weak) = self.cells.try_borrow_mut() else {
            return false;
        };
        if weak.strong_count() > 0 || Arc::strong_count(&self.table) > 1 {
            return false;
        }
        // Call sites' copies of these cells would count for the new meter.
        retire_thread_cells();
        self.table.for_each_chunk(MAX_CELLS, |_, chunk| {
            for cell in &chunk.0 {
                cell.store(0, Relaxed);
            }
        });
        cells.register(self.table.clone());
        *weak = Arc::downgrade(cells);
        self.uid.set(uid);
        if self.table.cached {
            // The chunks stay (zeroed): FAST's pointers stay valid.
            FAST.with(|fast| fast.uid.set(uid));
        }
        true
    }

    fn retire(&self) {
        let cells = self.cells.borrow().upgrade();
        if let Some(cells) = cells {
            cells.retire(&self.table);
        }
    }
}

/// This thread's tables: the first meter it recorded into (the common case:
/// one meter per process) in a `OnceCell`, any others in a list.
struct Local {
    first: OnceCell<Bound>,
    others: RefCell<Vec<Bound>>,
}

impl Drop for Local {
    fn drop(&mut self) {
        // Before the table can go: later records on this thread (from other
        // thread-locals' destructors) miss FAST and call sites' cells, and
        // take the shared cells.
        retire_thread_cells();
        FAST.with(Fast::clear);
        if let Some(first) = self.first.get() {
            first.retire();
        }
        for bound in self.others.get_mut().iter() {
            bound.retire();
        }
    }
}

/// How many chunks of the first meter's table [`FAST`] reaches directly:
/// 4,096 cells (a counter takes one, a histogram its buckets + 2), in
/// 512 bytes of thread-local storage.
const FAST_CHUNKS: usize = 64;

/// The hot path's view of this thread's first table (see the module doc).
struct Fast {
    /// The uid of the meter the table belongs to; 0 (no meter has it) when
    /// there is none.
    uid: Cell<u64>,
    /// Chunk `i` of the table, or null before it is allocated.
    chunks: [Cell<*const Chunk>; FAST_CHUNKS],
}

impl Fast {
    fn set_chunk(&self, index: usize, chunk: &Chunk) {
        if let Some(slot) = self.chunks.get(index) {
            slot.set(chunk);
        }
    }

    fn clear(&self) {
        self.uid.set(0);
        for slot in &self.chunks {
            slot.set(ptr::null());
        }
    }
}

thread_local! {
    static LOCAL: Local = const {
        Local { first: OnceCell::new(), others: RefCell::new(Vec::new()) }
    };
    /// No destructor and a `const` initializer: reading it is a plain
    /// thread-pointer-relative load, valid even while the thread's other
    /// thread-locals are being destroyed.
    static FAST: Fast = const {
        Fast { uid: Cell::new(0), chunks: [const { Cell::new(ptr::null()) }; FAST_CHUNKS] }
    };
}

/// The fast path: runs `f` on the chunk holding cell `id` if this thread
/// already has it for meter `uid` (its first meter) among the cached
/// chunks. `false` otherwise, and then the caller takes the slow path
/// ([`with_table`]).
#[inline]
pub(crate) fn with_chunk(uid: u64, id: usize, f: impl FnOnce(&Chunk)) -> bool {
    FAST.with(|fast| {
        if fast.uid.get() != uid {
            return false;
        }
        let Some(chunk) = fast.chunks.get(id / CHUNK).map(Cell::get) else {
            return false;
        };
        if chunk.is_null() {
            return false;
        }
        // SAFETY: a non-null pointer in this thread's FAST was set by
        // `ThreadTable::allocate` of the table of `LOCAL.first` (the only
        // table with `cached`), from a `Box<Chunk>` inside a `OnceLock` that
        // is never reset, so the chunk neither moves nor is freed while the
        // table lives. `LOCAL.first` holds the table until `Local::drop`,
        // which clears FAST before releasing it; a rebind keeps the chunks.
        // FAST is per thread, so nothing else writes it meanwhile, and the
        // chunk is only shared as `&Chunk` (atomic cells).
        f(unsafe { &*chunk });
        true
    })
}

/// Runs `f` on this thread's table for `cells` (whose uid is `uid`),
/// creating and registering it on first use. `None` during thread teardown.
#[inline]
pub(crate) fn with_table<R>(
    uid: u64,
    cells: &Arc<Cells>,
    f: impl FnOnce(&ThreadTable) -> R,
) -> Option<R> {
    LOCAL
        .try_with(|local| match local.first.get() {
            Some(bound) if bound.uid.get() == uid => Some(f(&bound.table)),
            _ => local.with_other(uid, cells, f),
        })
        .ok()
        .flatten()
}

impl Local {
    #[cold]
    fn with_other<R>(
        &self,
        uid: u64,
        cells: &Arc<Cells>,
        f: impl FnOnce(&ThreadTable) -> R,
    ) -> Option<R> {
        let first = self.first.get_or_init(|| Bound::new(uid, cells, true));
        if first.uid.get() == uid || first.rebind(uid, cells) {
            return Some(f(&first.table));
        }
        let mut others = self.others.try_borrow_mut().ok()?;
        let found = others.iter().position(|b| b.uid.get() == uid);
        let index = match found {
            Some(i) => i,
            None => match others.iter().position(|b| b.rebind(uid, cells)) {
                Some(i) => i,
                None => {
                    others.push(Bound::new(uid, cells, false));
                    others.len() - 1
                }
            },
        };
        let table = others[index].table.clone();
        drop(others);
        Some(f(&table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(n: usize) -> Arc<[AtomicU64]> {
        (0..n).map(|_| AtomicU64::new(0)).collect()
    }

    #[test]
    fn ranges_do_not_straddle_chunks() {
        let cells = Cells::new();
        assert_eq!(cells.allocate(60, 0, &shared(60)), Some(0));
        assert_eq!(cells.allocate(13, 1, &shared(13)), Some(64));
        assert_eq!(cells.allocate(1, 0, &shared(1)), Some(77));
        assert_eq!(cells.allocate(100, 0, &shared(100)), Some(78));
    }

    #[test]
    fn the_fast_path_serves_the_first_meter_once_its_chunk_exists() {
        let cells = Arc::new(Cells::new());
        let s = shared(1);
        let id = cells.allocate(1, 0, &s).unwrap() as usize;
        let worker = {
            let cells = cells.clone();
            std::thread::spawn(move || {
                assert!(!with_chunk(9, id, |c| c.add(id, 1)));
                with_table(9, &cells, |t| assert!(t.add(id, 1)));
                for _ in 0..10 {
                    assert!(with_chunk(9, id, |c| c.add(id, 1)));
                }
                assert!(!with_chunk(10, id, |c| c.add(id, 1)));
            })
        };
        worker.join().unwrap();
        assert_eq!(cells.totals(id + 1).int(id), 11);
        assert_eq!(lock(&cells.state).tables.len(), 0);
    }

    #[test]
    fn exited_threads_are_folded_exactly_once() {
        let cells = Arc::new(Cells::new());
        let s = shared(2);
        let id = cells.allocate(2, 1, &s).unwrap() as usize;
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let cells = cells.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        with_table(7, &cells, |t| {
                            assert!(t.add_f64(id, 0.5));
                            assert!(t.add(id + 1, 1));
                        });
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        with_table(7, &cells, |t| t.add(id + 1, 5));
        let totals = cells.totals(id + 2);
        assert_eq!(totals.int(id + 1), 4005);
        assert_eq!(totals.float(id), 2000.0);
        assert_eq!(lock(&cells.state).tables.len(), 1);
    }
}
