#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bridge;
mod callsite;
mod entered;
mod fields;
mod layer;
mod subscriber;
mod to_tracing;

pub use layer::{layer, OmniscopeLayer};
pub use omniscope;
pub use subscriber::{dropped_spans, install, OmniscopeSubscriber};
pub use to_tracing::{TracingLogger, TracingTracer, TARGET};
