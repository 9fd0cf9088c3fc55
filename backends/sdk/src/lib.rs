#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod attributes;
mod build;
mod clock;
pub mod env;
pub mod errors;
pub mod export;
pub mod functions;
pub use omniscope::hash;
pub mod logs;
pub mod metrics;
pub mod process;
pub mod resource;
pub mod retry;
mod sdk;
mod self_metrics;
mod signal;
mod sync;
pub mod testing;
pub mod trace;

pub use attributes::Attributes;
pub use build::BuildError;
pub use errors::SdkErrors;
pub use functions::FunctionStats;
pub use logs::SdkLogger;
pub use metrics::SdkMeter;
pub use omniscope;
pub use resource::Resource;
pub use sdk::{InstallError, Sdk, SdkBuilder, SdkGuard, DEFAULT_SHUTDOWN_TIMEOUT};
pub use signal::Signal;
pub use trace::SdkTracer;
