#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod convert;
mod exporter;
mod otlp;
mod protocol;
mod runtime;
mod signal;
#[cfg(test)]
mod testing;
mod transport;

pub use config::{
    OtlpBuilder, DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT, DEFAULT_TIMEOUT,
    MAX_CERTIFICATE_FILE, MAX_TIMEOUT,
};
pub use exporter::OtlpExporter;
pub use omniscope;
pub use omniscope_sdk::BuildError;
pub use omniscope_sdk::Signal;
pub use otlp::Otlp;
pub use protocol::{Compression, Protocol};
