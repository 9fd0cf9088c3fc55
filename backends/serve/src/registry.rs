//! [`Registry`]: the connections a server holds, which one makes room for a
//! new one, and the bytes of answers not written yet.
//!
//! Every connection holds a slot. When all are taken, the connection that
//! has been idle the longest (running no handler: still sending its
//! headers, kept alive between requests, or with its answer ready but not
//! read) is closed to make room, so that a fresh request is always served;
//! one running a handler is never cut, and with every slot running one the
//! new connection is closed instead. Likewise the bytes of answers handed
//! to clients that read slowly are bounded: an answer that does not fit
//! closes the connections that have left theirs unread the longest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};

use crate::ServerStats;

/// What a server holds at most, and for how long.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) max_buffered_bytes: usize,
    pub(crate) write_timeout: Duration,
}

/// The connections of one server.
#[derive(Debug)]
pub(crate) struct Registry {
    limits: Limits,
    inner: Mutex<Inner>,
    /// Connection tasks still running (an evicted one runs until it has
    /// closed), for the drain at shutdown.
    open: watch::Sender<usize>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    slots: HashMap<u64, Slot>,
    /// The sum of every slot's `owed`.
    buffered: usize,
    stats: ServerStats,
}

#[derive(Debug)]
struct Slot {
    /// A handler is running for it: it is never evicted.
    busy: bool,
    /// Since when it has run no handler: accepted, or its last answer ready.
    idle_since: Instant,
    /// Bytes of its answers not written yet.
    owed: usize,
    /// When its last answer must have been written.
    write_by: Option<Instant>,
    evict: Arc<Notify>,
}

/// A connection's slot, given back on drop.
#[derive(Debug)]
pub(crate) struct Admitted {
    registry: Arc<Registry>,
    id: u64,
    evict: Arc<Notify>,
}

/// An answer larger than the server holds in memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TooLarge {
    pub(crate) size: usize,
    pub(crate) max: usize,
}

impl Registry {
    pub(crate) fn new(limits: Limits) -> Arc<Registry> {
        Arc::new(Registry {
            limits: Limits {
                max_connections: limits.max_connections.max(1),
                ..limits
            },
            inner: Mutex::new(Inner::default()),
            open: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The counts stay consistent between statements: go on after a
        // panic elsewhere.
        omniscope::sync::lock(&self.inner)
    }

    /// A slot for a new connection, made by evicting the connection idle
    /// the longest when all are taken; `None` (counted) when every slot
    /// runs a handler.
    pub(crate) fn admit(self: &Arc<Registry>) -> Option<Admitted> {
        let mut inner = self.lock();
        if inner.slots.len() >= self.limits.max_connections {
            let oldest = inner
                .slots
                .iter()
                .filter(|(_, slot)| !slot.busy)
                .min_by_key(|(_, slot)| slot.idle_since)
                .map(|(id, _)| *id);
            let Some(oldest) = oldest else {
                inner.stats.refused_connections += 1;
                return None;
            };
            inner.evict(oldest);
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let evict = Arc::new(Notify::new());
        inner.slots.insert(
            id,
            Slot {
                busy: false,
                idle_since: Instant::now(),
                owed: 0,
                write_by: None,
                evict: evict.clone(),
            },
        );
        inner.stats.connections = inner.slots.len();
        drop(inner);
        self.open.send_modify(|open| *open += 1);
        Some(Admitted {
            registry: self.clone(),
            id,
            evict,
        })
    }

    /// A handler starts for connection `id`.
    pub(crate) fn begin(&self, id: u64) {
        if let Some(slot) = self.lock().slots.get_mut(&id) {
            slot.busy = true;
        }
    }

    /// The handler for `id` ended without an answer (its client left).
    pub(crate) fn abandon(&self, id: u64) {
        if let Some(slot) = self.lock().slots.get_mut(&id) {
            slot.busy = false;
            slot.idle_since = Instant::now();
        }
    }

    /// The handler for `id` answered `size` bytes, to be written within the
    /// write timeout. To fit them, the connections that have left their
    /// answers unread the longest are closed.
    ///
    /// # Errors
    /// [`TooLarge`] (counted) when the answer alone exceeds the limit; the
    /// connection is then idle with nothing owed.
    pub(crate) fn respond(&self, id: u64, size: usize) -> Result<(), TooLarge> {
        let now = Instant::now();
        let mut inner = self.lock();
        if let Some(slot) = inner.slots.get_mut(&id) {
            slot.busy = false;
            slot.idle_since = now;
            slot.write_by = now.checked_add(self.limits.write_timeout);
        }
        let max = self.limits.max_buffered_bytes;
        if size > max {
            inner.stats.oversized_responses += 1;
            return Err(TooLarge { size, max });
        }
        while inner.buffered + size > max {
            let unread = inner
                .slots
                .iter()
                .filter(|(other, slot)| **other != id && !slot.busy && slot.owed > 0)
                .min_by_key(|(_, slot)| slot.idle_since)
                .map(|(other, _)| *other);
            match unread {
                Some(other) => inner.evict(other),
                // Only this connection's own earlier answers remain.
                None => break,
            }
        }
        if let Some(slot) = inner.slots.get_mut(&id) {
            slot.owed += size;
            inner.buffered += size;
        }
        inner.stats.buffered_bytes = inner.buffered;
        Ok(())
    }

    /// `n` bytes were written to connection `id`.
    pub(crate) fn wrote(&self, id: u64, n: usize) {
        let mut inner = self.lock();
        let Some(slot) = inner.slots.get_mut(&id) else {
            return;
        };
        // Heads are written too, and were not counted: never below zero.
        let paid = n.min(slot.owed);
        slot.owed -= paid;
        inner.buffered -= paid;
        inner.stats.buffered_bytes = inner.buffered;
    }

    /// When the last answer of connection `id` must have been written.
    pub(crate) fn write_by(&self, id: u64) -> Option<Instant> {
        self.lock().slots.get(&id).and_then(|slot| slot.write_by)
    }

    /// A connection was closed because its client did not read in time.
    pub(crate) fn count_write_timeout(&self) {
        self.lock().stats.write_timeouts += 1;
    }

    /// A request was refused for its `Host`.
    pub(crate) fn count_misdirected(&self) {
        self.lock().stats.misdirected_requests += 1;
    }

    /// What the server holds now, and what it has refused.
    pub(crate) fn stats(&self) -> ServerStats {
        self.lock().stats
    }

    /// Resolves once every connection task has ended.
    pub(crate) async fn drained(&self) {
        let mut open = self.open.subscribe();
        // The sender lives as long as `self`: no error.
        let _ = open.wait_for(|open| *open == 0).await;
    }
}

impl Inner {
    /// Frees `id`'s slot now and tells its task to close the connection.
    fn evict(&mut self, id: u64) {
        if let Some(slot) = self.remove(id) {
            slot.evict.notify_one();
            self.stats.evicted_connections += 1;
        }
    }

    fn remove(&mut self, id: u64) -> Option<Slot> {
        let slot = self.slots.remove(&id)?;
        self.buffered -= slot.owed;
        self.stats.buffered_bytes = self.buffered;
        self.stats.connections = self.slots.len();
        Some(slot)
    }
}

impl Admitted {
    /// The connection's id, for the registry's other calls.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Resolves when the connection is evicted to make room.
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.registry.lock().remove(self.id);
        self.registry.open.send_modify(|open| *open -= 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(max_connections: usize, max_buffered_bytes: usize) -> Arc<Registry> {
        Registry::new(Limits {
            max_connections,
            max_buffered_bytes,
            write_timeout: Duration::from_secs(30),
        })
    }

    #[test]
    fn a_full_registry_evicts_the_longest_idle_and_never_a_busy_one() {
        let r = registry(2, 100);
        let first = r.admit().unwrap();
        let second = r.admit().unwrap();
        r.begin(second.id());
        let third = r.admit().unwrap();
        assert_eq!(r.stats().evicted_connections, 1);
        assert!(!r.lock().slots.contains_key(&first.id()));
        r.begin(third.id());
        assert!(r.admit().is_none(), "every slot runs a handler");
        assert_eq!(r.stats().refused_connections, 1);
        assert_eq!(r.stats().connections, 2);
        drop((first, second, third));
        assert_eq!(r.stats().connections, 0);
        assert_eq!(*r.open.borrow(), 0);
    }

    #[test]
    fn answers_fit_the_budget_by_evicting_the_oldest_unread() {
        let r = registry(8, 100);
        let a = r.admit().unwrap();
        let b = r.admit().unwrap();
        let c = r.admit().unwrap();
        r.respond(a.id(), 60).unwrap();
        r.respond(b.id(), 30).unwrap();
        r.wrote(b.id(), 10);
        assert_eq!(r.stats().buffered_bytes, 80);
        r.respond(c.id(), 50).unwrap();
        let stats = r.stats();
        assert_eq!((stats.buffered_bytes, stats.evicted_connections), (70, 1));
        assert!(!r.lock().slots.contains_key(&a.id()), "the oldest went");
        assert!(r.respond(c.id(), 101).is_err());
        assert_eq!(r.stats().oversized_responses, 1);
        r.wrote(c.id(), 1000);
        assert_eq!(r.stats().buffered_bytes, 20);
        drop(b);
        assert_eq!(r.stats().buffered_bytes, 0);
    }
}
