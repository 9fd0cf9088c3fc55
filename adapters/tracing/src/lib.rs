#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callsite;
mod entered;
mod fields;
mod layer;
mod subscriber;

pub use layer::{layer, OmniscopeLayer};
pub use omniscope;
pub use subscriber::{install, OmniscopeSubscriber};
