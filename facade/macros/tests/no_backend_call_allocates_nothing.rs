//! With nothing installed, an instrumented call (sync or async, `Ok` or
//! `Err`, arguments of any type) allocates nothing and records nothing.
//!
//! A counting `#[global_allocator]` counts the allocations made on the
//! measuring thread only, so the test harness's other threads cannot
//! disturb it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use omniscope::instrument;

struct CountingAlloc;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs during thread teardown.
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` unchanged; counting touches only
// `const` thread-locals of `Cell`s, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// Its `Display` and `Debug` would allocate if they ran.
struct Expensive;

impl fmt::Display for Expensive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"x".repeat(64))
    }
}

impl fmt::Debug for Expensive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"y".repeat(64))
    }
}

#[derive(Debug)]
struct Failed;

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"z".repeat(64))
    }
}

impl std::error::Error for Failed {}

#[instrument(fields(extra = %Expensive))]
fn sync_call(id: u64, name: &str, value: &Expensive) -> u64 {
    let _ = (name, value);
    id + 1
}

#[instrument]
fn fails(value: &Expensive) -> Result<(), Failed> {
    let _ = value;
    Err(Failed)
}

#[instrument]
fn fails_with_text() -> Result<(), Expensive> {
    Err(Expensive)
}

#[instrument]
async fn async_call(id: u64, value: &Expensive) -> Result<u64, Failed> {
    let _ = value;
    if id == 0 {
        return Err(Failed);
    }
    Ok(id)
}

#[test]
fn an_instrumented_call_allocates_nothing_without_a_backend() {
    let name = String::from("ada");
    let allocations = allocations_in(|| {
        assert_eq!(sync_call(1, &name, &Expensive), 2);
        assert!(fails(&Expensive).is_err());
        assert!(fails_with_text().is_err());
        for id in [0, 1] {
            let mut future = pin!(async_call(id, &Expensive));
            let poll = future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(poll, Poll::Ready(_)));
        }
    });
    assert_eq!(allocations, 0);
}
