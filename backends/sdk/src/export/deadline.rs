//! Adding time without overflow: waits and timeouts come from users and
//! servers (`Duration::MAX`, `Retry-After: 18446744073709551615`), and
//! `Instant + Duration` panics when the sum is past what the clock can
//! represent.

use std::time::{Duration, Instant};

/// `from + wait`, or the latest instant the clock can represent past
/// `from` when the sum overflows: an unreachable deadline, never a panic.
pub(crate) fn instant_after(from: Instant, wait: Duration) -> Instant {
    if let Some(at) = from.checked_add(wait) {
        return at;
    }
    // Approach the limit by halving steps: each step size is added at most
    // once, so this takes at most ~94 rounds (the bits of a `Duration`).
    let (mut at, mut step) = (from, wait);
    while !step.is_zero() {
        match at.checked_add(step) {
            Some(later) => at = later,
            None => step /= 2,
        }
    }
    at
}

/// [`instant_after`] from now.
pub(crate) fn after(wait: Duration) -> Instant {
    instant_after(Instant::now(), wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_and_saturates() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(instant_after(now, second), now + second);
        let far = instant_after(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(1_000_000_000));
        assert_eq!(far.checked_add(Duration::from_secs(u64::MAX)), None);
        assert_eq!(instant_after(far, Duration::MAX), far);
        assert!(after(Duration::MAX) >= far);
    }
}
