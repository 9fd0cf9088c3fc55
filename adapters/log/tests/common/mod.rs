//! Test doubles shared by this crate's tests: a facade logger and a `log`
//! logger that keep what they receive, with the values' types.

#![allow(dead_code, unreachable_pub)] // each test file uses part of it

use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use omniscope::{LevelFilter, Logger, OwnedValue, SpanId, TraceId};

/// A record as the facade logger received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub level: omniscope::Level,
    pub target: String,
    pub module_path: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
    pub fields: Vec<(String, OwnedValue)>,
    pub ids: Option<(TraceId, SpanId)>,
}

/// A facade logger that keeps every record, with a level hint and targets
/// it rejects (a per-target filter, as the SDK's).
#[derive(Clone)]
pub struct Capture {
    seen: Arc<Mutex<Vec<Seen>>>,
    hint: LevelFilter,
    rejected_target: &'static str,
}

impl Capture {
    pub fn new(hint: LevelFilter, rejected_target: &'static str) -> Capture {
        Capture {
            seen: Arc::default(),
            hint,
            rejected_target,
        }
    }

    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Logger for Capture {
    fn enabled(&self, metadata: &omniscope::Metadata<'_>) -> bool {
        metadata.target() != self.rejected_target
    }

    fn log(&self, record: &omniscope::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let meta = record.metadata();
        let seen = Seen {
            level: record.level(),
            target: record.target().to_owned(),
            module_path: meta.module_path().map(str::to_owned),
            file: meta.file().map(str::to_owned),
            line: meta.line(),
            message: record.format_message(),
            fields: record.fields().iter().map(|f| f.to_owned()).collect(),
            ids: record.ids(),
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen);
    }

    fn max_level_hint(&self) -> LevelFilter {
        self.hint
    }
}

/// A `log` key-value, typed as a `log` consumer sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Kv {
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Str(String),
    /// An error: its message and those of its `source()` chain.
    Error(Vec<String>),
    /// Anything else, through `Display`.
    Other(String),
}

/// A record as the `log` logger received it.
#[derive(Clone, Debug)]
pub struct LogSeen {
    pub level: log::Level,
    pub target: String,
    pub module_path: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
    pub kvs: Vec<(String, Kv)>,
}

impl LogSeen {
    pub fn kv(&self, key: &str) -> Option<&Kv> {
        self.kvs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A `log::Log` that keeps every record, at every level.
#[derive(Clone, Default)]
pub struct LogCapture {
    seen: Arc<Mutex<Vec<LogSeen>>>,
}

impl LogCapture {
    pub fn take(&self) -> Vec<LogSeen> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let mut kvs = KvCollector(Vec::new());
        let _ = record.key_values().visit(&mut kvs);
        let seen = LogSeen {
            level: record.level(),
            target: record.target().to_owned(),
            module_path: record.module_path().map(str::to_owned),
            file: record.file().map(str::to_owned),
            line: record.line(),
            message: record.args().to_string(),
            kvs: kvs.0,
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen);
    }

    fn flush(&self) {}
}

struct KvCollector(Vec<(String, Kv)>);

impl<'kvs> log::kv::VisitSource<'kvs> for KvCollector {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let mut typed = TypedKv(None);
        let _ = value.visit(&mut typed);
        let kv = match (typed.0, value.to_borrowed_error()) {
            (Some(kv), _) => kv,
            (None, Some(error)) => Kv::Error(omniscope::error_chain(error)),
            (None, None) => Kv::Other(value.to_string()),
        };
        self.0.push((key.as_str().to_owned(), kv));
        Ok(())
    }
}

struct TypedKv(Option<Kv>);

impl<'v> log::kv::VisitValue<'v> for TypedKv {
    fn visit_any(&mut self, _: log::kv::Value<'_>) -> Result<(), log::kv::Error> {
        Ok(())
    }
    fn visit_i64(&mut self, v: i64) -> Result<(), log::kv::Error> {
        self.0 = Some(Kv::I64(v));
        Ok(())
    }
    fn visit_u64(&mut self, v: u64) -> Result<(), log::kv::Error> {
        self.0 = Some(Kv::U64(v));
        Ok(())
    }
    fn visit_f64(&mut self, v: f64) -> Result<(), log::kv::Error> {
        self.0 = Some(Kv::F64(v));
        Ok(())
    }
    fn visit_bool(&mut self, v: bool) -> Result<(), log::kv::Error> {
        self.0 = Some(Kv::Bool(v));
        Ok(())
    }
    fn visit_str(&mut self, v: &str) -> Result<(), log::kv::Error> {
        self.0 = Some(Kv::Str(v.to_owned()));
        Ok(())
    }
}

/// An error with a source, for the `:err` pairs.
#[derive(Debug)]
pub struct Outer(pub Inner);

/// The source of [`Outer`].
#[derive(Debug)]
pub struct Inner;

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment failed")
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined")
    }
}

impl Error for Outer {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

impl Error for Inner {}

/// Runs `f` on another thread and waits for it at most 10 s: a record that
/// went round between the two directions would never return.
pub fn within_10s<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(r) => r,
        Err(e) => panic!("the call did not return within 10 s: {e}"),
    }
}
