//! `handle_error` with Sentry (issue #15): what the caller's thread pays to
//! report one error (a chain of three) to Sentry, with omniscope-sentry
//! installed and with the `sentry` crate's own `capture_error`, in one run.
//! Group and id names are fixed: `scripts/bench-report` refers to them.
//!
//! Both send to the same loopback HTTP server, which answers every post
//! `200` at once (a thread per connection), so that delivery never stalls;
//! sending runs on each crate's own thread either way.
//!
//! - `sentry_handle_error/omniscope`: `omniscope::handle_error` with the
//!   SDK's error handler installed and `SentryReporter` its only reporter:
//!   counting, conversion into an `ErrorEvent` and a push onto the bounded
//!   queue. The Sentry event is built, serialised and posted on the
//!   pipeline's thread.
//! - `sentry_handle_error/sentry_capture_error`: `sentry::capture_error`
//!   with a client (`sentry::init`, ureq transport over rustls, no default
//!   integrations): the event is built, processed and enveloped on the
//!   caller's thread, then queued on the transport's channel (30 envelopes).
//! - `sentry_handle_error/atomic_load`: the baseline.
//!
//! And what each log record costs the logging thread for the breadcrumbs
//! (the records of each trace kept for its events):
//!
//! - `sentry_breadcrumb/omniscope`: `BreadcrumbExporter`'s immediate
//!   export of one info record with two fields, in a trace (one of 64
//!   traces logging in turn): the key's hash, a shard's lock, the record
//!   copied into its trail (100 kept per trace).
//!
//! Both queues are bounded, so at this rate most errors are dropped (and
//! counted) once they are full: the steady state of a burst. One
//! `bench-note` line gives omniscope's exported and dropped counts.
//!
//! Backtraces are off (`RUST_LIB_BACKTRACE=0`, set before anything asks):
//! with them on, omniscope-sentry captures the handling site's stack on the
//! caller's thread — unwinding only, about 8 µs here, resolution left to
//! the pipeline thread — which `capture_error` does not do at all.
#![allow(clippy::expect_used)] // a failed setup stops the bench, with its reason

use std::fmt;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use omniscope::{Level, SpanId, TraceId, Value};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::Exporter;
use omniscope_sdk::{testing, Resource};
use omniscope_sentry::Sentry;

#[derive(Debug)]
struct CheckoutError(StorageError);
#[derive(Debug)]
struct StorageError(std::io::Error);

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("checkout failed")
    }
}
impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot store the order")
    }
}
impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A loopback server answering every request `200` with an event id.
fn accepting_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    let mut length = 0usize;
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
                    if reader.get_mut().write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn error() -> CheckoutError {
    CheckoutError(StorageError(std::io::Error::other("disk full")))
}

fn sentry_handle_error(c: &mut Criterion) {
    // Read once by the standard library, on the first capture.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    let addr = accepting_server();
    let dsn = format!("http://public@{addr}/1");

    let sentry = Sentry::builder()
        .with_dsn(&dsn)
        .build()
        .expect("a valid DSN");
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(sentry.reporter()))
        .build()
        .expect("the error pipeline starts");
    if omniscope::set_error_handler(errors.clone()).is_err() {
        panic!("an error handler is already installed");
    }
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn.parse().expect("a valid DSN"));
    options.default_integrations = false;
    let _client = sentry::init(options);

    let e = error();
    let mut group = c.benchmark_group("sentry_handle_error");
    group.bench_function("omniscope", |b| {
        b.iter(|| omniscope::handle_error(black_box(&e)));
    });
    group.bench_function("sentry_capture_error", |b| {
        b.iter(|| sentry::capture_error(black_box(&e)));
    });
    group.bench_function("atomic_load", |b| {
        b.iter(omniscope_benches::relaxed_load_branch)
    });
    group.finish();

    let _ = errors.flush(Instant::now() + Duration::from_secs(10));
    for stats in errors.pipeline_stats() {
        omniscope_benches::note(&format!(
            "sentry_handle_error/omniscope: exported {}, dropped {} ({:?}); sentry {:?}",
            stats.exported,
            stats.dropped.total(),
            stats.dropped,
            sentry.stats()
        ));
    }
}

fn sentry_breadcrumb(c: &mut Criterion) {
    let sentry = Sentry::builder()
        .with_dsn("http://public@127.0.0.1:9/1")
        .build()
        .expect("a valid DSN");
    let exporter = sentry.breadcrumbs();
    let immediate = exporter.immediate().expect("breadcrumbs are immediate");
    let resource = Resource::new("bench");
    let records: Vec<_> = (0..64u128)
        .map(|t| {
            testing::log(Level::Info, "order created")
                .with_field("order.id", Value::U64(42))
                .with_field("channel", Value::Str("web"))
                .with_ids(TraceId::from_u128(t + 1), SpanId::from_u64(1))
                .build()
        })
        .collect();
    let mut i = 0;
    let mut group = c.benchmark_group("sentry_breadcrumb");
    group.bench_function("omniscope", |b| {
        b.iter(|| {
            i = (i + 1) % records.len();
            immediate.export(black_box(&records[i]), &resource)
        });
    });
    group.bench_function("atomic_load", |b| {
        b.iter(omniscope_benches::relaxed_load_branch)
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = sentry_handle_error, sentry_breadcrumb
}
criterion_main!(benches);
