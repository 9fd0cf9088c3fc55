//! Metric handles resolved once per label set, per layer.
//!
//! Resolving a handle from a key (what `omniscope::metrics::histogram`
//! does) builds the labels, sorts and hashes them and looks them up in the
//! meter's registry on every call, and a request records two or three
//! metrics. A layer sees few label sets (methods × routes × statuses), so
//! it keeps the handles it resolved, up to [`MAX_LABEL_SETS`] per metric,
//! past which handles are resolved per request, as without the cache (so
//! that an unbounded label, a raw path given as a route, cannot grow
//! memory).
//!
//! The request path builds no `Label` and allocates nothing: a
//! [`LabelSet`] writes the pairs into one byte string on the stack
//! (`key 0xFF value 0xFE …`; neither byte occurs in UTF-8, so the encoding
//! is unambiguous), which is hashed a word at a time and compared whole
//! with one `memcmp`. The labels are only built, from those bytes, to
//! resolve a handle the first time. (Hashing the labels' strings a byte at
//! a time and comparing them one by one was 10% of a request's time.)
//!
//! A handle is resolved in the context of the first request that needs
//! it: a layer built and first called while a scoped test recorder
//! (`omniscope::testing`) is current keeps recording into that recorder.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

use http::StatusCode;
use omniscope::hash::{FxBuildHasher, FxHasher};
use omniscope::metrics::{Histogram, Label, UpDownCounter};

/// The most label sets kept per metric.
pub(crate) const MAX_LABEL_SETS: usize = 1024;

/// Ends a key.
const KEY_END: u8 = 0xff;
/// Ends a value.
const VALUE_END: u8 = 0xfe;
/// Stands for an absent value (in a set of values alone).
const ABSENT: u8 = 0xfd;

/// Bytes a label set keeps on the stack; a longer one (long routes or
/// server addresses) moves to the heap.
const INLINE: usize = 256;

/// A metric's label pairs, encoded as one byte string (see the
/// [module](self)).
pub(crate) struct LabelSet {
    inline: [u8; INLINE],
    len: usize,
    /// The whole encoding, once it outgrew `inline`.
    spilled: Vec<u8>,
}

impl LabelSet {
    pub(crate) fn new() -> LabelSet {
        LabelSet {
            inline: [0; INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    /// Appends the label `key=value`. Inlined, so that the copy of a key
    /// (a literal) is a few moves rather than a call.
    #[inline(always)]
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        self.extend(key.as_bytes(), KEY_END);
        self.extend(value.as_bytes(), VALUE_END);
    }

    /// Appends a value alone (or its absence), for a set whose keys are
    /// fixed by position: shorter to copy, hash and compare. Such a set has
    /// no [`labels`](Self::labels).
    #[inline(always)]
    pub(crate) fn push_value(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.extend(value.as_bytes(), VALUE_END),
            None => self.extend(&[], ABSENT),
        }
    }

    #[inline(always)]
    fn extend(&mut self, bytes: &[u8], end: u8) {
        let new_len = self.len + bytes.len() + 1;
        if let Some(room) = self.inline.get_mut(self.len..new_len) {
            let (text, last) = room.split_at_mut(bytes.len());
            text.copy_from_slice(bytes);
            last.fill(end);
        } else {
            if self.spilled.is_empty() {
                let kept = self.inline.get(..self.len).unwrap_or_default();
                self.spilled.extend_from_slice(kept);
            }
            self.spilled.extend_from_slice(bytes);
            self.spilled.push(end);
        }
        self.len = new_len;
    }

    fn as_bytes(&self) -> &[u8] {
        if self.spilled.is_empty() {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &self.spilled
        }
    }

    /// A hash of the encoding, fed to the hasher a word at a time. An
    /// inline set is read in whole words, its last one padded with the
    /// zeros past its end: `Hasher::write` copies the tail of its input
    /// with a call to `memcpy` (a series key of 14 bytes hashed in ≈9.5 ns
    /// that way, ≈1.9 ns in words).
    fn hash(&self) -> u64 {
        let mut hasher = FxHasher::default();
        let padded = self.inline.get(..self.len.next_multiple_of(8));
        let mut rest = match padded {
            Some(padded) if self.spilled.is_empty() => padded,
            _ => self.spilled.as_slice(),
        };
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            hasher.write_u64(u64::from_le_bytes(*word));
            rest = tail;
        }
        // Only a spilled set has a tail: a few bytes, one at a time.
        if !rest.is_empty() {
            hasher.write_u64(rest.iter().rev().fold(0, |w, b| w << 8 | u64::from(*b)));
        }
        hasher.finish()
    }

    /// The labels, decoded (to resolve a handle: not on the request path).
    pub(crate) fn labels(&self) -> Vec<Label<'_>> {
        decode(self.as_bytes())
    }
}

/// The labels of an encoded label set.
fn decode(mut bytes: &[u8]) -> Vec<Label<'_>> {
    let mut labels = Vec::new();
    while let Some(k) = bytes.iter().position(|b| *b == KEY_END) {
        let (key, rest) = bytes.split_at(k);
        let rest = rest.get(1..).unwrap_or_default();
        let v = rest
            .iter()
            .position(|b| *b == VALUE_END)
            .unwrap_or(rest.len());
        let (value, rest) = rest.split_at(v);
        bytes = rest.get(1..).unwrap_or_default();
        // The bytes were `&str`s cut at the separators, which are not
        // UTF-8: both parts are whole strings again.
        if let (Ok(key), Ok(value)) = (std::str::from_utf8(key), std::str::from_utf8(value)) {
            labels.push(Label::new(key, value));
        }
    }
    labels
}

/// The handles of one metric, by their encoded label set.
pub(crate) struct Handles<H> {
    map: RwLock<HashMap<Box<[u8]>, H, FxBuildHasher>>,
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
    /// The handle for `labels`, resolved by `resolve` (given them) the
    /// first time.
    pub(crate) fn get(&self, labels: &LabelSet, resolve: impl FnOnce(&LabelSet) -> H) -> H {
        let bytes = labels.as_bytes();
        {
            let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(found) = map.get(bytes) {
                return found.clone();
            }
        }
        let handle = resolve(labels);
        if self.len.load(Ordering::Relaxed) < MAX_LABEL_SETS {
            let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
            if !map.contains_key(bytes) {
                map.insert(Box::from(bytes), handle.clone());
                self.len.fetch_add(1, Ordering::Relaxed);
            }
        }
        handle
    }
}

/// The metrics of a server's requests that are alike until they end (same
/// method, scheme, route and protocol version), found once per request, at
/// its start: the active-requests counter, and the duration histograms by
/// status, found at the end by a scan of the few statuses seen rather than
/// by encoding and hashing the labels a second time. (The status decides
/// `error.type` too, through the layer's fixed error rule; a request that
/// failed otherwise, a panic, takes [`MetricHandles::durations`].)
pub(crate) struct ServerSeries {
    pub(crate) active: UpDownCounter,
    /// Filled in order, each slot once: read without a lock (a load each).
    durations: [OnceLock<(Option<StatusCode>, Histogram)>; STATUSES],
}

/// The most statuses a [`ServerSeries`] keeps handles for (more are
/// resolved by the caller's `resolve`, from the layer's other handles).
const STATUSES: usize = 16;

impl ServerSeries {
    pub(crate) fn new(active: UpDownCounter) -> ServerSeries {
        ServerSeries {
            active,
            durations: Default::default(),
        }
    }

    /// The duration histogram of requests ended with `status`, resolved by
    /// `resolve` the first time.
    pub(crate) fn duration(
        &self,
        status: Option<StatusCode>,
        resolve: impl FnOnce() -> Histogram,
    ) -> Cow<'_, Histogram> {
        for slot in &self.durations {
            match slot.get() {
                Some((kept, histogram)) if *kept == status => return Cow::Borrowed(histogram),
                Some(_) => {}
                None => break,
            }
        }
        let histogram = resolve();
        // The first free slot takes it, unless another thread filled that
        // slot first (with this status: it is found; with another: on).
        for slot in &self.durations {
            let (kept, found) = slot.get_or_init(|| (status, histogram.clone()));
            if *kept == status {
                return Cow::Borrowed(found);
            }
        }
        Cow::Owned(histogram)
    }
}

/// How many series a layer's [`SeriesTable`] holds.
const SERIES_SLOTS: usize = 1024;
/// How many slots from its hash's a series may sit at.
const PROBES: usize = 8;

/// One kept series and its key.
type SeriesEntry = (Box<[u8]>, ServerSeries);

/// A layer's server series, in slots filled once and found by the hash of
/// their key (or one of the next [`PROBES`] slots): read without a lock,
/// and a request keeps the slot's index rather than a reference count on
/// the series, a count shared by every request of a route that each would
/// write twice. Allocated by the first server request.
#[derive(Default)]
pub(crate) struct SeriesTable {
    slots: OnceLock<Box<[OnceLock<Box<SeriesEntry>>]>>,
}

/// Where a request's series is.
pub(crate) enum SeriesRef {
    /// In its layer's table, at this index.
    Kept(usize),
    /// Resolved for this request alone: its slots were all taken.
    Own(Box<ServerSeries>),
}

impl SeriesTable {
    fn slots(&self) -> &[OnceLock<Box<SeriesEntry>>] {
        self.slots
            .get_or_init(|| (0..SERIES_SLOTS).map(|_| OnceLock::new()).collect())
    }

    /// The series for `key` (values by position), resolved by `resolve`
    /// the first time.
    pub(crate) fn find(&self, key: &LabelSet, resolve: impl FnOnce() -> ServerSeries) -> SeriesRef {
        let slots = self.slots();
        let bytes = key.as_bytes();
        let start = key.hash() as usize;
        // By the constant (a mask), not by `slots.len()` (a division, twice
        // a request): the table always has that many slots.
        let index = |i: usize| start.wrapping_add(i) % SERIES_SLOTS;
        for i in 0..PROBES {
            match slots.get(index(i)).and_then(OnceLock::get) {
                Some(entry) if *entry.0 == *bytes => return SeriesRef::Kept(index(i)),
                Some(_) => {}
                None => break,
            }
        }
        let mut entry = Box::new((Box::from(bytes), resolve()));
        for i in 0..PROBES {
            let Some(slot) = slots.get(index(i)) else {
                break;
            };
            match slot.set(entry) {
                Ok(()) => return SeriesRef::Kept(index(i)),
                // Taken (by another thread, maybe with this very key).
                Err(back) => entry = back,
            }
            if slot.get().is_some_and(|kept| kept.0 == entry.0) {
                return SeriesRef::Kept(index(i));
            }
        }
        SeriesRef::Own(Box::new(entry.1))
    }

    /// The series `at` refers to.
    pub(crate) fn get<'a>(&'a self, at: &'a SeriesRef) -> Option<&'a ServerSeries> {
        match at {
            SeriesRef::Kept(index) => self
                .slots
                .get()
                .and_then(|slots| slots.get(*index))
                .and_then(OnceLock::get)
                .map(|entry| &entry.1),
            SeriesRef::Own(series) => Some(series),
        }
    }
}

/// The handles a layer keeps: its duration histograms, active-request
/// counters, and (opt-in) body size histograms.
#[derive(Default)]
pub(crate) struct MetricHandles {
    pub(crate) server: SeriesTable,
    pub(crate) durations: Handles<Histogram>,
    pub(crate) request_sizes: Handles<Histogram>,
    pub(crate) response_sizes: Handles<Histogram>,
}

impl std::fmt::Debug for MetricHandles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricHandles").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> LabelSet {
        let mut labels = LabelSet::new();
        for (k, v) in pairs {
            labels.push(k, v);
        }
        labels
    }

    #[test]
    fn a_label_set_resolves_once_and_differing_sets_apart() {
        let handles: Handles<u32> = Handles::default();
        let a = set(&[("m", "GET"), ("s", "200")]);
        let b = set(&[("m", "GET"), ("s", "500")]);
        // The same bytes split differently are another set.
        let c = set(&[("m", "GET"), ("s2", "00")]);
        assert_eq!(handles.get(&a, |_| 1), 1);
        assert_eq!(handles.get(&a, |_| 2), 1);
        assert_eq!(handles.get(&b, |_| 3), 3);
        assert_eq!(handles.get(&c, |_| 4), 4);
        assert_eq!(handles.get(&set(&[("m", "GET")]), |_| 5), 5);
        assert_eq!(handles.len.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn values_by_position_tell_absent_from_empty() {
        let handles: Handles<u32> = Handles::default();
        let values = |v: [Option<&str>; 2]| {
            let mut set = LabelSet::new();
            v.iter().for_each(|v| set.push_value(*v));
            set
        };
        assert_eq!(handles.get(&values([Some("GET"), None]), |_| 1), 1);
        assert_eq!(handles.get(&values([Some("GET"), Some("")]), |_| 2), 2);
        assert_eq!(handles.get(&values([None, Some("GET")]), |_| 3), 3);
        assert_eq!(handles.get(&values([Some("GET"), None]), |_| 4), 1);
    }

    #[test]
    fn alike_sets_hash_alike_inline_or_spilled() {
        let long = "r".repeat(INLINE + 3);
        for route in ["/a", "/orders/{id}", long.as_str()] {
            let a = set(&[("m", "GET"), ("http.route", route)]);
            let b = set(&[("m", "GET"), ("http.route", route)]);
            assert_eq!(a.hash(), b.hash(), "{}", route.len());
            let c = set(&[("m", "PUT"), ("http.route", route)]);
            assert_ne!(a.hash(), c.hash(), "{}", route.len());
        }
    }

    #[test]
    fn labels_decode_as_pushed_inline_or_spilled() {
        let long = "r".repeat(INLINE * 2);
        for pairs in [
            vec![("http.request.method", "GET"), ("http.route", "")],
            vec![("a", "é"), ("http.route", long.as_str()), ("z", "1")],
        ] {
            let labels = set(&pairs);
            let decoded: Vec<(String, String)> = labels
                .labels()
                .iter()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            let expected: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(decoded, expected);
        }
    }

    #[test]
    fn a_series_resolves_each_status_once() {
        let series = ServerSeries::new(UpDownCounter::noop());
        let resolved = std::cell::Cell::new(0);
        let resolve = || {
            resolved.set(resolved.get() + 1);
            Histogram::noop()
        };
        let _ = series.duration(Some(StatusCode::OK), resolve);
        let _ = series.duration(Some(StatusCode::OK), resolve);
        let _ = series.duration(None, resolve);
        let _ = series.duration(Some(StatusCode::NOT_FOUND), resolve);
        assert_eq!(resolved.get(), 3);
        // Past the slots, each further status is resolved every time.
        for code in 300..300 + STATUSES as u16 {
            let _ = series.duration(StatusCode::from_u16(code).ok(), resolve);
        }
        let before = resolved.get();
        let _ = series.duration(Some(StatusCode::OK), resolve);
        let _ = series.duration(Some(StatusCode::from_u16(399).unwrap()), resolve);
        let _ = series.duration(Some(StatusCode::from_u16(399).unwrap()), resolve);
        assert_eq!(resolved.get(), before + 2);
    }

    #[test]
    fn a_series_is_found_again_and_its_neighbourhood_overflows_to_its_own() {
        let table = SeriesTable::default();
        let key = |n: usize| {
            let mut key = LabelSet::new();
            key.push_value(Some(&n.to_string()));
            key
        };
        let series = || ServerSeries::new(UpDownCounter::noop());
        let first = table.find(&key(1), series);
        assert!(matches!(first, SeriesRef::Kept(_)));
        let again = table.find(&key(1), || unreachable!("found, not resolved"));
        assert!(matches!((&first, &again), (SeriesRef::Kept(a), SeriesRef::Kept(b)) if a == b));
        assert!(table.get(&first).is_some());
        // More keys than slots: the late ones get series of their own.
        let refs: Vec<SeriesRef> = (0..SERIES_SLOTS + 100)
            .map(|n| table.find(&key(n), series))
            .collect();
        assert!(refs.iter().any(|r| matches!(r, SeriesRef::Own(_))));
        assert!(refs.iter().all(|r| table.get(r).is_some()));
    }

    #[test]
    fn past_the_limit_handles_are_resolved_each_time() {
        let handles: Handles<usize> = Handles::default();
        for i in 0..MAX_LABEL_SETS + 10 {
            let value = i.to_string();
            assert_eq!(handles.get(&set(&[("route", &value)]), |_| i), i);
        }
        let late = set(&[("route", "late")]);
        assert_eq!(handles.get(&late, |_| 1), 1);
        assert_eq!(handles.get(&late, |_| 2), 2);
    }
}
