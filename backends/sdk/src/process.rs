//! Process metrics, the ones every Prometheus client library exports: CPU
//! time, memory, file descriptors, threads, start time and uptime.
//!
//! [`register`] adds them to a meter as callback instruments, read from
//! `/proc/self` at each collection (so they cost nothing between scrapes and
//! appear in [`SdkMeter::snapshot`]):
//!
//! | metric | kind | unit | source |
//! |---|---|---|---|
//! | `process_cpu_seconds_total` | counter | `s` | `/proc/self/stat` (user + system time) |
//! | `process_resident_memory_bytes` | gauge | `By` | `/proc/self/status` (`VmRSS`) |
//! | `process_virtual_memory_bytes` | gauge | `By` | `/proc/self/status` (`VmSize`) |
//! | `process_open_fds` | gauge | `{file_descriptor}` | entries of `/proc/self/fd` |
//! | `process_max_fds` | gauge | `{file_descriptor}` | `/proc/self/limits` (soft limit, `+Inf` if unlimited) |
//! | `process_threads` | gauge | `{thread}` | `/proc/self/stat` |
//! | `process_start_time_seconds` | gauge | `s` | `/proc/self/stat` and `btime` of `/proc/stat` (Unix time) |
//! | `process_uptime_seconds` | gauge | `s` | now minus the start time |
//!
//! The names already carry their unit and `_total`, so exporters that add
//! unit suffixes (Prometheus) keep them as they are.
//!
//! Only Linux is supported: elsewhere [`register`] registers nothing. A
//! metric whose file cannot be read or parsed when [`register`] runs (a
//! sandbox hiding `/proc/self/limits`, say) is left out; one that fails
//! later reads as `NaN` for that collection. CPU times are in `USER_HZ`
//! ticks, which Linux fixes at 100 per second on every architecture Rust
//! supports (the kernel converts to it for `/proc`), so no `sysconf` call
//! (and no `libc` dependency) is needed.
//!
//! ```
//! use omniscope_sdk::metrics::SdkMeter;
//!
//! let meter = SdkMeter::new();
//! omniscope_sdk::process::register(&meter);
//! # #[cfg(target_os = "linux")]
//! assert!(meter.snapshot().family("process_cpu_seconds_total").is_some());
//! ```

// The parsers are pure and tested on every OS; only Linux reads the files.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::metrics::SdkMeter;

/// `USER_HZ`: the clock ticks per second of the times in `/proc/*/stat`.
const TICKS_PER_SECOND: f64 = 100.0;

/// Registers the process metrics (see the [module docs](self)) on `meter`.
/// Calling it again replaces the callbacks, without duplicating series.
pub fn register(meter: &SdkMeter) {
    #[cfg(target_os = "linux")]
    linux::register(meter);
    #[cfg(not(target_os = "linux"))]
    let _ = meter;
}

/// What `/proc/self/stat` tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stat {
    /// User-mode CPU time, in ticks.
    utime: u64,
    /// Kernel-mode CPU time, in ticks.
    stime: u64,
    /// Number of threads.
    threads: u64,
    /// Start time, in ticks after boot.
    start: u64,
}

impl Stat {
    fn cpu_seconds(&self) -> f64 {
        self.utime.saturating_add(self.stime) as f64 / TICKS_PER_SECOND
    }
}

/// Parses `/proc/<pid>/stat`. The second field (the command name, in
/// parentheses) may itself contain spaces and parentheses, so the fields are
/// counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let (_, rest) = text.rsplit_once(')')?;
    // `rest` starts at field 3 (state); fields are numbered from 1.
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some(Stat {
        utime: field(14)?,
        stime: field(15)?,
        threads: field(20)?,
        start: field(22)?,
    })
}

/// The value of a `Name:   1234 kB` line of `/proc/<pid>/status`, in bytes.
fn parse_status_bytes(text: &str, name: &str) -> Option<u64> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))?;
    let mut words = line.split_ascii_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// The soft limit of the `Max open files` line of `/proc/<pid>/limits`
/// (`+Inf` when unlimited).
fn parse_max_open_files(text: &str) -> Option<f64> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))?;
    match line.split_ascii_whitespace().next()? {
        "unlimited" => Some(f64::INFINITY),
        soft => soft.parse::<u64>().ok().map(|n| n as f64),
    }
}

/// The boot time (`btime`, Unix seconds) of `/proc/stat`.
fn parse_boot_time(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

/// The process start time as Unix seconds, from boot time and start ticks.
fn start_time_seconds(boot_time: u64, stat: &Stat) -> f64 {
    boot_time as f64 + stat.start as f64 / TICKS_PER_SECOND
}

/// Seconds from `start` (Unix seconds) to `now`, never negative.
fn uptime_seconds(start: f64, now: SystemTime) -> f64 {
    let now = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64();
    (now - start).max(0.0)
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::SystemTime;

    use omniscope::metrics::{InstrumentKind, Key, MetricMeta, Unit};
    use omniscope::Meter;

    use super::*;

    fn read(path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn stat() -> Option<Stat> {
        parse_stat(&read("/proc/self/stat")?)
    }

    fn status_bytes(name: &str) -> Option<f64> {
        parse_status_bytes(&read("/proc/self/status")?, name).map(|b| b as f64)
    }

    fn open_fds() -> Option<f64> {
        Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as f64)
    }

    fn start_time() -> Option<f64> {
        let boot = parse_boot_time(&read("/proc/stat")?)?;
        Some(start_time_seconds(boot, &stat()?))
    }

    pub(super) fn register(meter: &SdkMeter) {
        let add = |name: &'static str,
                   kind: InstrumentKind,
                   unit: Unit,
                   help: &'static str,
                   value: Box<dyn Fn() -> Option<f64> + Send + Sync>| {
            if value().is_none() {
                return;
            }
            let key = Key::from_name(name);
            let meta = MetricMeta::new(unit, help);
            let callback = Box::new(move || value().unwrap_or(f64::NAN));
            match kind {
                InstrumentKind::Counter => meter.observe_counter(&key, &meta, callback),
                _ => meter.observe_gauge(&key, &meta, callback),
            }
        };
        let gauge = InstrumentKind::Gauge;
        let fds = Unit::custom("{file_descriptor}");
        add(
            "process_cpu_seconds_total",
            InstrumentKind::Counter,
            Unit::SECONDS,
            "Total user and system CPU time spent in seconds.",
            Box::new(|| stat().map(|s| s.cpu_seconds())),
        );
        add(
            "process_resident_memory_bytes",
            gauge,
            Unit::BYTES,
            "Resident memory size in bytes.",
            Box::new(|| status_bytes("VmRSS")),
        );
        add(
            "process_virtual_memory_bytes",
            gauge,
            Unit::BYTES,
            "Virtual memory size in bytes.",
            Box::new(|| status_bytes("VmSize")),
        );
        add(
            "process_open_fds",
            gauge,
            fds,
            "Number of open file descriptors.",
            Box::new(open_fds),
        );
        add(
            "process_max_fds",
            gauge,
            fds,
            "Maximum number of open file descriptors.",
            Box::new(|| parse_max_open_files(&read("/proc/self/limits")?)),
        );
        add(
            "process_threads",
            gauge,
            Unit::custom("{thread}"),
            "Number of OS threads in the process.",
            Box::new(|| stat().map(|s| s.threads as f64)),
        );
        // The start time never changes: read it once.
        let Some(start) = start_time() else { return };
        add(
            "process_start_time_seconds",
            gauge,
            Unit::SECONDS,
            "Start time of the process since unix epoch in seconds.",
            Box::new(move || Some(start)),
        );
        add(
            "process_uptime_seconds",
            gauge,
            Unit::SECONDS,
            "Time since the process started, in seconds.",
            Box::new(move || Some(uptime_seconds(start, SystemTime::now()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "8918 (cat) R 8915 8915 3495 0 -1 4194304 100 0 0 0 250 125 0 0 20 0 3 0 640424 3133440 413 18446744073709551615 94842620030976 0";

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let stat = parse_stat(STAT).unwrap();
        assert_eq!(
            stat,
            Stat {
                utime: 250,
                stime: 125,
                threads: 3,
                start: 640424
            }
        );
        assert_eq!(stat.cpu_seconds(), 3.75);
        // A command name with spaces and parentheses does not shift fields.
        let odd = STAT.replace("(cat)", "(a) b (c) d)");
        assert_eq!(parse_stat(&odd), Some(stat));
    }

    #[test]
    fn odd_stat_text_gives_none() {
        for text in [
            "",
            ")",
            "1 (x) R",
            "1 (x) R 1 2 3 4 5 6 7 8 9 10 x 12",
            "no paren",
        ] {
            assert_eq!(parse_stat(text), None, "{text:?}");
        }
        let huge = STAT.replace(" 250 ", " 99999999999999999999999 ");
        assert_eq!(parse_stat(&huge), None);
    }

    #[test]
    fn status_lines_in_kilobytes() {
        let text =
            "Name:\tcat\nVmSize:\t    3900 kB\nVmRSS:\t    2188 kB\nVmRSSx:\t1 kB\nThreads:\t1\n";
        assert_eq!(parse_status_bytes(text, "VmRSS"), Some(2188 * 1024));
        assert_eq!(parse_status_bytes(text, "VmSize"), Some(3900 * 1024));
        assert_eq!(parse_status_bytes(text, "Threads"), Some(1));
        assert_eq!(parse_status_bytes(text, "VmSwap"), None);
        assert_eq!(parse_status_bytes("VmRSS: lots kB", "VmRSS"), None);
        assert_eq!(parse_status_bytes("VmRSS: 1 MB", "VmRSS"), None);
        assert_eq!(
            parse_status_bytes("VmRSS: 18446744073709551615 kB", "VmRSS"),
            None
        );
    }

    #[test]
    fn max_open_files_soft_limit() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max processes             63470                63470                processes \n\
                    Max open files            1024                 1048576              files     \n";
        assert_eq!(parse_max_open_files(text), Some(1024.0));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(parse_max_open_files(unlimited), Some(f64::INFINITY));
        assert_eq!(parse_max_open_files("Max open files   many"), None);
        assert_eq!(parse_max_open_files(""), None);
    }

    #[test]
    fn boot_time_and_start_time() {
        let text = "cpu  1 2 3\nintr 5\nbtime 1795290152\nprocesses 9\n";
        assert_eq!(parse_boot_time(text), Some(1_795_290_152));
        assert_eq!(parse_boot_time("btime soon\n"), None);
        assert_eq!(parse_boot_time(""), None);
        let stat = parse_stat(STAT).unwrap();
        assert_eq!(start_time_seconds(1_000, &stat), 1_000.0 + 6404.24);
        let now = UNIX_EPOCH + Duration::from_secs(1_500);
        assert_eq!(uptime_seconds(1_000.0, now), 500.0);
        assert_eq!(uptime_seconds(2_000.0, now), 0.0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn registered_metrics_appear_in_snapshots() {
        use crate::metrics::SeriesValue;

        let meter = SdkMeter::new();
        register(&meter);
        register(&meter); // again: replaces, no duplicate series
        let snap = meter.snapshot();
        let value = |name: &str| match snap.series(name, &[]).map(|s| &s.value) {
            Some(SeriesValue::Gauge(v) | SeriesValue::FloatCounter(v)) => *v,
            other => panic!("{name}: {other:?}"),
        };
        assert!(matches!(
            snap.series("process_cpu_seconds_total", &[]).unwrap().value,
            SeriesValue::FloatCounter(_)
        ));
        assert!(value("process_cpu_seconds_total") >= 0.0);
        assert!(value("process_resident_memory_bytes") > 0.0);
        assert!(value("process_virtual_memory_bytes") >= value("process_resident_memory_bytes"));
        assert!(value("process_open_fds") >= 1.0);
        assert!(value("process_max_fds") >= value("process_open_fds"));
        assert!(value("process_threads") >= 1.0);
        let now = uptime_seconds(0.0, SystemTime::now());
        let start = value("process_start_time_seconds");
        assert!(start > 1e9 && start <= now + 1.0, "{start} vs {now}");
        assert!(value("process_uptime_seconds") >= 0.0);
        for family in &snap.families {
            assert_eq!(family.series.len(), 1, "{}", family.name);
        }
        assert_eq!(snap.families.len(), 8);
    }
}
