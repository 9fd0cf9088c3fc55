//! Counter increments from many threads are counted exactly, whether the
//! threads are still running or have exited (their cells are folded).

use std::sync::{Arc, Barrier};

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

const THREADS: u64 = 8;
const PER_THREAD: u64 = 100_000;

fn total(meter: &SdkMeter, name: &str) -> u64 {
    match meter.snapshot().series(name, &[]).map(|s| s.value.clone()) {
        Some(SeriesValue::Counter(n)) => n,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn exited_threads_are_counted_exactly() {
    let meter = SdkMeter::new();
    let counter = meter.counter(&Key::from_name("jobs_total"), &MetricMeta::EMPTY);
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let counter = counter.clone();
            std::thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    counter.increment(1);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(total(&meter, "jobs_total"), THREADS * PER_THREAD);
    counter.increment(5);
    assert_eq!(total(&meter, "jobs_total"), THREADS * PER_THREAD + 5);
}

#[test]
fn running_threads_are_counted_exactly_and_scrapes_race_safely() {
    let meter = SdkMeter::new();
    let counter = meter.counter(&Key::from_name("live_total"), &MetricMeta::EMPTY);
    let done = Arc::new(Barrier::new(THREADS as usize + 1));
    let release = Arc::new(Barrier::new(THREADS as usize + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let (counter, done, release) = (counter.clone(), done.clone(), release.clone());
            std::thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    counter.increment(i + 1);
                }
                done.wait();
                release.wait();
            })
        })
        .collect();
    // Scrapes while recording: monotonic, never above the final total.
    let expected: u64 = (1..=THREADS).map(|i| i * PER_THREAD).sum();
    let mut last = 0;
    for _ in 0..50 {
        let now = total(&meter, "live_total");
        assert!(now >= last && now <= expected, "{last} -> {now}");
        last = now;
    }
    done.wait();
    assert_eq!(total(&meter, "live_total"), expected);
    release.wait();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(total(&meter, "live_total"), expected);
}

#[test]
fn many_meters_on_one_thread_stay_separate() {
    for round in 0..3u64 {
        let a = SdkMeter::new();
        let b = SdkMeter::new();
        let ca = a.counter(&Key::from_name("n"), &MetricMeta::EMPTY);
        let cb = b.counter(&Key::from_name("n"), &MetricMeta::EMPTY);
        for _ in 0..10 + round {
            ca.increment(1);
        }
        cb.increment(2);
        assert_eq!(total(&a, "n"), 10 + round);
        assert_eq!(total(&b, "n"), 2);
    }
}

#[test]
fn increments_during_thread_teardown_are_kept() {
    struct IncrementOnDrop(omniscope::metrics::Counter);
    impl Drop for IncrementOnDrop {
        fn drop(&mut self) {
            self.0.increment(7);
        }
    }
    thread_local! {
        static LATE: std::cell::RefCell<Option<IncrementOnDrop>> = const { std::cell::RefCell::new(None) };
    }
    let meter = SdkMeter::new();
    let counter = meter.counter(&Key::from_name("late_total"), &MetricMeta::EMPTY);
    // Thread-local destructors run in reverse order of first use. First:
    // the meter's table is destroyed after `LATE` (the increment lands in
    // the table, which is then folded). Second: before it (the increment
    // finds no table and goes to the shared cell).
    for late_first in [false, true] {
        let counter = counter.clone();
        std::thread::spawn(move || {
            if late_first {
                LATE.with(|_| ());
            }
            counter.increment(1);
            LATE.with(|l| *l.borrow_mut() = Some(IncrementOnDrop(counter.clone())));
        })
        .join()
        .unwrap();
    }
    assert_eq!(total(&meter, "late_total"), 16);
}
