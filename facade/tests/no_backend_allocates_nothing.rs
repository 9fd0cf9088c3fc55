//! Acceptance: with nothing installed (and the pre-init buffer disabled),
//! every macro form records nothing and allocates nothing.
//!
//! A counting `#[global_allocator]` counts the allocations made on the
//! measuring thread only, so the test harness's other threads cannot
//! disturb it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};

use counting_alloc::allocations_in;
use omniscope::metrics::{Key, Label, LazyCounter};
use omniscope::{
    counter, debug, error, gauge, handle_error, histogram, info, log, log_enabled, span, trace,
    up_down_counter, warn, Context, FutureExt, Level, LevelFilter, SpanKind,
};

#[derive(Debug)]
struct DiskFull;

impl fmt::Display for DiskFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk full")
    }
}

impl std::error::Error for DiskFull {}

/// Something whose `Display` and `Debug` would allocate if they were run.
struct Expensive;

impl fmt::Display for Expensive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"x".repeat(64))
    }
}

impl fmt::Debug for Expensive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"y".repeat(64))
    }
}

const WEB: &[Label<'static>] = &[Label::from_static("channel", "web")];
static ORDERS: LazyCounter = LazyCounter::new(Key::from_static("orders_total", WEB));

/// Polls `fut` to completion with a waker that does nothing (no runtime).
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A future that is pending once, so `Instrumented::poll` runs twice.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = u32;

    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<u32> {
        if self.0 {
            Poll::Ready(7)
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// Every macro form, with arguments whose formatting would allocate.
fn every_macro_form(name: &str, channel: &str) {
    let user = "ada";
    let order = 42_u64;
    let err = DiskFull;

    trace!("trace {}", Expensive);
    debug!("debug {:?}", Expensive; order.id = order, user);
    info!("plain");
    info!("with args {} {:?}", Expensive, Expensive; order.id = order, total = 9.5);
    info!(target: "audit", "login"; user.name = user, shown = %Expensive, dbg = ?Expensive);
    warn!("slow: {} ms", 1200; %user, ?order, "literal.key" = 1, "lit.d" = %Expensive);
    error!("failed"; error = &err as &(dyn std::error::Error + 'static), retry = true);
    log!(Level::Info, "explicit level {}", Expensive; a.b.c = -1_i64);
    log!(target: "t", Level::Error, "explicit target"; flag = false);

    assert!(!log_enabled!(Level::Error));
    assert!(!log_enabled!(target: "audit", Level::Trace));

    {
        let _a = span!("plain_span");
        let _b = span!("with_fields", order.id = order, shown = %Expensive, dbg = ?Expensive);
        let _c = span!(level: Level::Debug, "with_level");
        let _d = span!(kind: SpanKind::Client, "with_kind", user);
        let _e = span!(target: "db", "with_target", rows = 3_u32);
        let all = span!(
            level: Level::Trace,
            kind: SpanKind::Server,
            target: "http",
            "all_options",
            http.method = "GET",
        );
        assert!(!all.is_recording());
        assert_eq!(omniscope::context::current_ids(), None);
        info!("inside spans"; inner = true);
    }

    counter!("requests_total").increment(1);
    counter!("requests_total", "method" => "GET", "code" => "200").increment(1);
    counter!(name, "channel" => channel).increment(1);
    counter!(format!("{name}_dyn")).increment(1);
    gauge!("temperature").set(21.5);
    gauge!("temperature", "room" => "a").add(-1.0);
    gauge!(name, "room" => channel).set(1.0);
    histogram!("latency_seconds").record(0.25);
    histogram!("latency_seconds", "route" => "/orders").record(0.5);
    histogram!(name, "route" => channel).record_duration(std::time::Duration::from_millis(3));
    up_down_counter!("connections").add(1);
    up_down_counter!("connections", "pool" => "db").decrement();
    up_down_counter!(name, "pool" => channel).increment();
    ORDERS.increment(1);

    handle_error!(&err);
    handle_error!(&err; order.id = order, stage = "ship", detail = %Expensive);
    omniscope::handle_error(&err);

    let value = block_on(YieldOnce(false).in_current_span());
    assert_eq!(value, 7);
    let value = block_on(YieldOnce(false).in_span(span!("future_span", order)));
    assert_eq!(value, 7);

    let cx = Context::current();
    assert!(cx.span_context().is_none());
    drop(cx);
    assert_eq!(omniscope::context::current_ids(), None);
}

#[test]
fn no_backend_records_and_allocates_nothing() {
    // The pre-init buffer keeps early logs and errors on purpose (it owns
    // copies of them); with it off, nothing is kept anywhere.
    omniscope::preinit::disable();
    assert_eq!(omniscope::max_level(), LevelFilter::Off);

    // Built outside the measurement: dynamic names and labels are the
    // caller's own allocations.
    let name = String::from("dynamic_metric");
    let channel = String::from("mobile");

    // The first pass is the cold one: first use of every call site and of
    // the thread's current context. It must not allocate either.
    let first = allocations_in(|| every_macro_form(&name, &channel));
    let second = allocations_in(|| every_macro_form(&name, &channel));
    assert_eq!(
        (first, second),
        (0, 0),
        "allocations in the cold and warm passes"
    );

    // And nothing was kept: the buffer saw nothing, no span got ids.
    assert_eq!(omniscope::preinit::dropped(), 0);
    assert_eq!(omniscope::max_level(), LevelFilter::Off);
}

/// The counter itself must see allocations, or the zeros above prove nothing.
#[test]
fn the_counter_counts() {
    let n = allocations_in(|| {
        let v: Vec<u8> = Vec::with_capacity(16);
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}
