//! A `log` record through omniscope-log's bridge to the omniscope SDK, vs
//! the same record through `tracing-log`'s `LogTracer` to tracing-subscriber,
//! in the same run.
//!
//! - `log_record_bridged`: one `log::Record` (a formatted message and two
//!   key-values, as a library logs) handed to each crate's `log::Log`:
//!   - `omniscope_log`: `LogBridge` → the facade → the SDK logger (`info`
//!     filter, no rate limit) → its bounded queue → a no-op exporter on the
//!     SDK's export thread. The key-values arrive as typed fields.
//!   - `tracing_log`: `LogTracer` → the global `tracing` subscriber,
//!     tracing-subscriber's `fmt` at `INFO`, writing to `io::sink` on the
//!     calling thread. `tracing-log` drops the key-values (tracing #3355).
//!
//!   - `omniscope_info_macro`: the same record as `omniscope::info!`, to the
//!     same SDK logger: what the bridge adds is the difference.
//!
//!   Both bridges build the record the same way in the timed loop; `log`'s global
//!   logger is the bridge (installed by `omniscope_log::install`), so both
//!   are called directly, as `log`'s macros would call the global one.
//! - `log_below_level_bridged`: `log::debug!` with `log`'s level following
//!   omniscope's (`Info`): what a disabled `log` call costs once the bridge
//!   is installed, beside the relaxed-load baseline (`atomic_load`).
//!
//! Indicative only on a loaded 2-core machine: compare the ratio.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use log::kv::Key;
use omniscope_benches::{note, relaxed_load_branch};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::{Resource, Sdk, SdkGuard};

/// A log exporter that counts the records it receives.
#[derive(Clone, Default)]
struct LogSink(Arc<AtomicU64>);

impl Exporter<LogData> for LogSink {
    fn name(&self) -> &str {
        "noop"
    }

    fn export(&mut self, batch: &Batch<LogData>, _: &Resource) -> Result<Accepted, ExportError> {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(Accepted::All)
    }
}

struct Installed {
    sdk: SdkGuard,
    exported: LogSink,
    tracer: tracing_log::LogTracer,
}

fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let exported = LogSink::default();
        let sdk = Sdk::builder()
            .with_resource(Resource::new("omniscope-benches"))
            .with_logger(
                SdkLogger::builder()
                    .with_filter("info")
                    .without_rate_limit()
                    .with_exporter(Box::new(exported.clone())),
            )
            .install();
        let sdk = match sdk {
            Ok(sdk) => sdk,
            Err(e) => panic!("cannot install the omniscope SDK: {e}"),
        };
        if let Err(e) = omniscope_log::install() {
            panic!("{e}");
        }
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .with_ansi(false)
            .finish();
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            panic!("a `tracing` subscriber is already installed");
        }
        Installed {
            sdk,
            exported,
            tracer: tracing_log::LogTracer::new(),
        }
    })
}

/// Builds the bench's record and hands it to `logger`.
#[inline(always)]
fn log_one(logger: &dyn log::Log) {
    let order = black_box(42_u64);
    // Keys as `log`'s macros make them: `'static`.
    let kvs = [
        (
            Key::from_str_static("order_id"),
            log::kv::Value::from(order),
        ),
        (
            Key::from_str_static("express"),
            log::kv::Value::from(black_box(true)),
        ),
    ];
    logger.log(
        &log::Record::builder()
            .args(format_args!("order {order} created"))
            .level(log::Level::Info)
            .target("shop::orders")
            .module_path_static(Some("shop::orders"))
            .file_static(Some("src/orders.rs"))
            .line(Some(42))
            .key_values(&kvs)
            .build(),
    );
}

fn log_record_bridged(c: &mut Criterion) {
    let installed = installed();
    let logger = installed.sdk.sdk().logger();
    let flush = || {
        if let Some(logger) = logger {
            let _ = logger.flush(Instant::now() + Duration::from_secs(30));
        }
    };
    let mut group = c.benchmark_group("log_record_bridged");
    group.bench_function("omniscope_log", |b| {
        b.iter(|| log_one(&omniscope_log::LogBridge));
    });
    group.bench_function("omniscope_info_macro", |b| {
        b.iter(|| {
            let order = black_box(42_u64);
            omniscope::info!(
                target: "shop::orders", "order {order} created";
                order_id = order, express = black_box(true)
            );
        });
    });
    group.bench_function("tracing_log", |b| {
        b.iter(|| log_one(&installed.tracer));
    });
    group.finish();
    flush();
    let lost = logger.map_or(0, |l| {
        l.pipeline_stats()
            .iter()
            .map(|p| p.dropped.total())
            .sum::<u64>()
            + l.lost_total()
    });
    note(&format!(
        "log_record_bridged/omniscope_log: exported {}, counted as dropped {lost}",
        installed.exported.0.load(Ordering::Relaxed)
    ));
}

fn log_below_level_bridged(c: &mut Criterion) {
    let _ = installed();
    assert_eq!(log::max_level(), log::LevelFilter::Info);
    let mut group = c.benchmark_group("log_below_level_bridged");
    group.bench_function("atomic_load", |b| b.iter(relaxed_load_branch));
    group.bench_function("omniscope_log", |b| {
        b.iter(|| log::debug!("x {}", black_box(1_u64)));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = log_record_bridged, log_below_level_bridged
}
criterion_main!(benches);
