//! `counter!` call sites that keep this thread's cell.
//!
//! A backend with per-thread counter cells (the SDK has them, so that two
//! threads never write one cache line) can hand a call site the calling
//! thread's cell of a series ([`CounterFn::thread_cell`]). The site keeps it
//! in a thread-local of its own, with the thread's [epoch](retire_thread_cells)
//! at the time, and from then on an increment on that thread is the
//! dispatch state's load, two thread-pointer-relative loads and the cell's
//! load and store: no handle, no dynamic call, no lookup in the backend's
//! tables. Before, the same increment read the site's `OnceLock`, the
//! handle's `Arc` and vtable, called the backend, which read its
//! thread-local table and the chunk: 3.5 ns where a bare `fetch_add` takes
//! 2.1–2.4 and the `metrics` crate 1.9 (Zen 4); now 0.85 ns.
//!
//! A backend retires the cells it handed out on a thread (thread exit, a
//! table reused for another meter) by bumping that thread's epoch first:
//! every site's copy is then stale, and the next increment takes the
//! handle's path again.
//!
//! [`CounterFn::thread_cell`]: super::CounterFn::thread_cell

use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread::LocalKey;

use super::LazyCounter;
use crate::global::{self, Signal};

thread_local! {
    /// This thread's cell epoch: a site's copy of a cell holds while it
    /// equals this. Starts at 1, so that a site that never cached a cell
    /// (epoch 0) misses without a null check. A `const` initializer and
    /// no destructor: reading it is one thread-pointer-relative load, valid
    /// while the thread's other thread-locals are being destroyed.
    static EPOCH: Cell<u64> = const { Cell::new(1) };
}

/// One counter cell of the current thread, handed to a call site by
/// [`CounterFn::thread_cell`](super::CounterFn::thread_cell).
///
/// Neither `Send` nor `Sync`: it belongs to the thread that made it.
#[derive(Debug)]
pub struct ThreadCell(NonNull<AtomicU64>);

impl ThreadCell {
    /// The current thread's cell `cell`, which the call site will add to
    /// with a relaxed load and store, on this thread only.
    ///
    /// # Safety
    ///
    /// Until this thread calls [`retire_thread_cells`] or exits, `cell`
    /// must stay allocated and no other thread may write it (other threads
    /// may read it, as a collector does). Its value must mean this series'
    /// count on this thread for as long.
    pub unsafe fn new(cell: &AtomicU64) -> ThreadCell {
        ThreadCell(NonNull::from(cell))
    }
}

/// Makes every cell handed out on the current thread by
/// [`CounterFn::thread_cell`](super::CounterFn::thread_cell) stale: call
/// it before such a cell is freed or starts to mean something else. Valid
/// during thread teardown too.
pub fn retire_thread_cells() {
    EPOCH.with(|epoch| epoch.set(epoch.get() + 1));
}

/// A call site's copy of this thread's cell (see the module doc). Not
/// public API: the `counter!` macro declares one per site in a
/// thread-local.
#[doc(hidden)]
#[derive(Debug)]
pub struct SiteCell {
    /// The thread's epoch when `cell` was taken; 0 until then.
    epoch: Cell<u64>,
    cell: Cell<*const AtomicU64>,
}

impl SiteCell {
    /// An empty copy.
    pub const fn new() -> SiteCell {
        SiteCell {
            epoch: Cell::new(0),
            cell: Cell::new(ptr::null()),
        }
    }
}

impl Default for SiteCell {
    fn default() -> SiteCell {
        SiteCell::new()
    }
}

/// What [`counter!`](crate::counter) with a literal name and labels
/// returns: the site's [`LazyCounter`] and its copy of this thread's cell.
///
/// Dereferences to the [`LazyCounter`].
#[derive(Clone, Copy)]
pub struct CounterSite {
    lazy: &'static LazyCounter,
    cell: &'static LocalKey<SiteCell>,
}

impl CounterSite {
    /// The site of `lazy`, keeping its cells in `cell`. Not public API:
    /// a `cell` shared by two counters would mix their counts.
    #[doc(hidden)]
    pub const fn new(lazy: &'static LazyCounter, cell: &'static LocalKey<SiteCell>) -> CounterSite {
        CounterSite { lazy, cell }
    }

    /// Adds `value`.
    #[inline]
    pub fn increment(self, value: u64) {
        self.add(&value);
    }

    /// [`increment`](Self::increment), `value` read where it is used
    /// (after the state check: an argument that the caller keeps in memory
    /// is then not loaded when nothing is installed).
    #[inline(always)]
    fn add(self, value: &u64) {
        let state = global::state() & (Signal::Meter.bit() | global::SCOPED);
        if state == 0 {
            return;
        }
        // With a capture active the cell is not the destination: the
        // handle's path finds the capture's.
        if state == Signal::Meter.bit() {
            let epoch = EPOCH.with(Cell::get);
            let cached = self.cell.with(|site| {
                if site.epoch.get() != epoch {
                    return false;
                }
                // SAFETY: `site.epoch` equals the thread's epoch only after
                // `increment_slow` stored both from a `ThreadCell` made on
                // this thread (the thread-local is this thread's), and the
                // epoch has not moved since: by `ThreadCell::new`'s
                // contract the cell is still allocated, still this
                // series' count for this thread, and written by no other
                // thread, so a load and a store lose nothing.
                let cell = unsafe { &*site.cell.get() };
                cell.store(cell.load(Relaxed).wrapping_add(*value), Relaxed);
                true
            });
            if cached {
                return;
            }
        }
        self.increment_slow(*value);
    }

    /// First use on this thread, a capture active, or no cell to keep:
    /// the handle's path, then the cell kept if the backend has one.
    #[cold]
    #[inline(never)]
    fn increment_slow(self, value: u64) {
        self.lazy.increment(value);
        if global::state() & (Signal::Meter.bit() | global::SCOPED) != Signal::Meter.bit() {
            return;
        }
        let Some(cell) = self.lazy.bound().and_then(|h| h.thread_cell()) else {
            return;
        };
        // Read after `thread_cell`, which may retire this thread's cells.
        let epoch = EPOCH.with(Cell::get);
        let _ = self.cell.try_with(|site| {
            site.cell.set(cell.0.as_ptr());
            site.epoch.set(epoch);
        });
    }
}

impl std::ops::Deref for CounterSite {
    type Target = LazyCounter;

    fn deref(&self) -> &LazyCounter {
        self.lazy
    }
}

impl std::fmt::Debug for CounterSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CounterSite").field(self.lazy).finish()
    }
}
