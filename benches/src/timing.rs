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

/// What [`iter_under_roots`] did, for the notes under the tables.
#[derive(Debug, Clone, Copy)]
pub struct SpanStats {
    /// Child spans: the timed ones.
    pub children: u64,
    /// Roots: one per [`CHILDREN_PER_ROOT`] children.
    pub roots: u64,
    /// The timed part.
    pub timed: Duration,
    /// CPU time of the whole process (every thread: the caller, the
    /// crate's background threads) while the runs, their untimed parts
    /// and the `after` hook ran; `None` without `/proc/self/stat`.
    pub cpu: Option<Duration>,
}

impl Default for SpanStats {
    fn default() -> SpanStats {
        SpanStats {
            children: 0,
            roots: 0,
            timed: Duration::ZERO,
            cpu: Some(Duration::ZERO),
        }
    }
}

impl SpanStats {
    /// Children and roots.
    pub fn total(&self) -> u64 {
        self.children + self.roots
    }

    /// Timed nanoseconds per child span, and process CPU nanoseconds per
    /// span started (children and roots), as a note fragment.
    pub fn summary(&self) -> String {
        let per = |d: Duration, n: u64| d.as_nanos() as f64 / n.max(1) as f64;
        let cpu = match self.cpu {
            Some(cpu) => format!("{:.0} ns", per(cpu, self.total())),
            None => "unknown".to_owned(),
        };
        format!(
            "{} spans started; timed {:.0} ns per child; process CPU {cpu} per span (all threads)",
            self.total(),
            per(self.timed, self.children),
        )
    }
}

/// Times `child` as a child span of a sampled root, the same way for every
/// crate: for each run of up to [`CHILDREN_PER_ROOT`] iterations, `open`
/// starts a root and makes it current (untimed), then the children run
/// (timed), then the second value `open` returned is dropped (timed: for
/// fastrace this is the local parent guard, whose drop hands the children
/// over to the collector), then the first is dropped (untimed: it ends the
/// root). After the runs of one Criterion sample, `after` runs (untimed).
///
/// The two clock reads per run cost about 0.2 ns per iteration, the same
/// for every id.
pub fn iter_under_roots<R, G, O>(
    b: &mut Bencher<'_>,
    stats: &mut SpanStats,
    mut open: impl FnMut() -> (R, G),
    mut child: impl FnMut() -> O,
    mut after: impl FnMut(),
) {
    b.iter_custom(|iters| {
        let cpu_start = cpu_time();
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
            stats.children += n;
            stats.roots += 1;
            left -= n;
        }
        after();
        stats.timed += total;
        stats.cpu = match (stats.cpu, cpu_start, cpu_time()) {
            (Some(sum), Some(start), Some(end)) => Some(sum + end.saturating_sub(start)),
            _ => None,
        };
        total
    });
}

/// The CPU time of this process so far (`utime + stime` of
/// `/proc/self/stat`, in ticks of 10 ms: summed over a bench's samples, the
/// rounding evens out to about a percent).
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold
    // spaces: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
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
            let contender = Contender {
                op,
                handshake: &handshake,
                thread: helper.thread().clone(),
            };
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
