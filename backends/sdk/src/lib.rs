//! The fast native implementation of omniscope's four signals (in progress).

pub mod attributes;
mod build;
pub mod errors;
pub mod export;
pub mod logs;
pub mod metrics;
pub mod resource;
pub mod trace;

pub use attributes::Attributes;
pub use build::BuildError;
pub use resource::Resource;
pub use omniscope;
