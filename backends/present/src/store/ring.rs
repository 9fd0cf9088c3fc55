//! [`Ring`]: a bounded first-in, first-out buffer that forgets its oldest
//! item when full, and counts what it forgot.

use std::collections::VecDeque;

/// At most `capacity` items, oldest first.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    items: VecDeque<T>,
    capacity: usize,
    /// Items ever pushed.
    pushed: u64,
}

impl<T> Ring<T> {
    /// An empty ring that keeps at most `capacity` items (0 keeps none).
    pub(crate) fn new(capacity: usize) -> Ring<T> {
        Ring {
            // Grows on demand: a large capacity costs nothing until used.
            items: VecDeque::new(),
            capacity,
            pushed: 0,
        }
    }

    /// Appends `item`, forgetting the oldest one when full; returns what
    /// was forgotten (`item` itself when the capacity is 0).
    pub(crate) fn push(&mut self, item: T) -> Option<T> {
        self.pushed += 1;
        if self.capacity == 0 {
            return Some(item);
        }
        let evicted = if self.items.len() == self.capacity {
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        evicted
    }

    /// The oldest item kept.
    pub(crate) fn oldest(&self) -> Option<&T> {
        self.items.front()
    }

    /// How many items are kept now.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The most items kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items ever pushed (kept or forgotten).
    pub(crate) fn pushed(&self) -> u64 {
        self.pushed
    }

    /// The items, newest first.
    pub(crate) fn newest_first(&self) -> impl Iterator<Item = &T> + '_ {
        self.items.iter().rev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_items_up_to_capacity() {
        let mut ring = Ring::new(3);
        for i in 0..10 {
            ring.push(i);
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.pushed(), 10);
        assert_eq!(ring.newest_first().copied().collect::<Vec<_>>(), [9, 8, 7]);
    }

    #[test]
    fn zero_capacity_keeps_nothing_and_counts() {
        let mut ring = Ring::new(0);
        ring.push("a");
        assert_eq!(ring.len(), 0);
        assert_eq!(ring.pushed(), 1);
    }
}
