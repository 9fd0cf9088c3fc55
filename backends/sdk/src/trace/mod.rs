//! Traces (in progress).
mod data;
pub use data::{SpanData, SpanEvent, SpanLink};
