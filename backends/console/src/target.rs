//! [`Target`] and [`FileTarget`]: where lines go.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the console writes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Target {
    /// Standard output (the default).
    #[default]
    Stdout,
    /// Standard error.
    Stderr,
    /// A file, rotated by size and age.
    File(FileTarget),
}

impl From<FileTarget> for Target {
    fn from(file: FileTarget) -> Target {
        Target::File(file)
    }
}

/// A log file and its rotation.
///
/// Records are appended to `path`. Before a record that would take the file
/// past [`with_max_size`](FileTarget::with_max_size), or once the file's
/// first record is older than [`with_max_age`](FileTarget::with_max_age),
/// the file is rotated: `app.log` becomes `app.log.1`, `app.log.1` becomes
/// `app.log.2`, and so on up to [`with_keep`](FileTarget::with_keep) files;
/// older ones are deleted. With [`with_gzip`](FileTarget::with_gzip) a
/// rotated file is compressed to `app.log.1.gz` at once. A record is never
/// split across files: one larger than the maximum size gets a file of its
/// own.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct FileTarget {
    pub(crate) path: PathBuf,
    pub(crate) max_size: u64,
    pub(crate) max_age: Option<Duration>,
    pub(crate) keep: usize,
    pub(crate) gzip: bool,
}

impl FileTarget {
    /// The default maximum size of a file: 100 MiB.
    pub const DEFAULT_MAX_SIZE: u64 = 100 * 1024 * 1024;
    /// The default number of rotated files kept: 5.
    pub const DEFAULT_KEEP: usize = 5;

    /// Appends to the file at `path` (created if missing; its directory
    /// must exist), with the default rotation.
    pub fn new(path: impl Into<PathBuf>) -> FileTarget {
        FileTarget {
            path: path.into(),
            max_size: FileTarget::DEFAULT_MAX_SIZE,
            max_age: None,
            keep: FileTarget::DEFAULT_KEEP,
            gzip: false,
        }
    }

    /// Rotates before a record would take the file past `bytes`. Default:
    /// [`DEFAULT_MAX_SIZE`](FileTarget::DEFAULT_MAX_SIZE) (100 MiB); `u64::MAX`
    /// turns rotation by size off. Zero is rejected by `build()`.
    pub fn with_max_size(mut self, bytes: u64) -> FileTarget {
        self.max_size = bytes;
        self
    }

    /// Rotates once the file's first record is `age` old. Default: no
    /// rotation by age. Zero is rejected by `build()`.
    pub fn with_max_age(mut self, age: Duration) -> FileTarget {
        self.max_age = Some(age);
        self
    }

    /// Keeps `n` rotated files (`app.log.1` … `app.log.{n}`) and deletes
    /// older ones; with 0, a rotation discards the file. Default:
    /// [`DEFAULT_KEEP`](FileTarget::DEFAULT_KEEP) (5).
    pub fn with_keep(mut self, n: usize) -> FileTarget {
        self.keep = n;
        self
    }

    /// Compresses rotated files with gzip (`app.log.1.gz`). Default: `false`.
    pub fn with_gzip(mut self, gzip: bool) -> FileTarget {
        self.gzip = gzip;
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
