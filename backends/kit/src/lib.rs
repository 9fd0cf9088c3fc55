#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod builder;
mod env;
mod error;
mod guard;

pub use backend::{Backend, Signal};
pub use builder::{KitBuilder, DEFAULT_LOG_FILTER, DEFAULT_METRIC_EXPORT_INTERVAL};
pub use error::Error;
pub use guard::TelemetryGuard;
pub use omniscope;
pub use omniscope_sdk as sdk;

#[cfg(feature = "console")]
#[cfg_attr(docsrs, doc(cfg(feature = "console")))]
pub use omniscope_console as console;
#[cfg(feature = "present")]
#[cfg_attr(docsrs, doc(cfg(feature = "present")))]
pub use omniscope_present as present;

/// Starts configuring telemetry for `main`.
pub fn builder() -> KitBuilder {
    KitBuilder::new()
}
