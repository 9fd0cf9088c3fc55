//! [`Sink`]: the one writer behind every exporter of a console.

use std::fmt;
use std::io::{self, BufWriter, IsTerminal as _, Stderr, Stdout, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use omniscope_sdk::export::ExportError;
use omniscope_sdk::BuildError;

use crate::rotate::RotatingFile;
use crate::target::Target;

/// Buffer size of the standard streams: a batch is written in few calls.
const STREAM_BUFFER: usize = 64 * 1024;

/// The sink, shared by the exporters of one console, so that their
/// records never interleave within a line.
pub(crate) type SharedSink = Arc<Mutex<Sink>>;

/// Locks the sink; a panic while it was held (caught by the pipeline)
/// leaves a usable writer, so poisoning is ignored.
pub(crate) fn lock(sink: &SharedSink) -> MutexGuard<'_, Sink> {
    sink.lock().unwrap_or_else(|p| p.into_inner())
}

/// A buffered standard stream or a rotating file.
pub(crate) enum Sink {
    Stdout(BufWriter<Stdout>),
    Stderr(BufWriter<Stderr>),
    File(RotatingFile),
}

impl Sink {
    /// Opens `target`; a file that cannot be opened is a build error
    /// naming it.
    pub(crate) fn open(target: &Target) -> Result<Sink, BuildError> {
        Ok(match target {
            Target::Stdout => Sink::Stdout(BufWriter::with_capacity(STREAM_BUFFER, io::stdout())),
            Target::Stderr => Sink::Stderr(BufWriter::with_capacity(STREAM_BUFFER, io::stderr())),
            Target::File(file) => {
                let opened = RotatingFile::open(file.clone()).map_err(|e| {
                    BuildError::new(
                        "console",
                        format!(
                            "cannot open log file {}: {e}: check that its directory exists and is writable",
                            file.path.display()
                        ),
                    )
                })?;
                Sink::File(opened)
            }
        })
    }

    /// Whether the sink is a terminal (for [`ColorChoice::Auto`](crate::ColorChoice::Auto)).
    pub(crate) fn is_terminal(&self) -> bool {
        match self {
            Sink::Stdout(w) => w.get_ref().is_terminal(),
            Sink::Stderr(w) => w.get_ref().is_terminal(),
            Sink::File(_) => false,
        }
    }

    /// Writes one encoded record (buffered; a file may rotate first).
    pub(crate) fn write_record(&mut self, record: &[u8]) -> Result<(), ExportError> {
        let result = match self {
            Sink::Stdout(w) => w.write_all(record),
            Sink::Stderr(w) => w.write_all(record),
            Sink::File(f) => f.write_record(record),
        };
        result.map_err(|e| self.error(&e))
    }

    /// Hands what is buffered to the operating system.
    pub(crate) fn flush(&mut self) -> Result<(), ExportError> {
        let result = match self {
            Sink::Stdout(w) => w.flush(),
            Sink::Stderr(w) => w.flush(),
            Sink::File(f) => f.flush(),
        };
        result.map_err(|e| self.error(&e))
    }

    fn error(&self, e: &io::Error) -> ExportError {
        ExportError::Internal(format!("cannot write to {self:?}: {e}"))
    }
}

impl fmt::Debug for Sink {
    /// What the sink writes to: `stdout`, `stderr` or the file's path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sink::Stdout(_) => f.write_str("stdout"),
            Sink::Stderr(_) => f.write_str("stderr"),
            Sink::File(file) => write!(f, "log file {}", file.path().display()),
        }
    }
}
