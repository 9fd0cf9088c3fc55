//! [`Sink`]: the one writer behind every exporter of a console.

use std::fmt;
use std::io::{self, BufWriter, IsTerminal as _, Stderr, StderrLock, Stdout, StdoutLock, Write};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use omniscope_sdk::export::ExportError;
use omniscope_sdk::BuildError;

use crate::rotate::RotatingFile;
use crate::target::Target;

/// Buffer size of the standard streams: a batch is written in few calls.
const STREAM_BUFFER: usize = 64 * 1024;

/// The sink, shared by the exporters of one console, so that their
/// records never interleave within a line.
#[derive(Clone)]
pub(crate) struct SharedSink {
    sink: Arc<Mutex<Sink>>,
    stream: Stream,
}

/// The standard stream a sink writes to, if any.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
    File,
}

impl SharedSink {
    pub(crate) fn new(sink: Sink) -> SharedSink {
        let stream = match &sink {
            Sink::Stdout(_) => Stream::Stdout,
            Sink::Stderr(_) => Stream::Stderr,
            Sink::File(_) => Stream::File,
        };
        SharedSink {
            sink: Arc::new(Mutex::new(sink)),
            stream,
        }
    }
}

/// The sink, locked, after the lock of the standard stream it writes to
/// (reentrant: the sink's own writes take it again on the same thread).
pub(crate) struct SinkGuard<'a> {
    // Fields drop in order: the sink's lock is released before the stream's.
    sink: MutexGuard<'a, Sink>,
    _stdout: Option<StdoutLock<'static>>,
    _stderr: Option<StderrLock<'static>>,
}

/// Locks the sink; a panic while it was held (caught by the pipeline)
/// leaves a usable writer, so poisoning is ignored.
///
/// A sink on stdout or stderr is locked after the stream's own lock: a
/// thread that holds the stream (an application writing through
/// `stdout().lock()`) and logs to a pretty console, which writes on the
/// logging thread, takes the two locks in the same order as every writer of
/// the sink, so neither can wait for the other for ever.
pub(crate) fn lock(sink: &SharedSink) -> SinkGuard<'_> {
    let (stdout, stderr) = match sink.stream {
        Stream::Stdout => (Some(io::stdout().lock()), None),
        Stream::Stderr => (None, Some(io::stderr().lock())),
        Stream::File => (None, None),
    };
    SinkGuard {
        sink: omniscope::sync::lock(&sink.sink),
        _stdout: stdout,
        _stderr: stderr,
    }
}

impl Deref for SinkGuard<'_> {
    type Target = Sink;

    fn deref(&self) -> &Sink {
        &self.sink
    }
}

impl DerefMut for SinkGuard<'_> {
    fn deref_mut(&mut self) -> &mut Sink {
        &mut self.sink
    }
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
