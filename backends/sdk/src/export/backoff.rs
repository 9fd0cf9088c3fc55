//! Exponential backoff with full jitter, from a tiny xorshift generator.
//!
//! The wait before retry `n` (0-based) is drawn uniformly from
//! `[0, min(max, initial × 2ⁿ)]` ("full jitter": retries of many clients
//! spread out instead of arriving in waves), then raised to the server's
//! `retry_after` when it gave one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The backoff ceiling before retry `attempt` (0-based).
pub(crate) fn ceiling(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
    initial.checked_mul(factor).unwrap_or(max).min(max)
}

/// The wait before retry `attempt`: full jitter below the ceiling, at least
/// `retry_after`.
pub(crate) fn delay(
    attempt: u32,
    initial: Duration,
    max: Duration,
    retry_after: Option<Duration>,
    rng: &mut XorShift,
) -> Duration {
    let jittered = rng.below(ceiling(attempt, initial, max));
    match retry_after {
        Some(after) => jittered.max(after),
        None => jittered,
    }
}

/// xorshift64*: enough randomness for jitter, no dependency.
#[derive(Debug)]
pub(crate) struct XorShift(u64);

impl XorShift {
    /// Seeded from the clock and the generator's address, never zero.
    pub(crate) fn from_time() -> XorShift {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let local = 0u8;
        let address = std::ptr::addr_of!(local) as usize as u64;
        XorShift::new(nanos ^ address.rotate_left(32))
    }

    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A duration drawn uniformly from `[0, bound]` (nanosecond resolution).
    pub(crate) fn below(&mut self, bound: Duration) -> Duration {
        let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(self.next_u64() % nanos.saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn ceiling_doubles_then_caps() {
        let (initial, max) = (100 * MS, 5000 * MS);
        let ceilings: Vec<_> = (0..8).map(|n| ceiling(n, initial, max)).collect();
        assert_eq!(
            ceilings,
            [100, 200, 400, 800, 1600, 3200, 5000, 5000]
                .map(|n| n * MS)
                .to_vec()
        );
        assert_eq!(ceiling(u32::MAX, initial, max), max);
        assert_eq!(ceiling(40, Duration::from_secs(u64::MAX / 2), max), max);
        assert_eq!(ceiling(3, Duration::ZERO, max), Duration::ZERO);
    }

    #[test]
    fn jitter_stays_below_the_ceiling_and_spreads() {
        let mut rng = XorShift::new(42);
        let waits: Vec<_> = (0..1000)
            .map(|_| delay(2, 100 * MS, 5000 * MS, None, &mut rng))
            .collect();
        assert!(waits.iter().all(|w| *w <= 400 * MS));
        assert!(waits.iter().any(|w| *w < 100 * MS));
        assert!(waits.iter().any(|w| *w > 300 * MS));
    }

    #[test]
    fn retry_after_is_a_lower_bound() {
        let mut rng = XorShift::new(7);
        for attempt in 0..10 {
            let wait = delay(attempt, MS, 10 * MS, Some(200 * MS), &mut rng);
            assert!(wait >= 200 * MS, "{wait:?}");
        }
    }

    #[test]
    fn generator_never_sticks_at_zero() {
        let mut rng = XorShift::new(0);
        assert_ne!(rng.next_u64(), 0);
        let mut timed = XorShift::from_time();
        assert_ne!(timed.next_u64(), timed.next_u64());
        assert_eq!(rng.below(Duration::ZERO), Duration::ZERO);
    }
}
