//! Records are delivered in batches to every exporter: two exporters each
//! receive every record, from several threads, in per-thread order.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use omniscope::{Field, Level, Logger, Metadata, Record, SourceLocation, Value};
use omniscope_sdk::export::{
    Accepted, Batch, ExportError, Exporter, InMemoryExporter, PipelineConfig,
};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::Resource;
use std::sync::{Arc, Mutex, PoisonError};

/// Records the size of each batch it receives.
struct BatchSizes(Arc<Mutex<Vec<usize>>>);

impl Exporter<LogData> for BatchSizes {
    fn name(&self) -> &str {
        "sizes"
    }

    fn export(&mut self, batch: &Batch<LogData>, _: &Resource) -> Result<Accepted, ExportError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(batch.len());
        Ok(Accepted::All)
    }
}

const THREADS: u64 = 4;
const PER_THREAD: u64 = 500;
static LOCATION: SourceLocation<'static> = SourceLocation::new("orders", "src/orders.rs", 7);

#[test]
fn every_exporter_receives_every_record_in_batches() {
    let (first, got_first) = InMemoryExporter::with_capacity("first", 100_000);
    let (second, got_second) = InMemoryExporter::with_capacity("second", 100_000);
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let logger = SdkLogger::builder()
        .with_filter("debug")
        .without_rate_limit()
        .with_exporter(Box::new(first))
        .with_exporter(Box::new(second))
        .with_exporter(Box::new(BatchSizes(sizes.clone())))
        .with_pipeline_config(PipelineConfig::for_signal("logs").with_max_batch(128))
        .with_resource(Arc::new(Resource::new("orders")))
        .build()
        .unwrap();

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let logger = logger.clone();
            std::thread::spawn(move || {
                for n in 0..PER_THREAD {
                    let metadata = Metadata::new(Level::Debug, "orders").with_location(&LOCATION);
                    let fields = [
                        Field::new_static("thread", Value::U64(t)),
                        Field::new_static("n", Value::U64(n)),
                    ];
                    logger.log(&Record::new(
                        metadata,
                        format_args!("item {n} of thread {t}"),
                        &fields,
                    ));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    logger
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();

    let total = (THREADS * PER_THREAD) as usize;
    for got in [&got_first, &got_second] {
        let logs = got.items();
        assert_eq!(logs.len(), total);
        // Each thread's records arrive in the order it logged them.
        let mut next: HashMap<u64, u64> = HashMap::new();
        for log in &logs {
            let (Some(Value::U64(t)), Some(Value::U64(n))) =
                (log.fields.get("thread"), log.fields.get("n"))
            else {
                panic!("fields missing: {log:?}");
            };
            let expected = next.entry(t).or_insert(0);
            assert_eq!(n, *expected);
            assert_eq!(log.message, format!("item {n} of thread {t}"));
            *expected += 1;
        }
    }
    let sizes = sizes.lock().unwrap().clone();
    assert_eq!(sizes.iter().sum::<usize>(), total);
    assert!(
        sizes.len() < total,
        "records were batched: {} batches",
        sizes.len()
    );

    let stats = logger.pipeline_stats();
    assert_eq!(stats.len(), 3);
    for s in &stats {
        assert_eq!(s.signal, "logs");
        assert_eq!(s.exported, total as u64);
        assert_eq!(s.dropped.total(), 0);
    }
    assert_eq!(
        stats
            .iter()
            .map(|s| s.exporter.as_str())
            .collect::<Vec<_>>(),
        ["first", "second", "sizes"]
    );

    logger
        .shutdown(Instant::now() + Duration::from_secs(30))
        .unwrap();
    logger.log(&Record::new(
        Metadata::new(Level::Info, "orders"),
        format_args!("too late"),
        &[],
    ));
    assert_eq!(got_first.len(), total);
}

#[test]
fn a_logger_needs_an_exporter() {
    let error = SdkLogger::builder().build().unwrap_err();
    assert_eq!(error.component(), "logger");
    assert!(error.to_string().contains("with_exporter"), "{error}");
}
