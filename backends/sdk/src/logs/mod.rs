//! Logs (in progress).
mod data;
pub use data::LogData;
