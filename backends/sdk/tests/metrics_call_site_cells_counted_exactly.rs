//! `counter!` call sites keep each thread's cell of the installed SDK meter
//! (see `omniscope::metrics::CounterSite`): every increment is still counted
//! exactly once, from running and exited threads, from thread-local
//! destructors before and after the thread's cells are folded, and a
//! capture active takes the increments it should. One install per process:
//! this file is its own test.

use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

const THREADS: u64 = 4;
const PER_THREAD: u64 = 50_000;

/// The counter's total; 0 before its first increment made the series (the
/// threads may not have run yet when it is first read).
fn total(meter: &SdkMeter, name: &str) -> u64 {
    match meter.snapshot().series(name, &[]).map(|s| s.value.clone()) {
        Some(SeriesValue::Counter(n)) => n,
        None => 0,
        other => panic!("{name}: {other:?}"),
    }
}

fn hit() {
    omniscope::counter!("site_total").increment(1);
}

struct HitOnDrop;

impl Drop for HitOnDrop {
    fn drop(&mut self) {
        hit();
        hit();
    }
}

thread_local! {
    static LATE: std::cell::RefCell<Option<HitOnDrop>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn call_site_cells_count_every_increment_once() {
    let meter = SdkMeter::new();
    omniscope::set_meter(meter.clone()).unwrap();

    // Running threads, read while they wait, then read again once exited.
    let done = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let done = done.clone();
            std::thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    hit();
                }
                done.wait();
            })
        })
        .collect();
    let mut last = 0;
    for _ in 0..20 {
        let now = total(&meter, "site_total");
        assert!(
            now >= last && now <= THREADS * PER_THREAD,
            "{last} -> {now}"
        );
        last = now;
    }
    done.wait();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(total(&meter, "site_total"), THREADS * PER_THREAD);

    // Thread-local destructors run in reverse order of first use: with
    // `LATE` used first, its increments come after the SDK's table is
    // folded (the site's cell is stale by then); otherwise before.
    for late_first in [false, true] {
        std::thread::spawn(move || {
            if late_first {
                LATE.with(|_| ());
            }
            hit();
            hit();
            LATE.with(|l| *l.borrow_mut() = Some(HitOnDrop));
        })
        .join()
        .unwrap();
    }
    let base = THREADS * PER_THREAD;
    assert_eq!(total(&meter, "site_total"), base + 8);

    // This thread's cell is cached by now; a capture still takes what is
    // recorded inside it, and the meter gets the rest.
    hit();
    let captured = omniscope::testing::capture(|| {
        hit();
        hit();
    });
    hit();
    assert_eq!(captured.counter("site_total", &[]), Some(2));
    assert_eq!(total(&meter, "site_total"), base + 10);
}
