//! Bounded stores for what the exporters deliver: traces, logs and errors.
//! Each keeps to fixed limits, so memory does not grow with uptime.

mod ring;
mod traces;

pub(crate) use ring::Ring;
pub(crate) use traces::{span_duration, StoredTrace, TraceLimits, TraceStore, TraceStoreStats};
