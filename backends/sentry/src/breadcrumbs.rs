//! Breadcrumbs that belong to the request: the most recent log records of
//! each trace (of each thread, for records outside any trace), kept in
//! bounded memory, so that an event carries its own request's records and
//! never another's (the classic mistake with one process-wide breadcrumb
//! buffer, sentry-rust #507).
//!
//! # Mechanism
//!
//! [`BreadcrumbExporter`] is an immediate log exporter: the logger hands it
//! each record on the thread that logged it, before the log call returns,
//! so that every record logged before an error is in the store by the time
//! the error reaches the Sentry reporter's pipeline thread. Records are
//! keyed by trace id, or by thread name outside a trace, into one of
//! [`SHARDS`] locked maps (threads logging for different requests rarely
//! meet on one lock). Each key keeps its last `max_breadcrumbs` records;
//! the store keeps at most `max_keys` keys, and a new key evicts the one
//! least recently logged to in its shard (counted in
//! [`Breadcrumbs::evicted_total`]). An event takes its key's records up to
//! its own timestamp, so records logged after the error, while it waited
//! in the queue, are left out.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use omniscope::{Level, TraceId};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, ImmediateExporter};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::{Attributes, Resource};
use sentry::protocol::{Breadcrumb, Map};

use crate::event::json_value;

/// Locks the store is split over.
pub(crate) const SHARDS: usize = 16;

/// The longest message kept in a breadcrumb, in bytes (longer ones are cut
/// at a character boundary).
pub(crate) const MAX_MESSAGE_LEN: usize = 1024;

/// Whose records a breadcrumb trail holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// A trace's.
    Trace(TraceId),
    /// A named thread's, outside any trace.
    Thread(String),
}

/// A record as a trail keeps it: what a breadcrumb needs, copied from the
/// record as it is (a short message buffer reused once the trail is full),
/// and turned into a Sentry breadcrumb only for an event, on the reporter's
/// thread.
#[derive(Debug)]
struct Crumb {
    timestamp: SystemTime,
    level: Level,
    target: Cow<'static, str>,
    message: String,
    fields: Attributes,
}

impl Crumb {
    /// Overwrites this crumb with `record`, keeping the message's buffer.
    fn set(&mut self, record: &LogData) {
        self.timestamp = record.timestamp;
        self.level = record.level;
        self.target.clone_from(&record.target);
        self.message.clear();
        self.message
            .push_str(&cut(&record.message, MAX_MESSAGE_LEN));
        self.fields.clone_from(&record.fields);
    }

    fn new(record: &LogData) -> Crumb {
        Crumb {
            timestamp: record.timestamp,
            level: record.level,
            target: record.target.clone(),
            message: cut(&record.message, MAX_MESSAGE_LEN).into_owned(),
            fields: record.fields.clone(),
        }
    }

    /// The Sentry breadcrumb: its target as category, its fields as data.
    fn to_breadcrumb(&self) -> Breadcrumb {
        let mut data = Map::new();
        for (key, value) in self.fields.iter() {
            data.insert(key.to_owned(), json_value(&value));
        }
        Breadcrumb {
            timestamp: self.timestamp,
            ty: "default".to_owned(),
            category: Some(self.target.to_string()),
            level: crate::event::level(self.level),
            message: Some(self.message.clone()),
            data,
        }
    }
}

/// One trail: its records, oldest first, and when it was last logged to.
#[derive(Debug, Default)]
struct Trail {
    crumbs: VecDeque<Crumb>,
    touched: u64,
}

#[derive(Debug, Default)]
struct Shard {
    trails: HashMap<Key, Trail>,
}

/// The breadcrumb store, shared by the log exporter that fills it and the
/// reporter that reads it.
#[derive(Debug)]
pub(crate) struct Breadcrumbs {
    shards: Vec<Mutex<Shard>>,
    per_key: usize,
    keys_per_shard: usize,
    min_level: Level,
    evicted: AtomicU64,
}

impl Breadcrumbs {
    /// A store keeping `per_key` records of level `min_level` or more
    /// severe for each of at most `max_keys` traces or threads.
    pub(crate) fn new(per_key: usize, max_keys: usize, min_level: Level) -> Breadcrumbs {
        Breadcrumbs {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_key,
            keys_per_shard: max_keys.div_ceil(SHARDS).max(1),
            min_level,
            evicted: AtomicU64::new(0),
        }
    }

    /// Trails evicted so far to keep within the key limit.
    pub(crate) fn evicted_total(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    fn shard(&self, key: &Key) -> &Mutex<Shard> {
        let n = match key {
            // Trace ids are random: their low bits spread traces already.
            Key::Trace(trace) => trace.to_u128() as usize,
            Key::Thread(name) => {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                name.hash(&mut hasher);
                hasher.finish() as usize
            }
        };
        &self.shards[n % SHARDS]
    }

    /// Records `record` under its trace, or under `thread` outside a trace.
    pub(crate) fn record(&self, record: &LogData, thread: Option<&str>) {
        if self.per_key == 0 || record.level > self.min_level {
            return;
        }
        let key = match (record.trace_id, thread) {
            (Some(trace), _) => Key::Trace(trace),
            (None, Some(thread)) => Key::Thread(thread.to_owned()),
            // An unnamed thread outside a trace has no trail an event
            // could find again.
            (None, None) => return,
        };
        // When it was last logged to, from the record: no counter shared
        // by every logging thread.
        let touched = record
            .timestamp
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut shard = omniscope::sync::lock(self.shard(&key));
        if !shard.trails.contains_key(&key) && shard.trails.len() >= self.keys_per_shard {
            let oldest = shard
                .trails
                .iter()
                .min_by_key(|(_, t)| t.touched)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                shard.trails.remove(&oldest);
                self.evicted.fetch_add(1, Ordering::Relaxed);
            }
        }
        let trail = shard.trails.entry(key).or_default();
        if trail.crumbs.len() >= self.per_key {
            if let Some(mut oldest) = trail.crumbs.pop_front() {
                oldest.set(record);
                trail.crumbs.push_back(oldest);
            }
        } else {
            trail.crumbs.push_back(Crumb::new(record));
        }
        trail.touched = touched;
    }

    /// The records of `key` logged up to `until`, oldest first.
    pub(crate) fn trail(&self, key: &Key, until: SystemTime) -> Vec<Breadcrumb> {
        let shard = omniscope::sync::lock(self.shard(key));
        shard.trails.get(key).map_or_else(Vec::new, |t| {
            t.crumbs
                .iter()
                .filter(|c| c.timestamp <= until)
                .map(Crumb::to_breadcrumb)
                .collect()
        })
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub(crate) fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(text[..end].to_owned())
}

/// The log exporter that keeps each trace's recent records (each named
/// thread's, outside a trace) for the events of the same
/// [`Sentry`](crate::Sentry): an immediate exporter, so the logger calls it
/// on the logging thread before the log call returns, and every record
/// logged before an error is there when the error's event is built. Per
/// record: a hash and a short lock on one of 16 shards. Bounded: at most
/// `with_max_breadcrumbs` records per trace and
/// `with_max_breadcrumb_traces` traces, the least recently logged to
/// forgotten first. Add it to the SDK's logger beside the reporter.
#[derive(Clone, Debug)]
pub struct BreadcrumbExporter {
    pub(crate) store: Arc<Breadcrumbs>,
}

impl ImmediateExporter<LogData> for BreadcrumbExporter {
    fn export(&self, item: &LogData, _resource: &Resource) -> Result<(), ExportError> {
        if item.trace_id.is_some() {
            self.store.record(item, None);
        } else {
            // Outside a trace, the trail is the logging thread's.
            let thread = std::thread::current();
            self.store.record(item, thread.name());
        }
        Ok(())
    }
}

impl Exporter<LogData> for BreadcrumbExporter {
    fn name(&self) -> &str {
        "sentry-breadcrumbs"
    }

    /// Only reached if the SDK did not take the immediate form: records
    /// arrive late and on the pipeline thread, so thread trails are lost.
    fn export(
        &mut self,
        batch: &Batch<LogData>,
        _resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        for record in batch.iter() {
            self.store.record(record, None);
        }
        Ok(Accepted::All)
    }

    fn immediate(&self) -> Option<Arc<dyn ImmediateExporter<LogData>>> {
        Some(Arc::new(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use omniscope::SpanId;
    use omniscope_sdk::testing;

    use super::*;

    fn trace(n: u128) -> TraceId {
        TraceId::from_u128(n)
    }

    fn log_data(level: Level, message: &str, trace: Option<TraceId>) -> LogData {
        let builder = testing::log(level, message);
        match trace {
            Some(t) => builder.with_ids(t, SpanId::from_u64(1)).build(),
            None => builder.build(),
        }
    }

    #[test]
    fn trails_are_per_trace_and_bounded() {
        let store = Breadcrumbs::new(2, 64, Level::Info);
        for i in 0..3 {
            store.record(
                &log_data(Level::Info, &format!("a{i}"), Some(trace(1))),
                None,
            );
        }
        store.record(&log_data(Level::Info, "b", Some(trace(2))), None);
        store.record(&log_data(Level::Debug, "too verbose", Some(trace(2))), None);
        let later = SystemTime::now() + Duration::from_secs(1);
        let a: Vec<_> = store
            .trail(&Key::Trace(trace(1)), later)
            .into_iter()
            .map(|c| c.message.unwrap())
            .collect();
        assert_eq!(a, ["a1", "a2"]);
        assert_eq!(store.trail(&Key::Trace(trace(2)), later).len(), 1);
    }

    #[test]
    fn keys_are_bounded_and_evictions_counted() {
        let store = Breadcrumbs::new(4, SHARDS, Level::Info);
        for n in 1..=200 {
            store.record(&log_data(Level::Info, "x", Some(trace(n))), None);
        }
        let kept: usize = store
            .shards
            .iter()
            .map(|s| omniscope::sync::lock(s).trails.len())
            .sum();
        assert!(kept <= SHARDS);
        assert_eq!(store.evicted_total(), 200 - kept as u64);
    }

    #[test]
    fn records_after_the_error_are_left_out() {
        let store = Breadcrumbs::new(4, 64, Level::Info);
        let before = SystemTime::now() - Duration::from_secs(1);
        store.record(&log_data(Level::Info, "x", None), Some("worker"));
        assert!(store
            .trail(&Key::Thread("worker".into()), before)
            .is_empty());
        assert_eq!(
            store
                .trail(&Key::Thread("worker".into()), SystemTime::now())
                .len(),
            1
        );
    }

    #[test]
    fn cut_respects_char_boundaries() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("abc", 5), "abc");
    }
}
