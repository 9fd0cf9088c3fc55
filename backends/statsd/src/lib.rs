#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
pub mod encode;
pub mod env;
mod exporter;
mod pack;
mod transport;

pub use builder::{
    Statsd, StatsdBuilder, DEFAULT_MAX_SAMPLES, DEFAULT_RESOLVE_INTERVAL, MAX_PAYLOAD_LIMIT,
};
pub use encode::{Flavor, HistogramAs, LabelScheme};
pub use exporter::{StatsdExporter, StatsdStats};
pub use omniscope;
pub use transport::{Endpoint, StreamFraming};
