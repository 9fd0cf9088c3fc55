//! Metric handles resolved once per label set, per layer.
//!
//! Resolving a handle from a key (what `omniscope::metrics::histogram`
//! does) sorts and hashes the labels and looks them up in the meter's
//! registry on every call, and a request records two or three metrics. A
//! layer sees few label sets (methods × routes × statuses), so it keeps
//! the handles it resolved, found again by a hash of the label values: up
//! to [`MAX_LABEL_SETS`] per metric, past which handles are resolved per
//! request, as without the cache (so that an unbounded label, a raw path
//! given as a route, cannot grow memory).
//!
//! A handle is resolved in the context of the first request that needs
//! it: a layer built and first called while a scoped test recorder
//! (`omniscope::testing`) is current keeps recording into that recorder.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock};

use omniscope::metrics::{Histogram, Label, UpDownCounter};

/// The most label sets kept per metric.
pub(crate) const MAX_LABEL_SETS: usize = 1024;

/// The label pairs of one cached handle.
type Labels = Box<[(Box<str>, Box<str>)]>;

/// Handles by the hash of their labels (more than one on a collision).
type ByHash<H> = HashMap<u64, Vec<(Labels, H)>, BuildHasherDefault<Prehashed>>;

/// The handles of one metric, by a hash of their labels.
pub(crate) struct Handles<H> {
    map: RwLock<ByHash<H>>,
    len: AtomicUsize,
}

impl<H> Default for Handles<H> {
    fn default() -> Handles<H> {
        Handles {
            map: RwLock::default(),
            len: AtomicUsize::new(0),
        }
    }
}

impl<H: Clone> Handles<H> {
    /// The handle for `labels`, resolved by `resolve` the first time.
    pub(crate) fn get(&self, labels: &[Label<'_>], resolve: impl FnOnce() -> H) -> H {
        let hash = hash(labels);
        {
            let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = map
                .get(&hash)
                .and_then(|list| list.iter().find(|(kept, _)| same(kept, labels)))
            {
                return found.1.clone();
            }
        }
        let handle = resolve();
        if self.len.load(Ordering::Relaxed) < MAX_LABEL_SETS {
            let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
            let list = map.entry(hash).or_default();
            if !list.iter().any(|(kept, _)| same(kept, labels)) {
                let kept = labels
                    .iter()
                    .map(|l| (Box::from(l.key()), Box::from(l.value())))
                    .collect();
                list.push((kept, handle.clone()));
                self.len.fetch_add(1, Ordering::Relaxed);
            }
        }
        handle
    }
}

/// The handles a layer keeps: its duration histograms and active-request
/// counters.
#[derive(Default)]
pub(crate) struct MetricHandles {
    pub(crate) durations: Handles<Histogram>,
    pub(crate) active: Handles<UpDownCounter>,
}

impl std::fmt::Debug for MetricHandles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricHandles").finish_non_exhaustive()
    }
}

fn same(kept: &[(Box<str>, Box<str>)], labels: &[Label<'_>]) -> bool {
    kept.len() == labels.len()
        && kept
            .iter()
            .zip(labels)
            .all(|((k, v), l)| **k == *l.key() && **v == *l.value())
}

/// FNV-1a over the keys and values, each followed by a separator byte no
/// UTF-8 text contains.
fn hash(labels: &[Label<'_>]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for label in labels {
        eat(label.key().as_bytes());
        eat(&[0xff]);
        eat(label.value().as_bytes());
        eat(&[0xfe]);
    }
    h
}

/// The map's keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_set_resolves_once_and_differing_sets_apart() {
        let handles: Handles<u32> = Handles::default();
        let a = [Label::new("m", "GET"), Label::new("s", "200")];
        let b = [Label::new("m", "GET"), Label::new("s", "500")];
        assert_eq!(handles.get(&a, || 1), 1);
        assert_eq!(handles.get(&a, || 2), 1);
        assert_eq!(handles.get(&b, || 3), 3);
        assert_eq!(handles.get(&a[..1], || 4), 4);
        assert_eq!(handles.len.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn past_the_limit_handles_are_resolved_each_time() {
        let handles: Handles<usize> = Handles::default();
        for i in 0..MAX_LABEL_SETS + 10 {
            let value = i.to_string();
            let labels = [Label::new("route", value.as_str())];
            assert_eq!(handles.get(&labels, || i), i);
        }
        let late = [Label::new("route", "late")];
        assert_eq!(handles.get(&late, || 1), 1);
        assert_eq!(handles.get(&late, || 2), 2);
    }
}
