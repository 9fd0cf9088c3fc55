//! The SDK's clock: a raw counter read on the hot path, converted to wall
//! time only when spans and exemplars are collected.
//!
//! Reading `SystemTime` or `Instant` costs 18–32 ns on the machines we
//! measure on; a span needs two reads, a histogram sample with an exemplar
//! one. On x86-64 Linux, when the kernel
//! itself uses the TSC as its clock source (which it does only after
//! checking that the TSC is invariant and synchronized across CPUs), a
//! [`Tick`] is a raw `rdtsc` (≈ 10 ns here). Everywhere else, and under Miri,
//! a tick is nanoseconds of `Instant` since a process-wide origin.
//!
//! Ticks become `SystemTime` through a [`Calibration`]: a pair of (tick,
//! wall time) anchors and a tick rate. The rate is first measured over a
//! short sleep, then refined by every collection pass against the first
//! anchor (so it converges to the kernel's own rate), and the wall-time
//! anchor is refreshed at most once a second so that NTP adjustments of the
//! wall clock are followed. A span's start and end are converted with the
//! same calibration, so its duration is exact up to the tick rate.
//!
//! Nothing here needs a constructor at program start: the TSC check and the
//! first calibration happen when the first tracer or meter is built.

use crate::sync::lock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// A raw clock reading (TSC cycles or monotonic nanoseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Tick(u64);

/// Whether ticks are TSC cycles (decided once, before the first tick is taken
/// by a tracer; never changes afterwards).
static USE_TSC: AtomicBool = AtomicBool::new(false);
/// The origin of monotonic ticks.
static ORIGIN: OnceLock<Instant> = OnceLock::new();
/// The process-wide calibration, shared by every tracer.
static CALIBRATION: Mutex<Option<Calibration>> = Mutex::new(None);
/// The calibration's rate, for durations read on the hot path without the
/// lock ([`duration`]): 1.0 until the first calibration (ticks are then
/// nanoseconds).
static NANOS_PER_TICK_Q32: AtomicU64 = AtomicU64::new(ONE_Q32);

/// How long the first rate measurement sleeps.
const FIRST_MEASURE: Duration = Duration::from_millis(2);
/// How often the wall-time anchor is refreshed.
const REFRESH: Duration = Duration::from_secs(1);

impl Tick {
    /// Reads the clock.
    #[inline(always)]
    pub(crate) fn now() -> Tick {
        #[cfg(all(target_arch = "x86_64", target_os = "linux", not(miri)))]
        if USE_TSC.load(Ordering::Relaxed) {
            // SAFETY: `rdtsc` has no preconditions: it is part of the base
            // x86-64 instruction set, reads a counter, and touches no memory.
            return Tick(unsafe { core::arch::x86_64::_rdtsc() });
        }
        Tick(monotonic_nanos())
    }

    /// The raw reading, to keep in an atomic.
    pub(crate) const fn raw(self) -> u64 {
        self.0
    }

    /// A reading kept by [`raw`](Self::raw).
    pub(crate) const fn from_raw(raw: u64) -> Tick {
        Tick(raw)
    }

    /// Ticks from `earlier` to `self` (zero if `earlier` is later).
    pub(crate) fn since(self, earlier: Tick) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

fn monotonic_nanos() -> u64 {
    let origin = ORIGIN.get_or_init(Instant::now);
    u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// A snapshot of the tick-to-wall-time conversion.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Calibration {
    /// The first anchor (tick, monotonic time), for the rate.
    first: (Tick, Instant),
    /// The latest anchor (tick, monotonic time, wall time).
    tick: Tick,
    at: Instant,
    wall: SystemTime,
    /// Nanoseconds per tick, in 32.32 fixed point: a conversion is one
    /// integer multiply (the float version took about 20 instructions,
    /// twice per span).
    nanos_per_tick_q32: u64,
}

/// 1.0 in 32.32 fixed point.
const ONE_Q32: u64 = 1 << 32;

impl Calibration {
    /// Converts a tick to wall time.
    pub(crate) fn wall_time(&self, t: Tick) -> SystemTime {
        if t >= self.tick {
            let d = self.duration(t.since(self.tick));
            self.wall.checked_add(d).unwrap_or(self.wall)
        } else {
            let d = self.duration(self.tick.since(t));
            self.wall.checked_sub(d).unwrap_or(self.wall)
        }
    }

    /// Converts a number of ticks to a duration.
    pub(crate) fn duration(&self, ticks: u64) -> Duration {
        ticks_to_duration(ticks, self.nanos_per_tick_q32)
    }

    fn anchor() -> (Tick, Instant, SystemTime) {
        // Take the pair whose tick reads are closest together, so that an
        // interrupt between the reads does not skew the anchor.
        let mut best: Option<(u64, Tick, Instant, SystemTime)> = None;
        for _ in 0..3 {
            let before = Tick::now();
            let at = Instant::now();
            let wall = SystemTime::now();
            let after = Tick::now();
            let gap = after.since(before);
            if best.as_ref().is_none_or(|b| gap < b.0) {
                best = Some((gap, Tick(before.0 + gap / 2), at, wall));
            }
        }
        match best {
            Some((_, tick, at, wall)) => (tick, at, wall),
            None => (Tick::now(), Instant::now(), SystemTime::now()),
        }
    }

    fn first() -> Calibration {
        let (tick, at, wall) = Calibration::anchor();
        let mut c = Calibration {
            first: (tick, at),
            tick,
            at,
            wall,
            nanos_per_tick_q32: ONE_Q32,
        };
        if USE_TSC.load(Ordering::Relaxed) {
            std::thread::sleep(FIRST_MEASURE);
            c.refresh();
        }
        c
    }

    fn refresh(&mut self) {
        let (tick, at, wall) = Calibration::anchor();
        if USE_TSC.load(Ordering::Relaxed) {
            let nanos = at.duration_since(self.first.1).as_nanos() as f64;
            let ticks = tick.since(self.first.0) as f64;
            if nanos > 0.0 && ticks > 0.0 {
                // `as` saturates: no rate can wrap.
                self.nanos_per_tick_q32 = (nanos / ticks * ONE_Q32 as f64) as u64;
            }
        }
        self.tick = tick;
        self.at = at;
        self.wall = wall;
    }
}

fn ticks_to_duration(ticks: u64, nanos_per_tick_q32: u64) -> Duration {
    let nanos = (u128::from(ticks) * u128::from(nanos_per_tick_q32)) >> 32;
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// Converts a number of ticks to a duration by the latest calibration,
/// without taking its lock (a span's duration on the caller's thread).
pub(crate) fn duration(ticks: u64) -> Duration {
    ticks_to_duration(ticks, NANOS_PER_TICK_Q32.load(Ordering::Relaxed))
}

/// Picks the tick source (once) and makes the first calibration. Called
/// when a tracer or a meter is built, before it takes any tick.
pub(crate) fn init() {
    let mut guard = lock(&CALIBRATION);
    if guard.is_none() {
        ORIGIN.get_or_init(Instant::now);
        USE_TSC.store(kernel_uses_tsc(), Ordering::Relaxed);
        let first = Calibration::first();
        publish(&first);
        *guard = Some(first);
    }
}

/// Makes `c`'s rate the one [`duration`] reads.
fn publish(c: &Calibration) {
    NANOS_PER_TICK_Q32.store(c.nanos_per_tick_q32, Ordering::Relaxed);
}

/// The current calibration, refreshed if it is older than a second.
pub(crate) fn calibration() -> Calibration {
    let mut guard = lock(&CALIBRATION);
    let c = guard.get_or_insert_with(|| {
        let first = Calibration::first();
        publish(&first);
        first
    });
    if c.at.elapsed() >= REFRESH {
        c.refresh();
        publish(c);
    }
    *c
}

/// Whether the kernel's clock source is the TSC: Linux selects it only
/// after verifying that it is invariant and synchronized across CPUs.
fn kernel_uses_tsc() -> bool {
    if cfg!(all(target_arch = "x86_64", target_os = "linux", not(miri))) {
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .map(|s| s.trim() == "tsc")
            .unwrap_or(false)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_durations_are_exact_to_a_nanosecond_per_second() {
        let (tick, at, wall) = Calibration::anchor();
        let rate = 1.0 / 2.6; // nanoseconds per tick at 2.6 GHz
        let c = Calibration {
            first: (tick, at),
            tick,
            at,
            wall,
            nanos_per_tick_q32: (rate * ONE_Q32 as f64) as u64,
        };
        let second = c.duration(2_600_000_000).as_nanos();
        assert!(second.abs_diff(1_000_000_000) <= 1, "{second}");
        let ten = c.duration(26).as_nanos();
        assert!(ten == 9 || ten == 10, "{ten}: 10 ns, rounded down");
        // The largest tick count: 7.09e18 ns, still a duration, to 1 in 10^9.
        let longest = c.duration(u64::MAX).as_nanos() as f64;
        assert!(
            (longest / (u64::MAX as f64 / 2.6) - 1.0).abs() < 1e-9,
            "{longest}"
        );
    }

    #[test]
    fn ticks_convert_to_wall_time() {
        init();
        let before = SystemTime::now();
        let t0 = Tick::now();
        std::thread::sleep(Duration::from_millis(20));
        let t1 = Tick::now();
        let after = SystemTime::now();
        let c = calibration();
        let (s0, s1) = (c.wall_time(t0), c.wall_time(t1));
        assert!(s1 > s0);
        let d = s1.duration_since(s0).unwrap();
        assert!(d >= Duration::from_millis(19), "{d:?}");
        // Generous bounds: the conversion is anchored within microseconds.
        assert!(s0 + Duration::from_millis(5) >= before, "{s0:?} {before:?}");
        assert!(s1 <= after + Duration::from_millis(5), "{s1:?} {after:?}");
    }
}
