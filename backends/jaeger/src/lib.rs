#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod exporter;
mod propagator;

pub use exporter::{builder, DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT, NAME};
pub use omniscope;
pub use omniscope_otlp::{
    BuildError, Compression, Otlp, OtlpBuilder, OtlpExporter, Protocol, Signal,
};
pub use propagator::{UberTraceIdPropagator, BAGGAGE_PREFIX, UBER_TRACE_ID};
