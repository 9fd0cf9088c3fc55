#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bridge;
mod forward;
mod kv;
mod level;

pub use bridge::{install, InstallError, LogBridge};
pub use forward::LogForwarder;
pub use kv::{dropped_fields, MAX_FIELDS, SPAN_ID_KEY, TRACE_ID_KEY};
pub use omniscope;
