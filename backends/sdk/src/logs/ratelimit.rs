//! Per-call-site rate limiting of log records, with exact counts of what
//! was suppressed.
//!
//! Each call site (file and line; target and line when the record has no
//! file) gets a fixed window of `per`: the first `limit` records in a window
//! are delivered, later ones are dropped and counted. A site's count is
//! reported — as one synthetic record, see [`Suppressed`] — when the site
//! logs again after its window ended, when any record arrives after a sweep
//! interval (one window) and finds ended windows, and on flush or shutdown.
//!
//! Sites live in a sharded map (one mutex per shard, held for a few
//! instructions), bounded to [`MAX_SITES`]; a site that finds its shard full
//! of active sites is let through unlimited rather than tracked.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::hash::FxHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sync::lock;
use omniscope::{Level, Metadata};

const SHARDS: usize = 32;

/// How many call sites are tracked at most (over all shards).
pub(crate) const MAX_SITES: usize = 8192;

const SITES_PER_SHARD: usize = MAX_SITES / SHARDS;

/// Where suppressed records came from, kept for their report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) level: Level,
    pub(crate) target: String,
    pub(crate) location: Option<(String, String, u32)>,
}

impl Origin {
    fn of(metadata: &Metadata<'_>) -> Origin {
        Origin {
            level: metadata.level(),
            target: metadata.target().to_owned(),
            location: metadata
                .location()
                .map(|l| (l.module_path().to_owned(), l.file().to_owned(), l.line())),
        }
    }
}

/// A count of records one call site had suppressed, to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Suppressed {
    pub(crate) count: u64,
    pub(crate) origin: Origin,
}

/// What to do with a record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Deliver it; first report this site's suppressions from its last window.
    Deliver(Option<Suppressed>),
    /// Drop it (counted).
    Suppress,
}

#[derive(Debug)]
struct Site {
    window_start: u64,
    count: u32,
    suppressed: u64,
    origin: Option<Origin>,
}

impl Site {
    /// Ends the window, taking its suppressions.
    fn take_report(&mut self) -> Option<Suppressed> {
        let count = std::mem::take(&mut self.suppressed);
        let origin = self.origin.take()?;
        (count > 0).then_some(Suppressed { count, origin })
    }
}

type Shard = HashMap<u64, Site, BuildHasherDefault<PassThrough>>;

/// Per-call-site fixed-window limiter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window: u64,
    base: Instant,
    shards: Box<[Mutex<Shard>]>,
    suppressed_total: AtomicU64,
    next_sweep: AtomicU64,
}

impl RateLimiter {
    /// At most `limit` (≥ 1) records per call site per `per` (> 0).
    pub(crate) fn new(limit: u32, per: Duration) -> RateLimiter {
        let window = u64::try_from(per.as_nanos()).unwrap_or(u64::MAX).max(1);
        RateLimiter {
            limit: limit.max(1),
            window,
            base: Instant::now(),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            suppressed_total: AtomicU64::new(0),
            next_sweep: AtomicU64::new(window),
        }
    }

    /// Records suppressed so far.
    pub(crate) fn suppressed_total(&self) -> u64 {
        self.suppressed_total.load(Ordering::Relaxed)
    }

    /// Now, as this limiter's clock reads it.
    pub(crate) fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Decides on one record from the call site in `metadata`, at `now`.
    pub(crate) fn check(&self, metadata: &Metadata<'_>, now: u64) -> Verdict {
        let key = site_key(metadata);
        let mut shard = lock(&self.shards[shard_of(key)]);
        if !shard.contains_key(&key) && shard.len() >= SITES_PER_SHARD {
            let window = self.window;
            shard.retain(|_, s| s.suppressed > 0 || now.saturating_sub(s.window_start) < window);
            if shard.len() >= SITES_PER_SHARD {
                return Verdict::Deliver(None);
            }
        }
        let site = shard.entry(key).or_insert(Site {
            window_start: now,
            count: 0,
            suppressed: 0,
            origin: None,
        });
        let mut report = None;
        if now.saturating_sub(site.window_start) >= self.window {
            report = site.take_report();
            site.window_start = now;
            site.count = 0;
        }
        if site.count < self.limit {
            site.count += 1;
            return Verdict::Deliver(report);
        }
        site.suppressed += 1;
        if site.origin.is_none() {
            site.origin = Some(Origin::of(metadata));
        }
        drop(shard);
        self.suppressed_total.fetch_add(1, Ordering::Relaxed);
        Verdict::Suppress
    }

    /// Whether a sweep is due at `now`; at most one caller per interval gets `true`.
    pub(crate) fn sweep_due(&self, now: u64) -> bool {
        let due = self.next_sweep.load(Ordering::Relaxed);
        now >= due
            && self
                .next_sweep
                .compare_exchange(
                    due,
                    now.saturating_add(self.window),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    /// Takes the reports of every site whose window ended by `now` (or of
    /// every site, with `all`), in no particular order.
    pub(crate) fn take_reports(&self, now: u64, all: bool) -> Vec<Suppressed> {
        let mut reports = Vec::new();
        for shard in self.shards.iter() {
            let mut shard = lock(shard);
            for site in shard.values_mut() {
                let ended = now.saturating_sub(site.window_start) >= self.window;
                if site.suppressed > 0 && (all || ended) {
                    reports.extend(site.take_report());
                }
            }
        }
        reports
    }
}

fn shard_of(key: u64) -> usize {
    // The high bits: the low ones pick the bucket inside the shard's map.
    (key >> 58) as usize % SHARDS
}

/// A hash of the call site: file and line, else target and line.
fn site_key(metadata: &Metadata<'_>) -> u64 {
    let (place, tag) = match metadata.file() {
        Some(file) => (file, 0),
        None => (metadata.target(), 1),
    };
    // Fx: fast on short strings; a collision only merges two sites' budgets.
    let mut h = FxHasher::default();
    h.write(place.as_bytes());
    h.write_u64(u64::from(metadata.line().unwrap_or(0)) << 1 | tag);
    h.finish()
}

/// The map's hasher: keys are already hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omniscope::SourceLocation;

    fn meta(line: u32) -> Metadata<'static> {
        let location = Box::leak(Box::new(SourceLocation::new("m", "src/x.rs", line)));
        Metadata::new(Level::Info, "t").with_location(location)
    }

    #[test]
    fn windows_limit_and_report_once() {
        let r = RateLimiter::new(2, Duration::from_nanos(100));
        let m = meta(1);
        assert_eq!(r.check(&m, 0), Verdict::Deliver(None));
        assert_eq!(r.check(&m, 10), Verdict::Deliver(None));
        assert_eq!(r.check(&m, 20), Verdict::Suppress);
        assert_eq!(r.check(&m, 30), Verdict::Suppress);
        assert_eq!(r.check(&meta(2), 30), Verdict::Deliver(None));
        match r.check(&m, 100) {
            Verdict::Deliver(Some(s)) => {
                assert_eq!(s.count, 2);
                assert_eq!(s.origin.location, Some(("m".into(), "src/x.rs".into(), 1)));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.suppressed_total(), 2);
        assert!(r.take_reports(1_000, true).is_empty());
    }

    #[test]
    fn sweeps_report_ended_windows_only() {
        let r = RateLimiter::new(1, Duration::from_nanos(100));
        r.check(&meta(1), 0);
        r.check(&meta(1), 1);
        r.check(&meta(2), 50);
        r.check(&meta(2), 51);
        assert!(!r.sweep_due(99));
        assert!(r.sweep_due(120));
        assert!(!r.sweep_due(121));
        let reports = r.take_reports(120, false);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].origin.location.as_ref().map(|l| l.2), Some(1));
        let reports = r.take_reports(120, true);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].count, 1);
    }

    #[test]
    fn full_shards_let_new_sites_through() {
        let r = RateLimiter::new(1, Duration::from_secs(3600));
        for line in 0..(MAX_SITES as u32 * 4) {
            assert!(matches!(r.check(&meta(line), 0), Verdict::Deliver(None)));
        }
        let tracked: usize = r.shards.iter().map(|s| lock(s).len()).sum();
        assert!(tracked <= MAX_SITES);
    }
}
