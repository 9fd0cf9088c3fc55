//! Errors (in progress).
mod data;
pub use data::{ChainLink, ErrorEvent};
