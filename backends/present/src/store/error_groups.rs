//! [`ErrorGroups`]: every error counted by its type and site (where it was
//! reported), with when it was first and last seen and a few sample traces.
//! Unlike the recent ring, counts cover every error since the start, so a
//! rare error stays visible after a flood of another.

use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use omniscope::{ErrorKind, TraceId};
use omniscope_sdk::errors::ErrorEvent;

/// How many traces a group remembers, newest kept.
pub(crate) const SAMPLE_TRACES: usize = 5;

/// One kind of error at one site.
#[derive(Debug)]
pub(crate) struct ErrorGroup {
    pub(crate) kind: ErrorKind,
    pub(crate) type_name: String,
    pub(crate) location: Option<String>,
    /// The latest message (messages may carry ids, so they vary).
    pub(crate) message: String,
    pub(crate) count: u64,
    pub(crate) first_seen: SystemTime,
    pub(crate) last_seen: SystemTime,
    /// Oldest first.
    pub(crate) traces: VecDeque<TraceId>,
}

type GroupKey = (bool, String, Option<String>);

/// At most `capacity` groups; errors of a new group past it are counted
/// in [`ErrorGroups::ungrouped`].
#[derive(Debug)]
pub(crate) struct ErrorGroups {
    groups: HashMap<GroupKey, ErrorGroup>,
    capacity: usize,
    ungrouped: u64,
}

impl ErrorGroups {
    pub(crate) fn new(capacity: usize) -> ErrorGroups {
        ErrorGroups {
            groups: HashMap::new(),
            capacity,
            ungrouped: 0,
        }
    }

    /// Counts `e` in its group.
    pub(crate) fn add(&mut self, e: &ErrorEvent) {
        let key = (
            matches!(e.kind, ErrorKind::Panic),
            e.type_name().to_owned(),
            e.location.clone(),
        );
        if !self.groups.contains_key(&key) && self.groups.len() >= self.capacity {
            self.ungrouped += 1;
            return;
        }
        let group = self.groups.entry(key).or_insert_with(|| ErrorGroup {
            kind: e.kind,
            type_name: e.type_name().to_owned(),
            location: e.location.clone(),
            message: String::new(),
            count: 0,
            first_seen: e.timestamp,
            last_seen: e.timestamp,
            traces: VecDeque::new(),
        });
        group.count += 1;
        e.message().clone_into(&mut group.message);
        group.first_seen = group.first_seen.min(e.timestamp);
        group.last_seen = group.last_seen.max(e.timestamp);
        if let Some(t) = e.trace_id {
            if !group.traces.contains(&t) {
                if group.traces.len() == SAMPLE_TRACES {
                    group.traces.pop_front();
                }
                group.traces.push_back(t);
            }
        }
    }

    /// The groups, most recently seen first.
    pub(crate) fn newest_first(&self) -> Vec<&ErrorGroup> {
        let mut all: Vec<&ErrorGroup> = self.groups.values().collect();
        all.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(b.count.cmp(&a.count)));
        all
    }

    /// Errors not counted in a group because there were `capacity` already.
    pub(crate) fn ungrouped(&self) -> u64 {
        self.ungrouped
    }
}
