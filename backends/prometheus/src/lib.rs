#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod encode;
mod encoder;
mod format;
mod model;
mod names;
mod number;

pub use encoder::{render, Encoder, EncoderBuilder};
pub use format::Format;
pub use omniscope;
