//! [`Pinned`]: log records and errors of the traces kept as slowest or
//! failed, saved when the recent ring forgets them, so that a kept trace
//! still shows what explains it.
//!
//! Bounded by a total capacity: when full, the items of traces no longer
//! kept make room first; if none, the newcomer is dropped and counted.

use std::collections::{HashMap, VecDeque};

use omniscope::TraceId;

/// At most `capacity` items, grouped by trace, oldest first in each.
#[derive(Debug)]
pub(crate) struct Pinned<T> {
    by_trace: HashMap<TraceId, VecDeque<T>>,
    len: usize,
    capacity: usize,
    /// Items refused because the store was full of kept traces' items.
    dropped: u64,
}

impl<T> Pinned<T> {
    /// An empty store that keeps at most `capacity` items (0 keeps none).
    pub(crate) fn new(capacity: usize) -> Pinned<T> {
        Pinned {
            by_trace: HashMap::new(),
            len: 0,
            capacity,
            dropped: 0,
        }
    }

    /// Keeps `item` of trace `trace` (a pinned trace: the caller checked).
    /// When full, forgets the items of traces `is_pinned` no longer
    /// holds; still full, drops `item`.
    pub(crate) fn keep(&mut self, trace: TraceId, item: T, is_pinned: impl Fn(&TraceId) -> bool) {
        if self.len >= self.capacity {
            let mut len = self.len;
            self.by_trace.retain(|id, items| {
                let keep = is_pinned(id);
                if !keep {
                    len -= items.len();
                }
                keep
            });
            self.len = len;
        }
        if self.len >= self.capacity {
            self.dropped += 1;
            return;
        }
        self.by_trace.entry(trace).or_default().push_back(item);
        self.len += 1;
    }

    /// The items of `trace`, newest first.
    pub(crate) fn of(&self, trace: &TraceId) -> impl Iterator<Item = &T> + '_ {
        self.by_trace
            .get(trace)
            .into_iter()
            .flat_map(|items| items.iter().rev())
    }

    /// How many items are kept now.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The most items kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items refused because the store was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_items_of_pinned_traces_within_capacity() {
        let (a, b) = (TraceId::from_u128(1), TraceId::from_u128(2));
        let mut p = Pinned::new(3);
        p.keep(a, 1, |_| true);
        p.keep(a, 2, |_| true);
        p.keep(b, 3, |_| true);
        // Full of pinned traces: the newcomer is dropped.
        p.keep(b, 4, |_| true);
        assert_eq!((p.len(), p.dropped()), (3, 1));
        assert_eq!(p.of(&a).copied().collect::<Vec<_>>(), [2, 1]);
        // Trace a is no longer kept: its items make room.
        p.keep(b, 5, |id| *id == b);
        assert_eq!(p.len(), 2);
        assert_eq!(p.of(&a).count(), 0);
        assert_eq!(p.of(&b).copied().collect::<Vec<_>>(), [5, 3]);
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let mut p = Pinned::new(0);
        p.keep(TraceId::from_u128(1), "x", |_| true);
        assert_eq!((p.len(), p.dropped()), (0, 1));
    }
}
