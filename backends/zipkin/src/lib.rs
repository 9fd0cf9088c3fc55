#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod b3;
mod builder;
mod encode;
mod exporter;

pub use b3::B3Propagator;
pub use builder::{
    Zipkin, ZipkinBuilder, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT, ENDPOINT_VAR, TIMEOUT_VAR,
};
pub use encode::Encoding;
pub use exporter::ZipkinExporter;
pub use omniscope;
pub use omniscope_sdk::BuildError;

/// Starts a configuration: [`Zipkin::builder`].
pub fn builder() -> ZipkinBuilder {
    Zipkin::builder()
}
