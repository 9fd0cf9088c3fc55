//! With nothing installed, an instrumented call (sync or async, `Ok` or
//! `Err`, arguments of any type) allocates nothing and records nothing.
//!
//! A counting `#[global_allocator]` counts the allocations made on the
//! measuring thread only, so the test harness's other threads cannot
//! disturb it.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use omniscope::instrument;

// The facade's counting allocator, shared rather than copied.
#[path = "../../tests/common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_in;

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
