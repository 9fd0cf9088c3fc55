#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod console;
mod encode;
mod exporter;
mod options;
mod rotate;
mod sink;
mod target;
#[cfg(test)]
mod testing;

pub use console::{Console, ConsoleBuilder, FORMAT_ENV};
pub use exporter::ConsoleExporter;
pub use omniscope;
pub use omniscope_sdk::BuildError;
pub use options::{ColorChoice, Format};
pub use target::{FileTarget, Target};
