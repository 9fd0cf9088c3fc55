//! Bounded stores for what the exporters deliver: traces, logs and errors.
//! Each keeps to fixed limits, so memory does not grow with uptime.

mod error_groups;
mod pinned;
mod ring;
mod traces;

pub(crate) use error_groups::{ErrorGroup, ErrorGroups};
pub(crate) use pinned::Pinned;
pub(crate) use ring::Ring;
pub(crate) use traces::{
    is_error, span_duration, StoredTrace, TraceLimits, TraceStore, TraceStoreStats,
};
