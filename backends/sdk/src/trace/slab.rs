//! Per-thread slabs of span slots, and the state protocol that lets the
//! owning thread record without locks while any thread may end a span.
//!
//! # Slots
//!
//! A [`Shard`] belongs to one thread at a time. It holds slots in buckets of
//! growing size (64, 128, 256, …) that are never moved or freed while the
//! tracer lives, so other threads can reach a slot by index. Each slot has a
//! state word, `generation << 2 | tag`, and its span data in an
//! `UnsafeCell`. Who may touch the data depends on the tag:
//!
//! | tag | data belongs to | leaves the state by |
//! |---|---|---|
//! | `FREE(g)` | the holder of the slot's [`FreeSlot`] (one value per free slot, moved, never copied) | [`Shard::open`]: `store(OPEN(g), Release)` |
//! | `OPEN(g)` | nobody | any thread's `CAS(OPEN(g) → BUSY(g), Acquire)` |
//! | `BUSY(g)` | the thread whose CAS succeeded | `store(OPEN(g) or DONE(g), Release)` |
//! | `DONE(g)` | the collector (one at a time: the shard's drain lock) | `store(FREE(g+1), Release)`, and a new [`FreeSlot`] |
//!
//! So starting a span costs plain stores (the owner holds a `FreeSlot`);
//! ending it costs one uncontended CAS, on whichever thread it ends; a
//! token naming a stale generation, a free slot or a slot that does not
//! exist finds no `OPEN(g)` and does nothing. A `BUSY` slot is only ever held
//! for a few instructions (an attribute push, the end stamp, the in-flight
//! view's copy), so a claimer that finds it busy spins, then yields. The
//! tracer never runs application code (a value's `Display`) inside a
//! claim: that code could claim the same slot again and wait for itself.
//!
//! # Tokens
//!
//! `shard (12 bits) | slot index (20 bits) | generation (32 bits)`: plain
//! numbers, checked on every use, never dereferenced. Generations start at 1,
//! so the token `0` never names a live span.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::slot::SlotData;
use crate::sync::lock;

/// Slots in the first bucket; bucket `b` holds `BASE << b`.
const BASE: usize = 64;
/// Enough buckets to reach [`MAX_SLOTS`].
const BUCKETS: usize = 15;
/// The most slots a shard may have (the token's 20 index bits).
pub(crate) const MAX_SLOTS: usize = 1 << 20;
/// The most shards (threads recording at once) per tracer (12 bits).
pub(crate) const MAX_SHARDS: usize = 1 << 12;

const FREE: u64 = 0;
const OPEN: u64 = 1;
const BUSY: u64 = 2;
const DONE: u64 = 3;

const fn pack(generation: u32, tag: u64) -> u64 {
    (generation as u64) << 2 | tag
}

const fn next_generation(g: u32) -> u32 {
    match g.wrapping_add(1) {
        0 => 1,
        n => n,
    }
}

/// Where a token points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) shard: u32,
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl Token {
    pub(crate) const fn encode(self) -> u64 {
        (self.shard as u64) << 52 | ((self.index as u64) & 0xf_ffff) << 32 | self.generation as u64
    }

    pub(crate) const fn decode(v: u64) -> Token {
        Token {
            shard: (v >> 52) as u32,
            index: ((v >> 32) & 0xf_ffff) as u32,
            generation: v as u32,
        }
    }
}

/// One span's place in a shard.
pub(crate) struct Slot {
    state: AtomicU64,
    data: UnsafeCell<SlotData>,
}

// SAFETY: `data` is only accessed by the one thread the state protocol (see
// the module docs) gives it to, with Acquire/Release edges on `state`
// between successive owners; `SlotData` is `Send`.
unsafe impl Sync for Slot {}

const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<SlotData>();
};

/// The exclusive right to open a free slot: exactly one exists per free
/// slot, created by [`Shard::grow`] and the drain, consumed by [`Shard::open`].
#[derive(Debug)]
pub(crate) struct FreeSlot {
    shard: u32,
    index: u32,
}

/// How a slot is left after a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Release {
    /// Still open.
    Open,
    /// Ended: waiting for the collector.
    Done,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            state: AtomicU64::new(pack(1, FREE)),
            data: UnsafeCell::new(SlotData::empty()),
        }
    }

    /// Claims the slot if it is `OPEN(generation)`, runs `f`, and leaves it
    /// as `f` says; `None` if the slot is not open in that generation.
    pub(crate) fn claim<R>(
        &self,
        generation: u32,
        f: impl FnOnce(&mut SlotData) -> (R, Release),
    ) -> Option<R> {
        let open = pack(generation, OPEN);
        let busy = pack(generation, BUSY);
        let mut spins = 0u32;
        loop {
            match self
                .state
                .compare_exchange(open, busy, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(current) if current == busy => backoff(&mut spins),
                Err(_) => return None,
            }
        }
        // SAFETY: our CAS moved the slot to BUSY(generation): the data is ours
        // until the store below (module docs, state table).
        let (r, release) = f(unsafe { &mut *self.data.get() });
        let next = match release {
            Release::Open => open,
            Release::Done => pack(generation, DONE),
        };
        self.state.store(next, Ordering::Release);
        Some(r)
    }

    /// Whether the slot is open (for scans; may change at once).
    fn is_open(&self) -> Option<u32> {
        let s = self.state.load(Ordering::Relaxed);
        (s & 3 == OPEN).then_some((s >> 2) as u32)
    }
}

fn backoff(spins: &mut u32) {
    *spins += 1;
    if *spins < 64 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// Which slots exist: bucket `b` covers indices
/// `BASE·(2^b − 1) .. BASE·(2^(b+1) − 1)`.
const fn locate(index: usize) -> (usize, usize) {
    let n = index / BASE + 1;
    let bucket = (usize::BITS - 1 - n.leading_zeros()) as usize;
    (bucket, index - BASE * ((1 << bucket) - 1))
}

/// Counters the owning thread writes (padded away from the fields other
/// threads read). Updated with load + store, not read-modify-write: only the
/// owner writes them, and a count lost to a rare race is acceptable.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct OwnerCounters {
    /// Spans sampled out on this thread.
    pub(crate) sampled_out: AtomicU64,
}

impl OwnerCounters {
    #[inline]
    pub(crate) fn bump(c: &AtomicU64) -> u64 {
        let n = c.load(Ordering::Relaxed).wrapping_add(1);
        c.store(n, Ordering::Relaxed);
        n
    }
}

/// One thread's slots.
pub(crate) struct Shard {
    id: u32,
    buckets: [OnceLock<Box<[Slot]>>; BUCKETS],
    /// How many slots exist (only the owner grows the shard).
    len: AtomicUsize,
    /// Slots the collector freed, waiting for the owner to take them.
    remote_free: Mutex<Vec<FreeSlot>>,
    /// Whether a thread owns the shard.
    owned: AtomicBool,
    /// Serializes drains.
    drain: Mutex<()>,
    pub(crate) owner: OwnerCounters,
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard")
            .field("id", &self.id)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Shard {
    fn new(id: u32) -> Shard {
        Shard {
            id,
            buckets: Default::default(),
            len: AtomicUsize::new(0),
            remote_free: Mutex::new(Vec::new()),
            owned: AtomicBool::new(true),
            drain: Mutex::new(()),
            owner: OwnerCounters::default(),
        }
    }

    /// How many slots exist.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// The slot at `index`, if it exists.
    #[inline]
    pub(crate) fn slot(&self, index: u32) -> Option<&Slot> {
        let (bucket, offset) = locate(index as usize);
        self.buckets.get(bucket)?.get()?.get(offset)
    }

    /// Adds the next bucket (owner only) if the shard stays within `max`
    /// slots; its slots are appended to `free`.
    pub(crate) fn grow(&self, max: usize, free: &mut Vec<FreeSlot>) -> bool {
        let len = self.len.load(Ordering::Relaxed);
        let (bucket, _) = locate(len);
        let size = BASE << bucket;
        if len >= max.min(MAX_SLOTS) || len + size > MAX_SLOTS || bucket >= BUCKETS {
            return false;
        }
        let slots: Box<[Slot]> = (0..size).map(|_| Slot::new()).collect();
        if self.buckets[bucket].set(slots).is_err() {
            return false;
        }
        self.len.store(len + size, Ordering::Release);
        // Reversed, so that `pop` hands out the lowest indices first.
        free.extend((len..len + size).rev().map(|i| FreeSlot {
            shard: self.id,
            index: i as u32,
        }));
        true
    }

    /// Opens a free slot: `init` fills it (the data is exclusively ours: we
    /// hold the slot's only `FreeSlot`), then the slot is published as open.
    /// Returns the token; `None` if `slot` is not of this shard.
    #[inline]
    pub(crate) fn open(&self, slot: FreeSlot, init: impl FnOnce(&mut SlotData)) -> Option<u64> {
        if slot.shard != self.id {
            return None;
        }
        let s = self.slot(slot.index)?;
        let state = s.state.load(Ordering::Acquire);
        if state & 3 != FREE {
            return None;
        }
        // SAFETY: the slot is FREE and we consumed its only `FreeSlot`, so no
        // other thread may access its data (module docs, state table); the
        // Acquire load above orders us after the drain that freed it.
        init(unsafe { &mut *s.data.get() });
        let generation = (state >> 2) as u32;
        s.state.store(pack(generation, OPEN), Ordering::Release);
        Some(
            Token {
                shard: self.id,
                index: slot.index,
                generation,
            }
            .encode(),
        )
    }

    /// Converts every `DONE` slot's data with `f` (which must write the item
    /// and leave the slot reset) into `chunks` of at most `chunk_len` items,
    /// each written in place in an allocation from `alloc` (given the
    /// length; it must return an unshared chunk of it); then frees the slots
    /// and appends them to `freed` (lowest index last, so that a free list
    /// popping from its end reuses low slots first). `None` if another drain of this shard is
    /// running and `wait` is false.
    ///
    /// The returned [`Drained`] keeps other drains of this shard out until
    /// it drops: a caller that hands the chunks on before dropping it hands
    /// this shard's spans on in the order they ended (the tail rule needs a
    /// trace's children before its root).
    ///
    /// # Safety
    /// `f` must initialize the item it is given (the chunks are assumed
    /// initialized once `f` has run for each item).
    pub(crate) unsafe fn drain_done<T>(
        &self,
        wait: bool,
        freed: &mut Vec<FreeSlot>,
        chunk_len: usize,
        chunks: &mut Vec<Arc<[T]>>,
        mut alloc: impl FnMut(usize) -> Arc<[MaybeUninit<T>]>,
        mut f: impl FnMut(&mut SlotData, &mut MaybeUninit<T>),
    ) -> Option<Drained<'_>> {
        let one_drainer = if wait {
            lock(&self.drain)
        } else {
            match self.drain.try_lock() {
                Ok(g) => g,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => return None,
            }
        };
        // First the DONE slots, then the conversion: knowing how many lets
        // each chunk be allocated once and written in place. A DONE slot
        // changes only under the drain lock, which we hold.
        let done: Vec<(u32, &Slot, u64)> = (0..self.len() as u32)
            .rev()
            .filter_map(|index| {
                let s = self.slot(index)?;
                let state = s.state.load(Ordering::Acquire);
                (state & 3 == DONE).then_some((index, s, state))
            })
            .collect();
        let mut converted = 0;
        for part in done.chunks(chunk_len.max(1)) {
            let mut chunk = alloc(part.len());
            // `alloc` gives an unshared chunk of that length; were it not,
            // the slots would stay DONE for the next drain.
            let Some(items) = Arc::get_mut(&mut chunk).filter(|i| i.len() == part.len()) else {
                break;
            };
            for ((_, s, _), item) in part.iter().zip(items.iter_mut()) {
                // SAFETY: DONE slots belong to the drainer, and we hold the
                // drain lock (module docs, state table); the Acquire load
                // orders us after the thread that ended the span.
                f(unsafe { &mut *s.data.get() }, item);
            }
            // SAFETY: `f` initialized every item (our caller's promise), one
            // per slot of `part`, and `items` has `part.len()` of them.
            chunks.push(unsafe { chunk.assume_init() });
            converted += part.len();
        }
        for &(index, s, state) in &done[..converted] {
            s.state.store(
                pack(next_generation((state >> 2) as u32), FREE),
                Ordering::Release,
            );
            freed.push(FreeSlot {
                shard: self.id,
                index,
            });
        }
        Some(Drained {
            count: converted,
            _one_drainer: one_drainer,
        })
    }

    /// Hands freed slots back to the owner.
    pub(crate) fn give_back(&self, freed: &mut Vec<FreeSlot>) {
        if !freed.is_empty() {
            lock(&self.remote_free).append(freed);
        }
    }

    /// Runs `f` on every open slot (claimed for the call).
    pub(crate) fn for_each_open(&self, mut f: impl FnMut(&SlotData)) {
        for index in 0..self.len() {
            let Some(s) = self.slot(index as u32) else {
                break;
            };
            if let Some(generation) = s.is_open() {
                s.claim(generation, |d| {
                    f(d);
                    ((), Release::Open)
                });
            }
        }
    }

    /// Takes the slots the collector freed.
    pub(crate) fn take_remote_free(&self, into: &mut Vec<FreeSlot>) {
        let mut remote = lock(&self.remote_free);
        if into.is_empty() {
            std::mem::swap(into, &mut remote);
        } else {
            into.append(&mut remote);
        }
    }

    /// Gives the shard up (its thread is exiting): the free slots go back to
    /// it, and another thread may adopt it.
    pub(crate) fn release(&self, free: Vec<FreeSlot>) {
        lock(&self.remote_free).extend(free);
        self.owned.store(false, Ordering::Release);
    }
}

/// A finished drain of one shard; other drains of the shard wait (or skip
/// it) until this drops.
#[derive(Debug)]
pub(crate) struct Drained<'a> {
    /// How many spans the drain converted.
    pub(crate) count: usize,
    _one_drainer: MutexGuard<'a, ()>,
}

/// A tracer's shards, by id.
pub(crate) struct Registry {
    shards: Box<[OnceLock<Arc<Shard>>]>,
    count: AtomicUsize,
    attach: Mutex<()>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("shards", &self.count)
            .finish_non_exhaustive()
    }
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            shards: (0..MAX_SHARDS).map(|_| OnceLock::new()).collect(),
            count: AtomicUsize::new(0),
            attach: Mutex::new(()),
        }
    }

    /// The shard with this id.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&Arc<Shard>> {
        self.shards.get(id as usize)?.get()
    }

    /// Every shard so far.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<Shard>> + '_ {
        let n = self.count.load(Ordering::Acquire);
        self.shards[..n.min(MAX_SHARDS)]
            .iter()
            .filter_map(OnceLock::get)
    }

    /// A shard for the calling thread: one whose thread exited (with its
    /// free slots), or a new one. `None` when [`MAX_SHARDS`] threads hold one.
    pub(crate) fn attach(&self) -> Option<(Arc<Shard>, Vec<FreeSlot>)> {
        let _serial = lock(&self.attach);
        for shard in self.iter() {
            if shard
                .owned
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                let mut free = Vec::new();
                shard.take_remote_free(&mut free);
                return Some((shard.clone(), free));
            }
        }
        let id = self.count.load(Ordering::Relaxed);
        let shard = Arc::new(Shard::new(u32::try_from(id).ok()?));
        self.shards.get(id)?.set(shard.clone()).ok()?;
        self.count.store(id + 1, Ordering::Release);
        Some((shard, Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drains `shard`'s ended slots into `chunks` of `chunk_len` items: each
    /// slot's `dropped_attributes`, taken. The number drained, as
    /// [`Shard::drain_done`] gives it.
    fn drain_counts(
        shard: &Shard,
        freed: &mut Vec<FreeSlot>,
        chunk_len: usize,
        chunks: &mut Vec<Arc<[u32]>>,
    ) -> Option<usize> {
        let write = |d: &mut SlotData, out: &mut MaybeUninit<u32>| {
            out.write(std::mem::take(&mut d.dropped_attributes));
        };
        // SAFETY: `write` writes its item.
        unsafe { shard.drain_done(true, freed, chunk_len, chunks, Arc::new_uninit_slice, write) }
            .map(|d| d.count)
    }

    #[test]
    fn tokens_round_trip() {
        let t = Token {
            shard: 4095,
            index: (1 << 20) - 1,
            generation: u32::MAX,
        };
        assert_eq!(Token::decode(t.encode()), t);
        let t = Token {
            shard: 3,
            index: 70,
            generation: 9,
        };
        assert_eq!(Token::decode(t.encode()), t);
    }

    #[test]
    fn buckets_tile_the_indices() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(63), (0, 63));
        assert_eq!(locate(64), (1, 0));
        assert_eq!(locate(191), (1, 127));
        assert_eq!(locate(192), (2, 0));
        let last = BASE * ((1 << (BUCKETS - 1)) - 1);
        assert_eq!(locate(last).0, BUCKETS - 1);
    }

    #[test]
    fn protocol() {
        let shard = Shard::new(0);
        let mut free = Vec::new();
        assert!(shard.grow(1000, &mut free));
        let slot = free.pop().unwrap();
        let token = shard.open(slot, |d| d.dropped_attributes = 7).unwrap();
        let t = Token::decode(token);
        let s = shard.slot(t.index).unwrap();
        assert_eq!(s.claim(t.generation + 1, |_| ((), Release::Done)), None);
        assert_eq!(
            s.claim(t.generation, |d| (d.dropped_attributes, Release::Done)),
            Some(7)
        );
        assert_eq!(
            s.claim(t.generation, |_| ((), Release::Done)),
            None,
            "ended once"
        );
        let (mut freed, mut chunks) = (Vec::new(), Vec::new());
        assert_eq!(drain_counts(&shard, &mut freed, 8, &mut chunks), Some(1));
        assert_eq!(chunks.concat(), [7]);
        shard.give_back(&mut freed);
        shard.take_remote_free(&mut free);
        assert_eq!(free.len(), 64);
        let slot = free.pop().unwrap();
        let again = Token::decode(shard.open(slot, |_| {}).unwrap());
        assert_eq!((again.index, again.generation), (t.index, t.generation + 1));
    }

    #[test]
    fn ends_on_another_thread_while_the_owner_drains() {
        const N: u16 = 32;
        let shard = Arc::new(Shard::new(0));
        let mut free = Vec::new();
        assert!(shard.grow(1000, &mut free));
        let tokens: Vec<u64> = (0..N)
            .map(|i| {
                shard
                    .open(free.pop().unwrap(), |d| d.dropped_attributes = u32::from(i))
                    .unwrap()
            })
            .collect();
        let ender = {
            let shard = shard.clone();
            std::thread::spawn(move || {
                for token in tokens {
                    let t = Token::decode(token);
                    let slot = shard.slot(t.index).unwrap();
                    assert_eq!(slot.claim(t.generation, |_| ((), Release::Done)), Some(()));
                }
            })
        };
        let (mut chunks, mut freed) = (Vec::new(), Vec::new());
        while chunks.iter().map(|c: &Arc<[u32]>| c.len()).sum::<usize>() < usize::from(N) {
            drain_counts(&shard, &mut freed, 5, &mut chunks);
            std::thread::yield_now();
        }
        ender.join().unwrap();
        assert!(chunks.iter().all(|c| c.len() <= 5), "chunks of at most 5");
        let mut seen = chunks.concat();
        seen.sort_unstable();
        assert_eq!(
            seen,
            (0..u32::from(N)).collect::<Vec<_>>(),
            "each span drained exactly once"
        );
    }
}
