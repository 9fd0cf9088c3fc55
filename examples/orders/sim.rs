//! The simulated world behind the service: randomness, latency and the
//! failure rates of the dependencies (inventory database, payment gateway,
//! carrier). Nothing here knows about telemetry.

use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often each dependency fails, as probabilities in `0.0..=1.0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Faults {
    /// The inventory database is unreachable (internal error).
    pub(crate) inventory_down: f64,
    /// An item is out of stock (user error).
    pub(crate) out_of_stock: f64,
    /// The payment gateway times out (internal error).
    pub(crate) gateway_timeout: f64,
    /// The carrier rejects a shipment (internal error, in the worker).
    pub(crate) carrier_down: f64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            inventory_down: 0.01,
            out_of_stock: 0.05,
            gateway_timeout: 0.03,
            carrier_down: 0.02,
        }
    }
}

/// A seeded source of randomness and latency, shared by the tasks of one
/// dependency. Draws are lock-free (SplitMix64 over an atomic counter);
/// with a fixed seed, the same sequence of draws gives the same values.
#[derive(Debug)]
pub(crate) struct Sim {
    state: AtomicU64,
    faults: Faults,
    latency: bool,
}

impl Sim {
    /// A simulation with the default faults and latencies.
    pub(crate) fn new(seed: u64) -> Sim {
        Sim {
            state: AtomicU64::new(seed),
            faults: Faults::default(),
            latency: true,
        }
    }

    /// This simulation with other failure rates.
    /// The same world, with this share of charges left unanswered by the
    /// payment gateway (`--gateway-timeouts`).
    pub(crate) fn with_gateway_timeouts(mut self, ratio: f64) -> Sim {
        self.faults.gateway_timeout = ratio;
        self
    }

    #[cfg(test)]
    pub(crate) fn with_faults(mut self, faults: Faults) -> Sim {
        self.faults = faults;
        self
    }

    /// This simulation without artificial latency (for tests).
    #[cfg(test)]
    pub(crate) fn without_latency(mut self) -> Sim {
        self.latency = false;
        self
    }

    /// A new simulation whose draws are independent of this one's.
    pub(crate) fn fork(&self) -> Sim {
        Sim {
            state: AtomicU64::new(self.next_u64()),
            faults: self.faults,
            latency: self.latency,
        }
    }

    /// The failure rates.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The next random number (SplitMix64).
    pub(crate) fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&self, p: f64) -> bool {
        // The top 53 bits make a uniform f64 in [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64;
        unit < p
    }

    /// A uniform number in `range`.
    pub(crate) fn between(&self, range: RangeInclusive<u64>) -> u64 {
        let span = range.end().saturating_sub(*range.start()).saturating_add(1);
        range.start() + self.next_u64() % span
    }

    /// One of `items` (`None` if there are none).
    pub(crate) fn pick<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(items.len()).ok().filter(|&n| n > 0)?;
        let index = usize::try_from(self.next_u64() % len).ok()?;
        items.get(index)
    }

    /// Sleeps for a uniform number of milliseconds in `millis` (not at all
    /// without latency).
    pub(crate) async fn delay(&self, millis: RangeInclusive<u64>) {
        let pause = Duration::from_millis(self.between(millis));
        if self.latency {
            tokio::time::sleep(pause).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_draws() {
        let (a, b) = (Sim::new(7), Sim::new(7));
        let draws = |s: &Sim| (0..8).map(|_| s.next_u64()).collect::<Vec<_>>();
        assert_eq!(draws(&a), draws(&b));
        assert_ne!(draws(&a), draws(&Sim::new(8)));
    }

    #[test]
    fn draws_stay_in_range() {
        let sim = Sim::new(1);
        for _ in 0..1000 {
            assert!((3..=5).contains(&sim.between(3..=5)));
        }
        assert_eq!(sim.between(4..=4), 4);
        assert!(sim.pick::<u8>(&[]).is_none());
        assert!(!sim.chance(0.0));
        assert!(sim.chance(1.0));
    }
}
