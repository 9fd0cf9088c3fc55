//! Timing loops shared by every crate of a group, so that the only
//! difference between two ids is the code under test.
//!
//! - [`iter_under_roots`]: child spans of a sampled root, the root opened
//!   and ended outside the timed region.
//! - [`Contender`]: a second thread running the same operation as the
//!   measured one, for the `*_2_threads` groups.

use std::hint::{black_box, spin_loop};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, Scope, Thread};
use std::time::{Duration, Instant};

use criterion::Bencher;

/// How many child spans each root holds in [`iter_under_roots`]: a large
/// request. Below fastrace's local span queue (10 240), so that none of its
/// local spans is dropped for want of room.
pub const CHILDREN_PER_ROOT: u64 = 256;

/// Spans started (children and roots) by [`iter_under_roots`], to compare
/// with what the exporters received.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpanCount {
    /// Child spans: the timed ones.
    pub children: u64,
    /// Roots: one per [`CHILDREN_PER_ROOT`] children.
    pub roots: u64,
}

impl SpanCount {
    /// Children and roots.
    pub fn total(&self) -> u64 {
        self.children + self.roots
    }
}

/// Times `child` as a child span of a sampled root, the same way for every
/// crate: for each run of up to [`CHILDREN_PER_ROOT`] iterations, `open`
/// starts a root and makes it current (untimed), then the children run
/// (timed), then the second value `open` returned is dropped (timed: for
/// fastrace this is the local parent guard, whose drop hands the children
/// over to the collector), then the first is dropped (untimed: it ends the
/// root).
///
/// The two clock reads per run cost about 0.2 ns per iteration, the same
/// for every id.
pub fn iter_under_roots<R, G, O>(
    b: &mut Bencher<'_>,
    count: &mut SpanCount,
    mut open: impl FnMut() -> (R, G),
    mut child: impl FnMut() -> O,
) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(CHILDREN_PER_ROOT);
            let (root, guard) = open();
            let start = Instant::now();
            for _ in 0..n {
                black_box(child());
            }
            drop(guard);
            total += start.elapsed();
            drop(root);
            count.children += n;
            count.roots += 1;
            left -= n;
        }
        total
    });
}

/// The handshake between the measured thread and the contender.
#[derive(Debug, Default)]
struct Handshake {
    /// The generation of the last job posted by the measured thread.
    posted: AtomicU64,
    /// How many operations the posted job holds.
    job: AtomicU64,
    /// The generation the contender is ready to run.
    acked: AtomicU64,
    /// The generation both threads may start.
    go: AtomicU64,
    /// The generation the contender finished.
    done: AtomicU64,
    quit: AtomicBool,
}

/// A second thread that runs the measured operation as many times as the
/// measured thread, at the same time, for the `*_2_threads` groups.
///
/// [`Contender::run`] is the body of `iter_custom`: both threads start
/// together (the contender is awake and spinning before the clock starts),
/// each runs `op` `iters` times, and the time is the wall time until *both*
/// finished. Criterion divides it by `iters`, so the figure is the time per
/// operation on each of two threads: a counter that scales perfectly shows
/// its one-thread time, one whose cache line bounces shows more.
///
/// The thread lives across Criterion's samples (made by [`Contender::with`]),
/// so per-thread state (omniscope's counter cells) is set up once, outside
/// the timed region, as in a long-lived service thread.
#[derive(Debug)]
pub struct Contender<'a, F> {
    op: &'a F,
    handshake: &'a Handshake,
    thread: Thread,
}

impl<F: Fn() + Sync> Contender<'_, F> {
    /// Starts a contender running `op`, calls `body` with it, then stops it.
    pub fn with<T>(op: &F, body: impl FnOnce(&Contender<'_, F>) -> T) -> T {
        let handshake = Handshake::default();
        thread::scope(|scope: &Scope<'_, '_>| {
            let helper = scope.spawn(|| contend(op, &handshake));
            let contender = Contender { op, handshake: &handshake, thread: helper.thread().clone() };
            let out = body(&contender);
            handshake.quit.store(true, Ordering::Release);
            contender.thread.unpark();
            out
        })
    }

    /// Runs `op` `iters` times here and on the contender, at once; returns
    /// the wall time until both are done.
    pub fn run(&self, iters: u64) -> Duration {
        let h = self.handshake;
        let generation = h.posted.load(Ordering::Relaxed) + 1;
        h.job.store(iters, Ordering::Relaxed);
        h.posted.store(generation, Ordering::Release);
        self.thread.unpark();
        while h.acked.load(Ordering::Acquire) != generation {
            spin_loop();
        }
        let start = Instant::now();
        h.go.store(generation, Ordering::Release);
        for _ in 0..iters {
            (self.op)();
        }
        while h.done.load(Ordering::Acquire) != generation {
            spin_loop();
        }
        start.elapsed()
    }
}

/// The contender's loop: parked between jobs, spinning from its ack to the
/// start signal.
fn contend<F: Fn()>(op: &F, h: &Handshake) {
    let mut seen = 0;
    loop {
        if h.quit.load(Ordering::Acquire) {
            return;
        }
        let generation = h.posted.load(Ordering::Acquire);
        if generation == seen {
            thread::park();
            continue;
        }
        seen = generation;
        let iters = h.job.load(Ordering::Relaxed);
        h.acked.store(generation, Ordering::Release);
        while h.go.load(Ordering::Acquire) != generation {
            spin_loop();
        }
        for _ in 0..iters {
            op();
        }
        h.done.store(generation, Ordering::Release);
    }
}
