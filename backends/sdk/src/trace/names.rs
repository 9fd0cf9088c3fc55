//! Span names given at run time (not their site's), kept once and shared.
//!
//! A span named at run time (an HTTP server span's `GET` or
//! `GET /orders/{id}`) was copied into a new `String` for every span and
//! freed once exported: an allocation and a free per request, on two
//! threads. OpenTelemetry asks for span names of low cardinality, so the
//! names a process uses are few: each is kept once, for the life of the
//! process, and its spans borrow it.
//!
//! A thread looks in its own small cache first, with no lock. The shared
//! table stops taking names at [`MAX_NAMES`] names or [`MAX_BYTES`] bytes;
//! after that, a name the thread's cache does not hold is copied per span
//! as before, without taking the lock. So a high-cardinality name costs
//! what it always did, and memory stays bounded.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use omniscope::hash::FxHasher;

use crate::sync::lock;

/// The most names kept.
const MAX_NAMES: usize = 1024;
/// The most bytes of names kept.
const MAX_BYTES: usize = 64 * 1024;
/// Names a thread's cache holds.
const CACHED: usize = 16;

type NameSet = HashSet<&'static str, BuildHasherDefault<FxHasher>>;

/// The process's kept names.
static TABLE: NameTable = NameTable::new();

/// Kept names, shared by every tracer.
#[derive(Debug)]
struct NameTable {
    /// The names, and their bytes.
    names: Mutex<(Option<NameSet>, usize)>,
    /// Set once full: later names are copied without taking the lock.
    full: AtomicBool,
}

/// A thread's most recent names.
#[derive(Debug, Default)]
pub(crate) struct NameCache {
    recent: Vec<&'static str>,
    /// Where the next name replaces one, once the cache is full.
    next: usize,
}

impl NameCache {
    /// `name`, borrowed from the kept names when it is (or can be) kept,
    /// copied otherwise.
    pub(crate) fn name(&mut self, name: &str) -> Cow<'static, str> {
        self.name_in(&TABLE, name)
    }

    fn name_in(&mut self, table: &NameTable, name: &str) -> Cow<'static, str> {
        if let Some(kept) = self.recent.iter().find(|kept| **kept == name) {
            return Cow::Borrowed(kept);
        }
        match table.keep(name) {
            Some(kept) => {
                self.remember(kept);
                Cow::Borrowed(kept)
            }
            None => Cow::Owned(name.to_owned()),
        }
    }

    fn remember(&mut self, kept: &'static str) {
        if self.recent.len() < CACHED {
            self.recent.push(kept);
        } else if let Some(place) = self.recent.get_mut(self.next) {
            *place = kept;
            self.next = (self.next + 1) % CACHED;
        }
    }
}

impl NameTable {
    const fn new() -> NameTable {
        NameTable {
            names: Mutex::new((None, 0)),
            full: AtomicBool::new(false),
        }
    }

    /// The kept copy of `name`, made if there is room; `None` once full.
    #[cold]
    fn keep(&self, name: &str) -> Option<&'static str> {
        if self.full.load(Ordering::Relaxed) {
            return None;
        }
        let mut table = lock(&self.names);
        let (names, bytes) = &mut *table;
        let names = names.get_or_insert_with(NameSet::default);
        if let Some(kept) = names.get(name) {
            return Some(kept);
        }
        if names.len() >= MAX_NAMES || *bytes + name.len() > MAX_BYTES {
            self.full.store(true, Ordering::Relaxed);
            return None;
        }
        // Leaked on purpose: spans and exporters borrow it for as long as
        // the process runs, and the table bounds how much is ever kept.
        let kept: &'static str = Box::leak(name.into());
        names.insert(kept);
        *bytes += name.len();
        Some(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_kept_once_and_shared() {
        let mut a = NameCache::default();
        let mut b = NameCache::default();
        let (Cow::Borrowed(x), Cow::Borrowed(y)) = (a.name("GET /kept"), b.name("GET /kept"))
        else {
            panic!("a name the table has room for is kept");
        };
        assert!(std::ptr::eq(x, y), "both threads share one copy");
        assert_eq!(x, "GET /kept");
    }

    #[test]
    fn a_full_table_copies_new_names_and_still_shares_its_own() {
        let table = NameTable::new();
        let mut cache = NameCache::default();
        for i in 0..MAX_NAMES {
            assert!(matches!(
                cache.name_in(&table, &format!("n{i}")),
                Cow::Borrowed(_)
            ));
        }
        assert!(matches!(
            cache.name_in(&table, "one too many"),
            Cow::Owned(_)
        ));
        assert!(table.full.load(Ordering::Relaxed));
        let mut other = NameCache::default();
        assert!(
            matches!(other.name_in(&table, "n0"), Cow::Owned(_)),
            "no lock once full"
        );
        assert!(
            matches!(cache.name_in(&table, "n1023"), Cow::Borrowed(_)),
            "still cached"
        );
    }

    #[test]
    fn the_cache_holds_the_most_recent_names() {
        let mut cache = NameCache::default();
        for i in 0..CACHED + 3 {
            let _ = cache.name(&format!("recent {i}"));
        }
        assert_eq!(cache.recent.len(), CACHED);
        assert!(cache.recent.contains(&"recent 18"));
        assert!(!cache.recent.contains(&"recent 0"));
    }
}
