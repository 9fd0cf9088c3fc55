//! [`RotatingFile`]: a log file rotated by size and age, keeping N rotated
//! files, optionally gzipped.
//!
//! # Mechanism
//!
//! Before each record, the file rotates when it is not empty and either
//! the record would take it past the maximum size, or its first record is
//! older than the maximum age. Rotating flushes the file, deletes rotated
//! files numbered `keep` and above (also those a run with a larger `keep`
//! left), renames `app.log.{i}` to `app.log.{i+1}` from the highest down
//! (with or without `.gz`), renames `app.log` to `app.log.1`, opens a new
//! `app.log`, and compresses `app.log.1` to `app.log.1.gz` if asked. All of
//! it runs on the export thread, so compressing a large file delays that
//! exporter's next batch, never the application. The age of a file is
//! counted from its first record: from the time it was written when this
//! process wrote it, else from the file's creation time (its modification
//! time where creation is not reported).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::target::FileTarget;

/// Buffer size of the file writer.
const FILE_BUFFER: usize = 64 * 1024;

/// Reads the current time; injectable so that tests control file ages.
pub(crate) type Clock = Box<dyn Fn() -> SystemTime + Send>;

/// An open log file and its rotation state.
pub(crate) struct RotatingFile {
    config: FileTarget,
    file: BufWriter<File>,
    /// Bytes in the file, including what is still buffered.
    size: u64,
    /// When the file's first record was written.
    started: SystemTime,
    clock: Clock,
}

impl RotatingFile {
    /// Opens (or creates) the file for appending, with the system clock.
    pub(crate) fn open(config: FileTarget) -> io::Result<RotatingFile> {
        RotatingFile::open_with_clock(config, Box::new(SystemTime::now))
    }

    /// Opens (or creates) the file for appending, reading time from `clock`.
    pub(crate) fn open_with_clock(config: FileTarget, clock: Clock) -> io::Result<RotatingFile> {
        let file = open_append(&config.path)?;
        let metadata = file.metadata()?;
        let started = metadata
            .created()
            .or_else(|_| metadata.modified())
            .unwrap_or_else(|_| clock());
        Ok(RotatingFile {
            config,
            file: BufWriter::with_capacity(FILE_BUFFER, file),
            size: metadata.len(),
            started,
            clock,
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.config.path
    }

    /// Appends one record, rotating first if it is due.
    pub(crate) fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        let now = self.config.max_age.map(|_| (self.clock)());
        if self.is_due(record.len() as u64, now) {
            self.rotate()?;
        }
        if self.size == 0 {
            self.started = now.unwrap_or_else(|| (self.clock)());
        }
        self.file.write_all(record)?;
        self.size += record.len() as u64;
        Ok(())
    }

    /// Hands buffered records to the operating system.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    fn is_due(&self, len: u64, now: Option<SystemTime>) -> bool {
        if self.size == 0 {
            return false;
        }
        let too_big = self.size.saturating_add(len) > self.config.max_size;
        let too_old = match (self.config.max_age, now) {
            (Some(max), Some(now)) => now.duration_since(self.started).is_ok_and(|age| age >= max),
            _ => false,
        };
        too_big || too_old
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let keep = self.config.keep;
        self.delete_rotated_from(keep)?;
        for i in (1..keep).rev() {
            for suffix in ["", ".gz"] {
                let from = self.rotated(i, suffix);
                if from.exists() {
                    rename(&from, &self.rotated(i + 1, suffix))?;
                }
            }
        }
        let path = &self.config.path;
        if keep == 0 {
            fs::remove_file(path).map_err(|e| context(e, "cannot remove", path))?;
        } else {
            rename(path, &self.rotated(1, ""))?;
        }
        self.file = BufWriter::with_capacity(FILE_BUFFER, open_append(path)?);
        self.size = 0;
        if keep > 0 && self.config.gzip {
            gzip(&self.rotated(1, ""))?;
        }
        Ok(())
    }

    /// `app.log.{index}{suffix}`.
    fn rotated(&self, index: usize, suffix: &str) -> PathBuf {
        let mut name = self.config.path.clone().into_os_string();
        name.push(format!(".{index}{suffix}"));
        PathBuf::from(name)
    }

    /// Deletes the rotated files numbered `first` and above.
    fn delete_rotated_from(&self, first: usize) -> io::Result<()> {
        let path = &self.config.path;
        let Some(base) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Ok(());
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let entries = fs::read_dir(dir).map_err(|e| context(e, "cannot list", dir))?;
        for entry in entries {
            let entry = entry.map_err(|e| context(e, "cannot list", dir))?;
            let name = entry.file_name();
            if rotated_index(&name.to_string_lossy(), &base).is_some_and(|i| i >= first.max(1)) {
                let victim = entry.path();
                fs::remove_file(&victim).map_err(|e| context(e, "cannot remove", &victim))?;
            }
        }
        Ok(())
    }
}

/// The index of a rotated file of `base` (`app.log.3` or `app.log.3.gz` → 3).
fn rotated_index(name: &str, base: &str) -> Option<usize> {
    let rest = name.strip_prefix(base)?.strip_prefix('.')?;
    let digits = rest.strip_suffix(".gz").unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn rename(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to).map_err(|e| {
        let what = format!("cannot rename {} to", from.display());
        context(e, &what, to)
    })
}

/// Compresses `path` to `path.gz` and removes it; on failure the partial
/// `.gz` is removed and `path` stays.
fn gzip(path: &Path) -> io::Result<()> {
    let mut gz = path.to_path_buf().into_os_string();
    gz.push(".gz");
    let gz = PathBuf::from(gz);
    let compress = || -> io::Result<()> {
        let mut input = File::open(path)?;
        let output = BufWriter::with_capacity(FILE_BUFFER, File::create(&gz)?);
        let mut encoder = GzEncoder::new(output, Compression::default());
        io::copy(&mut input, &mut encoder)?;
        encoder.finish()?.flush()
    };
    match compress() {
        Ok(()) => fs::remove_file(path).map_err(|e| context(e, "cannot remove", path)),
        Err(e) => {
            let _ = fs::remove_file(&gz);
            Err(context(e, "cannot compress", path))
        }
    }
}

/// `e`, with what was being done to which path in front of it.
fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
