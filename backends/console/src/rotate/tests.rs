use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flate2::read::GzDecoder;

use super::*;
use crate::testing::{t0, TempDir};

/// A clock at [`t0`] plus an offset that the test advances.
fn manual_clock() -> (Clock, Arc<AtomicU64>) {
    let offset = Arc::new(AtomicU64::new(0));
    let read = offset.clone();
    let clock: Clock = Box::new(move || t0() + Duration::from_secs(read.load(Ordering::Relaxed)));
    (clock, offset)
}

fn line(i: usize) -> String {
    format!("record {i:04} .........\n") // 22 bytes
}

fn write_lines(file: &mut RotatingFile, lines: impl IntoIterator<Item = usize>) {
    for i in lines {
        file.write_record(line(i).as_bytes()).unwrap();
    }
    file.flush().unwrap();
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

fn read_gz(path: &Path) -> String {
    let mut text = String::new();
    GzDecoder::new(File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn rotates_by_size_without_splitting_records() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let config = FileTarget::new(&path).with_max_size(50).with_keep(10);
    let mut file = RotatingFile::open(config).unwrap();
    write_lines(&mut file, 0..7);
    // 22-byte records, at most 50 bytes a file: two per file.
    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.1", "app.log.2", "app.log.3"]
    );
    assert_eq!(read(&path.with_extension("log.3")), line(0) + &line(1));
    assert_eq!(read(&path.with_extension("log.2")), line(2) + &line(3));
    assert_eq!(read(&path.with_extension("log.1")), line(4) + &line(5));
    assert_eq!(read(&path), line(6));
}

#[test]
fn a_record_larger_than_the_maximum_gets_a_file_of_its_own() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let mut file = RotatingFile::open(FileTarget::new(&path).with_max_size(10)).unwrap();
    write_lines(&mut file, 0..2);
    assert_eq!(read(&path.with_extension("log.1")), line(0));
    assert_eq!(read(&path), line(1));
}

#[test]
fn counts_what_an_existing_file_already_holds() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    fs::write(&path, line(0) + &line(1)).unwrap();
    let mut file = RotatingFile::open(FileTarget::new(&path).with_max_size(50)).unwrap();
    write_lines(&mut file, 2..3);
    assert_eq!(read(&path.with_extension("log.1")), line(0) + &line(1));
    assert_eq!(read(&path), line(2));
}

#[test]
fn keeps_the_newest_n_files_and_deletes_older_ones() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    // Left by an earlier run with a larger `keep`, and files that are not ours.
    for stale in [
        "app.log.7",
        "app.log.9.gz",
        "app.log.bak",
        "app.logger",
        "app.log.2x",
    ] {
        fs::write(dir.path().join(stale), "stale\n").unwrap();
    }
    let config = FileTarget::new(&path).with_max_size(22).with_keep(2);
    let mut file = RotatingFile::open(config).unwrap();
    write_lines(&mut file, 0..6);
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.1",
            "app.log.2",
            "app.log.2x",
            "app.log.bak",
            "app.logger"
        ]
    );
    assert_eq!(read(&path.with_extension("log.2")), line(3));
    assert_eq!(read(&path.with_extension("log.1")), line(4));
    assert_eq!(read(&path), line(5));
}

#[test]
fn keep_zero_discards_the_file_on_rotation() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let config = FileTarget::new(&path).with_max_size(22).with_keep(0);
    let mut file = RotatingFile::open(config).unwrap();
    write_lines(&mut file, 0..3);
    assert_eq!(names(dir.path()), ["app.log"]);
    assert_eq!(read(&path), line(2));
}

#[test]
fn rotates_by_age_of_the_first_record() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let (clock, offset) = manual_clock();
    let config = FileTarget::new(&path).with_max_age(Duration::from_secs(3600));
    let mut file = RotatingFile::open_with_clock(config, clock).unwrap();
    // An empty file does not age: two hours pass before the first record.
    offset.store(7200, Ordering::Relaxed);
    write_lines(&mut file, 0..1);
    offset.store(7200 + 3599, Ordering::Relaxed);
    write_lines(&mut file, 1..2);
    assert_eq!(names(dir.path()), ["app.log"]);
    offset.store(7200 + 3600, Ordering::Relaxed);
    write_lines(&mut file, 2..3);
    assert_eq!(read(&path.with_extension("log.1")), line(0) + &line(1));
    // The new file's age starts with its first record.
    offset.store(7200 + 3600 + 3599, Ordering::Relaxed);
    write_lines(&mut file, 3..4);
    assert_eq!(read(&path), line(2) + &line(3));
}

#[test]
fn gzipped_files_decompress_to_the_original_lines() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let config = FileTarget::new(&path)
        .with_max_size(50)
        .with_keep(3)
        .with_gzip(true);
    let mut file = RotatingFile::open(config).unwrap();
    write_lines(&mut file, 0..7);
    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.1.gz", "app.log.2.gz", "app.log.3.gz"]
    );
    assert_eq!(
        read_gz(&path.with_extension("log.3.gz")),
        line(0) + &line(1)
    );
    assert_eq!(
        read_gz(&path.with_extension("log.2.gz")),
        line(2) + &line(3)
    );
    assert_eq!(
        read_gz(&path.with_extension("log.1.gz")),
        line(4) + &line(5)
    );
    assert_eq!(read(&path), line(6));
}

#[test]
fn recognises_rotated_names() {
    assert_eq!(rotated_index("app.log.1", "app.log"), Some(1));
    assert_eq!(rotated_index("app.log.12.gz", "app.log"), Some(12));
    assert_eq!(rotated_index("app.log", "app.log"), None);
    assert_eq!(rotated_index("app.log.", "app.log"), None);
    assert_eq!(rotated_index("app.log.gz", "app.log"), None);
    assert_eq!(rotated_index("app.log.1.zip", "app.log"), None);
    assert_eq!(rotated_index("app.logger.1", "app.log"), None);
}
