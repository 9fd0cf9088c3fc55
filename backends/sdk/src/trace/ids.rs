//! Trace and span ids from a per-thread generator.
//!
//! Each recording thread owns an [`IdGenerator`] (wyrand: one add and one
//! 64×64→128 multiply per id, no shared state), seeded from the standard
//! library's per-process random keys (`RandomState`), the thread id, the time
//! and a process-wide counter. Ids are not cryptographic; they are unique
//! with overwhelming probability and never all-zero, so always W3C-valid.
//! Every byte of a trace id is random: the lower 8 as ratio sampling
//! requires, the right-most 7 as W3C Trace Context Level 2's `random` flag
//! promises, which the tracer therefore sets on every root.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use omniscope::{SpanId, TraceId};

/// A fast, non-cryptographic generator of W3C trace and span ids.
///
/// The tracer keeps one per thread; it is public so that tests and tools
/// can make reproducible ids with [`IdGenerator::from_seed`].
#[derive(Clone, Debug)]
pub struct IdGenerator {
    state: u64,
}

static SEEDS: AtomicU64 = AtomicU64::new(0);

impl IdGenerator {
    /// A generator with a fresh random seed (different on every call).
    pub fn new() -> IdGenerator {
        let mut h = RandomState::new().build_hasher();
        std::thread::current().id().hash(&mut h);
        SEEDS.fetch_add(1, Ordering::Relaxed).hash(&mut h);
        if let Ok(d) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
            d.as_nanos().hash(&mut h);
        }
        IdGenerator::from_seed(h.finish())
    }

    /// A generator that always yields the same sequence for `seed`.
    pub const fn from_seed(seed: u64) -> IdGenerator {
        IdGenerator { state: seed }
    }

    /// The next 64 random bits (wyrand).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.state).wrapping_mul(u128::from(self.state ^ 0xe703_7ed1_a0b4_28db));
        (t >> 64) as u64 ^ t as u64
    }

    /// A new span id (never all-zero).
    #[inline]
    pub fn span_id(&mut self) -> SpanId {
        loop {
            let v = self.next_u64();
            if v != 0 {
                return SpanId::from_u64(v);
            }
        }
    }

    /// A new trace id (never all-zero; its lower 8 bytes are never zero
    /// either, which keeps it valid for every ratio sampler).
    #[inline]
    pub fn trace_id(&mut self) -> TraceId {
        let hi = self.next_u64();
        let lo = loop {
            let v = self.next_u64();
            if v != 0 {
                break v;
            }
        };
        TraceId::from_u128(u128::from(hi) << 64 | u128::from(lo))
    }
}

impl Default for IdGenerator {
    /// [`IdGenerator::new`].
    fn default() -> IdGenerator {
        IdGenerator::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_distinct() {
        let mut g = IdGenerator::from_seed(0);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let s = g.span_id();
            let t = g.trace_id();
            assert!(s.is_valid() && t.is_valid());
            assert!(seen.insert(s));
        }
        assert_ne!(IdGenerator::new().next_u64(), IdGenerator::new().next_u64());
    }
}
