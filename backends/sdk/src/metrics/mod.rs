//! Metrics (in progress).
mod snapshot;
pub use snapshot::*;
