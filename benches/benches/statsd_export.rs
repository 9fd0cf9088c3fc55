//! A statsd flush of 10,000 series (issue #16): the cost of turning one
//! interval's values into DogStatsD lines and sending them over UDP, with
//! omniscope-statsd and with `cadence` (which formats and sends on every
//! call), the same values in each, in one run. Group and id names are
//! fixed: `scripts/bench-report` and earlier results refer to them.
//!
//! The series: 90 counters × 100 `route` labels (9,000 counter series,
//! `requests_{i}_total` tagged `route:/r{j}` and `status:200`, one delta
//! each) and 10 histograms × 100 routes (1,000 histogram series, three
//! values each, sent as `|h`). DogStatsD everywhere, no prefix, no constant
//! or service tags. Each crate sends to its own socket on 127.0.0.1, drained
//! by a thread of the bench, so that what is measured is serialisation and
//! `send`, never a full receive buffer.
//!
//! - `statsd_flush_10k_series/omniscope`: one delta collection
//!   (`DeltaReader::collect`) and `StatsdExporter::export` of it (v1.1
//!   multi-value packing, 1432-byte datagrams): the work of the metrics
//!   export thread at each interval. The values are recorded before each
//!   iteration, outside the timing.
//! - `statsd_flush_10k_series/omniscope_record`: recording those values
//!   through the SDK's handles: all that the caller's thread pays with
//!   omniscope, the flush happening on the export thread.
//! - `statsd_flush_10k_series/cadence_udp`: the same 12,000 values through
//!   `cadence`'s `StatsdClient` per call, `UdpMetricSink` (one datagram per
//!   value), on the caller's thread.
//! - `statsd_flush_10k_series/cadence_buffered`: the same with
//!   `BufferedUdpMetricSink` (lines packed into 1432-byte datagrams,
//!   flushed at the end).
//!
//! `metrics-exporter-dogstatsd` flushes only on its own timer and, by
//! design, spreads a flush's datagrams over the rest of the interval,
//! sleeping between sends: its wall time follows the interval, not its
//! work. So the group `statsd_flush_cpu_10k_series` compares *CPU time*
//! per flush, read the same way for both from the scheduler's account of
//! each thread (`/proc/self/task/{tid}/schedstat`, in nanoseconds):
//!
//! - `omniscope`: the bench thread's CPU time for one collection and
//!   export, as in `statsd_flush_10k_series/omniscope`;
//! - `metrics_exporter_dogstatsd`: its forwarder thread's CPU time from
//!   just before the values are recorded (through handles registered once,
//!   as with omniscope) until the 10,000 lines of their flush have arrived
//!   (100 ms flush interval, 1432-byte payloads, histograms as `|h` with
//!   every value kept and packed, no telemetry). The next values are
//!   recorded before its next flush, as in a service that updates every
//!   series in every interval: once a counter goes idle it sends one more
//!   zero for it (the note's first flush shows those 9,000 zeros), which
//!   this steady state never triggers.
//!
//! One `bench-note` line gives each crate's lines and datagrams per flush.

use std::hint::black_box;
use std::net::UdpSocket;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use cadence::prelude::*;
use cadence::{BufferedUdpMetricSink, StatsdClient, UdpMetricSink};
use criterion::{criterion_group, criterion_main, Criterion};
use metrics_exporter_dogstatsd::DogStatsDBuilder;
use omniscope::metrics::{Counter, Histogram, Key, Label, MetricMeta};
use omniscope::Meter as _;
use omniscope_benches::{note, HISTOGRAM_VALUES};
use omniscope_sdk::export::{Batch, Exporter as _};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;
use omniscope_statsd::{Flavor, HistogramAs, Statsd};

const COUNTERS: usize = 90;
const HISTOGRAMS: usize = 10;
const ROUTES: usize = 100;
/// Values per histogram series and interval.
const SAMPLES: usize = 3;
/// Lines of one flush when histogram values are packed (v1.1): one per series.
const PACKED_LINES: u64 = (COUNTERS * ROUTES + HISTOGRAMS * ROUTES) as u64;
/// Lines of one flush when every value is its own line (cadence).
const VALUE_LINES: u64 = (COUNTERS * ROUTES + HISTOGRAMS * ROUTES * SAMPLES) as u64;
/// The UDP payload both use (omniscope's default).
const MAX_PAYLOAD: usize = 1432;
/// How long a drain waits after a datagram before it takes a flush as over.
const QUIET: Duration = Duration::from_millis(8);

/// Calls `f(name, route, n)` for every counter series and `h(name, route,
/// value)` for every histogram value, in the same order for every crate.
fn each_series(mut f: impl FnMut(&str, &str, u64), mut h: impl FnMut(&str, &str, f64)) {
    for j in 0..ROUTES {
        let route = format!("/r{j}");
        for i in 0..COUNTERS {
            f(&format!("requests_{i}_total"), &route, (i + j + 1) as u64);
        }
        for i in 0..HISTOGRAMS {
            let name = format!("latency_{i}_seconds");
            for k in 0..SAMPLES {
                h(
                    &name,
                    &route,
                    HISTOGRAM_VALUES[(i + j + k) % HISTOGRAM_VALUES.len()],
                );
            }
        }
    }
}

/// What a draining thread has received since its last [`Drain::reset`].
#[derive(Default)]
struct Received {
    lines: u64,
    datagrams: u64,
    last: Option<Instant>,
}

/// A UDP socket on 127.0.0.1 read by a thread of its own, which counts the
/// lines and notes when datagrams arrive. The thread runs until the bench
/// process exits.
struct Drain {
    port: u16,
    state: Arc<(Mutex<Received>, Condvar)>,
}

impl Drain {
    fn spawn() -> Drain {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = socket
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"))
            .port();
        let state = Arc::new((Mutex::new(Received::default()), Condvar::new()));
        let shared = state.clone();
        thread::spawn(move || {
            let mut buf = vec![0_u8; 65536];
            while let Ok(n) = socket.recv(&mut buf) {
                let now = Instant::now();
                let lines = buf[..n]
                    .split(|&b| b == b'\n')
                    .filter(|line| !line.is_empty())
                    .count() as u64;
                let (lock, ready) = &*shared;
                let mut received = lock.lock().unwrap_or_else(|e| e.into_inner());
                if lines > 0 {
                    received.lines += lines;
                    received.datagrams += 1;
                    received.last = Some(now);
                }
                ready.notify_all();
            }
        });
        Drain { port, state }
    }

    fn reset(&self) {
        *self.state.0.lock().unwrap_or_else(|e| e.into_inner()) = Received::default();
    }

    /// Waits for a datagram, then until none has come for `QUIET`; returns
    /// the lines and datagrams received since the last reset. A burst can overflow the drain's receive
    /// buffer, so the count is not assumed complete: the note reports it.
    fn wait_quiet(&self) -> (u64, u64) {
        let (lock, ready) = &*self.state;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut received = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            assert!(now < deadline, "drain: no datagram in 10 s");
            let wait = match received.last {
                Some(last) if now - last >= QUIET => break,
                Some(last) => QUIET - (now - last),
                None => deadline - now,
            };
            received = ready
                .wait_timeout(received, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        (received.lines, received.datagrams)
    }
}

/// How long [`Drain::wait_lines`] waits, and how long the calibration waits
/// for a paced flush to end.
const PACED_QUIET: Duration = Duration::from_millis(300);
/// The flush interval of `metrics-exporter-dogstatsd` here.
const DOGSTATSD_INTERVAL: Duration = Duration::from_millis(100);

impl Drain {
    /// Waits until `lines` lines have arrived since the last reset
    /// (panics after 10 s: a bench must not hang).
    fn wait_lines(&self, lines: u64) {
        let (lock, ready) = &*self.state;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut received = lock.lock().unwrap_or_else(|e| e.into_inner());
        while received.lines < lines {
            let now = Instant::now();
            assert!(
                now < deadline,
                "drain: {} of {lines} lines in 10 s",
                received.lines
            );
            received = ready
                .wait_timeout(received, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until no line has come for `PACED_QUIET` (a paced flush has
    /// ended); returns the lines and datagrams received since the reset.
    fn wait_paced(&self) -> (u64, u64) {
        let mut seen = (0, 0);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            thread::sleep(PACED_QUIET);
            let received = self.state.0.lock().unwrap_or_else(|e| e.into_inner());
            let now = (received.lines, received.datagrams);
            if now == seen && now.0 > 0 {
                return now;
            }
            assert!(
                Instant::now() < deadline,
                "drain: a flush did not end in 10 s"
            );
            seen = now;
        }
    }
}

/// The CPU time thread `tid` of this process has used: the first field of
/// its `schedstat`, the scheduler's own account in nanoseconds (the
/// 10-ms ticks of `stat` are too coarse for one flush).
fn thread_cpu(tid: &str) -> Duration {
    let path = format!("/proc/self/task/{tid}/schedstat");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{path}: {text:?}"));
    Duration::from_nanos(nanos)
}

/// The thread ids of this process, with their names.
fn threads() -> Vec<(String, String)> {
    let tasks = std::fs::read_dir("/proc/self/task").unwrap_or_else(|e| panic!("/proc: {e}"));
    tasks
        .filter_map(|t| {
            let tid = t.ok()?.file_name().into_string().ok()?;
            let comm = std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).ok()?;
            Some((tid, comm.trim().to_owned()))
        })
        .collect()
}

/// This thread's id, as `/proc/self/task` names it.
fn own_tid() -> String {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| Some(p.file_name()?.to_str()?.to_owned()))
        .unwrap_or_else(|| panic!("/proc/thread-self unreadable"))
}

/// `metrics` handles for every series, registered once with the DogStatsD
/// recorder.
struct DogstatsdSeries {
    counters: Vec<(metrics::Counter, u64)>,
    histograms: Vec<(metrics::Histogram, f64)>,
}

impl DogstatsdSeries {
    fn new(recorder: &metrics_exporter_dogstatsd::DogStatsDRecorder) -> DogstatsdSeries {
        let mut counters = Vec::new();
        let mut histograms = Vec::new();
        metrics::with_local_recorder(recorder, || {
            each_series(
                |name, route, n| {
                    let counter = metrics::counter!(name.to_owned(), "route" => route.to_owned(), "status" => "200");
                    counters.push((counter, n));
                },
                |name, route, v| {
                    let histogram =
                        metrics::histogram!(name.to_owned(), "route" => route.to_owned());
                    histograms.push((histogram, v));
                },
            );
        });
        DogstatsdSeries {
            counters,
            histograms,
        }
    }

    fn record(&self) {
        for (counter, n) in &self.counters {
            counter.increment(black_box(*n));
        }
        for (histogram, v) in &self.histograms {
            histogram.record(black_box(*v));
        }
    }
}

/// The SDK's handles for every series, so that recording an interval's
/// values costs what it costs an application holding them.
struct OmniscopeSeries {
    counters: Vec<(Counter, u64)>,
    histograms: Vec<(Histogram, f64)>,
}

impl OmniscopeSeries {
    fn new(meter: &SdkMeter) -> OmniscopeSeries {
        let mut counters = Vec::new();
        let mut histograms = Vec::new();
        each_series(
            |name, route, n| {
                let labels = [Label::new("route", route), Label::new("status", "200")];
                let counter = meter.counter(&Key::new(name, &labels), &MetricMeta::EMPTY);
                counters.push((counter, n));
            },
            |name, route, v| {
                let labels = [Label::new("route", route)];
                let histogram = meter.histogram(&Key::new(name, &labels), &MetricMeta::EMPTY);
                histograms.push((histogram, v));
            },
        );
        OmniscopeSeries {
            counters,
            histograms,
        }
    }

    fn record(&self) {
        for (counter, n) in &self.counters {
            counter.increment(black_box(*n));
        }
        for (histogram, v) in &self.histograms {
            histogram.record(black_box(*v));
        }
    }
}

/// Sends every value through `client`, one call each, as an application
/// using `cadence` does.
fn cadence_emit(client: &StatsdClient) {
    each_series(
        |name, route, n| {
            let _ = client
                .count_with_tags(name, black_box(n) as i64)
                .with_tag("route", route)
                .with_tag("status", "200")
                .try_send();
        },
        |name, route, v| {
            let _ = client
                .histogram_with_tags(name, black_box(v))
                .with_tag("route", route)
                .try_send();
        },
    );
}

fn udp_socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    socket
        .set_nonblocking(true)
        .unwrap_or_else(|e| panic!("set_nonblocking: {e}"));
    socket
}

fn statsd_flush_10k_series(c: &mut Criterion) {
    let resource = Resource::empty();

    // omniscope
    let ours_drain = Drain::spawn();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::DogStatsd)
        .with_udp("127.0.0.1", ours_drain.port)
        .with_histograms(HistogramAs::Histogram)
        .with_multi_value(true)
        .with_unified_service_tags(false)
        .build()
        .unwrap_or_else(|e| panic!("omniscope-statsd: {e}"));
    let mut exporter = statsd.metrics();
    let stats = statsd.stats();
    let meter = SdkMeter::new();
    let series = OmniscopeSeries::new(&meter);
    let mut reader = meter.delta_reader();
    let _ = reader.collect();

    // cadence
    let cadence_drain = Drain::spawn();
    let cadence_addr = ("127.0.0.1", cadence_drain.port);
    let udp = UdpMetricSink::from(cadence_addr, udp_socket())
        .unwrap_or_else(|e| panic!("cadence UdpMetricSink: {e}"));
    let cadence_udp = StatsdClient::from_sink("", udp);
    let buffered = BufferedUdpMetricSink::with_capacity(cadence_addr, udp_socket(), MAX_PAYLOAD)
        .unwrap_or_else(|e| panic!("cadence BufferedUdpMetricSink: {e}"));
    let cadence_buffered = StatsdClient::from_sink("", buffered);

    // One flush of each, for the note: what arrived of it.
    series.record();
    ours_drain.reset();
    let _ = exporter.export(&Batch::from_vec(vec![reader.collect()]), &resource);
    let (ours_lines, ours_datagrams) = ours_drain.wait_quiet();
    cadence_drain.reset();
    cadence_emit(&cadence_udp);
    let (udp_lines, udp_datagrams) = cadence_drain.wait_quiet();
    cadence_drain.reset();
    cadence_emit(&cadence_buffered);
    let _ = cadence_buffered.flush();
    let (buffered_lines, buffered_datagrams) = cadence_drain.wait_quiet();
    note(&format!(
        "statsd_flush_10k_series: one flush received: omniscope {ours_lines} of {PACKED_LINES} \
         lines in {ours_datagrams} datagrams; cadence_udp {udp_lines} of {VALUE_LINES} in \
         {udp_datagrams}; cadence_buffered {buffered_lines} of {VALUE_LINES} in \
         {buffered_datagrams} (the rest overflowed the drain's receive buffer)"
    ));

    let mut group = c.benchmark_group("statsd_flush_10k_series");
    group.bench_function("omniscope", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                series.record();
                let start = Instant::now();
                let snapshot = reader.collect();
                black_box(exporter.export(&Batch::from_vec(vec![snapshot]), &resource)).ok();
                total += start.elapsed();
            }
            total
        });
    });
    group.bench_function("omniscope_record", |b| {
        b.iter(|| series.record());
    });
    group.bench_function("cadence_udp", |b| {
        b.iter(|| cadence_emit(&cadence_udp));
    });
    group.bench_function("cadence_buffered", |b| {
        b.iter(|| {
            cadence_emit(&cadence_buffered);
            let _ = cadence_buffered.flush();
        });
    });
    group.finish();

    // metrics-exporter-dogstatsd: its forwarder thread is found by name.
    let dd_drain = Drain::spawn();
    let before: Vec<String> = threads().into_iter().map(|(tid, _)| tid).collect();
    let recorder = DogStatsDBuilder::default()
        .with_remote_address(format!("127.0.0.1:{}", dd_drain.port))
        .and_then(|b| b.with_maximum_payload_length(MAX_PAYLOAD))
        .map(|b| {
            b.with_flush_interval(DOGSTATSD_INTERVAL)
                .with_telemetry(false)
                .with_histogram_sampling(false)
                .send_histograms_as_distributions(false)
        })
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("metrics-exporter-dogstatsd: {e}"));
    // The new thread names itself once it runs: wait for that (bounded).
    let deadline = Instant::now() + Duration::from_secs(5);
    let forwarder = loop {
        let found = threads()
            .into_iter()
            .find(|(tid, name)| !before.contains(tid) && name.starts_with("metrics-exporte"));
        match found {
            Some((tid, _)) => break tid,
            None if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            None => panic!("no metrics-exporter-dogstatsd forwarder thread within 5 s"),
        }
    };
    let dd_series = DogstatsdSeries::new(&recorder);
    dd_drain.reset();
    dd_series.record();
    let (dd_lines, dd_datagrams) = dd_drain.wait_paced();
    note(&format!(
        "statsd_flush_cpu_10k_series: one burst received: metrics_exporter_dogstatsd \
         {dd_lines} lines in {dd_datagrams} datagrams ({PACKED_LINES} with the values, \
         then a zero for each counter gone idle)"
    ));

    let mut group = c.benchmark_group("statsd_flush_cpu_10k_series");
    // Each dogstatsd iteration lasts about one flush interval of wall time
    // for a few ms of CPU time: a short measurement keeps the run bounded.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(500));
    let me = own_tid();
    group.bench_function("omniscope", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                series.record();
                let start = thread_cpu(&me);
                let snapshot = reader.collect();
                black_box(exporter.export(&Batch::from_vec(vec![snapshot]), &resource)).ok();
                total += thread_cpu(&me) - start;
            }
            total
        });
    });
    group.bench_function("metrics_exporter_dogstatsd", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                dd_drain.reset();
                let start = thread_cpu(&forwarder);
                dd_series.record();
                dd_drain.wait_lines(PACKED_LINES);
                total += thread_cpu(&forwarder) - start;
            }
            total
        });
    });
    group.finish();
    note(&format!(
        "statsd_flush_10k_series: omniscope dropped {} lines over the run",
        stats.dropped()
    ));
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = statsd_flush_10k_series
}
criterion_main!(benches);
