//! [`ConsoleExporter`]: the exporters a [`Console`](crate::Console) hands out.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, ImmediateExporter};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::encode::{self, Style};
use crate::options::Format;
use crate::sink::{lock, SharedSink};

/// The exporter name in self-metrics (`exporter="console"`).
const NAME: &str = "console";

/// Writes one signal's records (`T` is [`LogData`], [`SpanData`],
/// [`ErrorEvent`] or [`MetricsSnapshot`]) to its console's target.
///
/// In the JSON format it runs on the SDK pipeline's export thread: the
/// application hands records to the pipeline's bounded queue and never
/// writes to the terminal or file itself. In the pretty format (for
/// development) the exporters of log records and errors are
/// [immediate](Exporter::immediate): the logging thread encodes its line,
/// then writes and flushes it before the call returns, so lines show at
/// once and in the order they were logged (the thread waits for the write,
/// as with any console logger); spans and metrics are batched in both
/// formats. Each batch or line is written under the console's lock (taken
/// after the standard stream's own), so the lines of exporters sharing a
/// console never interleave. A write error fails the batch with
/// [`ExportError::Internal`] naming the target (counted in
/// `omniscope.exporter.dropped{reason="export_failed"}`).
pub struct ConsoleExporter<T> {
    sink: SharedSink,
    style: Style,
    /// The encoded record, reused from one record to the next.
    line: String,
    _items: PhantomData<fn(&T)>,
}

impl<T> ConsoleExporter<T> {
    pub(crate) fn new(sink: SharedSink, style: Style) -> ConsoleExporter<T> {
        ConsoleExporter {
            sink,
            style,
            line: String::new(),
            _items: PhantomData,
        }
    }

    /// Encodes and writes every item of `batch`, then flushes.
    fn write(
        &mut self,
        batch: &Batch<T>,
        resource: &Resource,
        encode: fn(&T, &Resource, Style, &mut String),
    ) -> Result<Accepted, ExportError> {
        let mut sink = lock(&self.sink);
        for item in batch.iter() {
            self.line.clear();
            encode(item, resource, self.style, &mut self.line);
            sink.write_record(self.line.as_bytes())?;
        }
        sink.flush()?;
        Ok(Accepted::All)
    }

    fn flush_sink(&mut self) -> Result<(), ExportError> {
        lock(&self.sink).flush()
    }
}

/// The immediate form of a console exporter: encodes a record on the
/// recording thread, holding no lock, then writes and flushes its line
/// under the sink's lock.
struct LineWriter<T> {
    sink: SharedSink,
    style: Style,
    encode: fn(&T, &Resource, Style, &mut String),
}

/// The first allocation for a line: most fit.
const LINE_CAPACITY: usize = 256;

impl<T> ImmediateExporter<T> for LineWriter<T> {
    fn export(&self, item: &T, resource: &Resource) -> Result<(), ExportError> {
        let mut line = String::with_capacity(LINE_CAPACITY);
        (self.encode)(item, resource, self.style, &mut line);
        let mut sink = lock(&self.sink);
        sink.write_record(line.as_bytes())?;
        sink.flush()
    }

    fn flush(&self, _deadline: Instant) -> Result<(), ExportError> {
        lock(&self.sink).flush()
    }

    fn shutdown(&self, _deadline: Instant) -> Result<(), ExportError> {
        lock(&self.sink).flush()
    }
}

impl<T> fmt::Debug for ConsoleExporter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsoleExporter")
            .field("target", &*lock(&self.sink))
            .field("format", &self.style.format)
            .field("color", &self.style.color)
            .finish()
    }
}

/// `Exporter<$item>` through `$encode`, immediate in the pretty format when
/// `$immediate`. Flush and shutdown only flush: the sink is shared with the
/// console's other exporters and closes when the last of them is dropped.
macro_rules! console_exporter {
    ($item:ty, $encode:path, $immediate:literal) => {
        impl Exporter<$item> for ConsoleExporter<$item> {
            fn name(&self) -> &str {
                NAME
            }

            fn export(
                &mut self,
                batch: &Batch<$item>,
                resource: &Resource,
            ) -> Result<Accepted, ExportError> {
                self.write(batch, resource, $encode)
            }

            fn flush(&mut self, _deadline: Instant) -> Result<(), ExportError> {
                self.flush_sink()
            }

            fn shutdown(&mut self, _deadline: Instant) -> Result<(), ExportError> {
                self.flush_sink()
            }

            fn immediate(&self) -> Option<Arc<dyn ImmediateExporter<$item>>> {
                if !($immediate && self.style.format == Format::Pretty) {
                    return None;
                }
                Some(Arc::new(LineWriter {
                    sink: self.sink.clone(),
                    style: self.style,
                    encode: $encode,
                }))
            }
        }
    };
}

// Log lines and errors are what a developer watches as they happen; a span
// line is written when the span ends, long after its logs, in any case.
console_exporter!(LogData, encode::log, true);
console_exporter!(SpanData, encode::span, false);
console_exporter!(ErrorEvent, encode::error, true);
console_exporter!(MetricsSnapshot, encode::metrics, false);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{log_record, TempDir};
    use crate::{Console, FileTarget, Format};

    fn far() -> Instant {
        Instant::now() + std::time::Duration::from_secs(10)
    }

    #[test]
    fn writes_each_batch_and_flushes_it() {
        let dir = TempDir::new();
        let path = dir.path().join("app.log");
        let console = Console::builder()
            .with_format(Format::Json)
            .with_target(FileTarget::new(&path))
            .build()
            .unwrap();
        let mut logs = console.logs();
        assert_eq!(logs.name(), "console");
        let batch = Batch::from_vec(vec![log_record(&[]), log_record(&[])]);
        assert_eq!(logs.export(&batch, &Resource::empty()), Ok(Accepted::All));
        // Flushed by the export itself: no flush or shutdown needed to read it.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(logs.shutdown(far()), Ok(()));
    }

    #[test]
    fn an_io_error_fails_the_batch_naming_the_file() {
        let dir = TempDir::new();
        let path = dir.path().join("app.log");
        let console = Console::builder()
            .with_target(FileTarget::new(&path).with_max_size(1))
            .build()
            .unwrap();
        let mut logs = console.logs();
        let batch = Batch::from_vec(vec![log_record(&[]), log_record(&[])]);
        // The directory disappears: the second record's rotation cannot list it.
        std::fs::remove_dir_all(dir.path()).unwrap();
        let Err(ExportError::Internal(message)) = logs.export(&batch, &Resource::empty()) else {
            panic!("the export did not fail");
        };
        assert!(
            message.starts_with(&format!(
                "cannot write to log file {}: cannot list {}: ",
                path.display(),
                dir.path().display()
            )),
            "{message}"
        );
        assert_eq!(logs.flush(far()), Ok(()));
    }
}
