#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callsite;
mod entered;
mod fields;
mod layer;
mod subscriber;
mod to_tracing;

pub use layer::{layer, OmniscopeLayer};
pub use omniscope;
pub use subscriber::{install, OmniscopeSubscriber};
pub use to_tracing::{TracingLogger, TracingTracer, TARGET};
