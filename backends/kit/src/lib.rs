#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backends;
mod builder;
mod env;
mod error;
mod guard;
mod propagators;

pub use backends::Backend;
pub use builder::{KitBuilder, DEFAULT_LOG_FILTER, DEFAULT_METRIC_EXPORT_INTERVAL};
pub use error::Error;
pub use guard::TelemetryGuard;
pub use omniscope;
pub use omniscope_sdk as sdk;
pub use omniscope_sdk::Signal;

#[cfg(feature = "console")]
#[cfg_attr(docsrs, doc(cfg(feature = "console")))]
pub use omniscope_console as console;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use omniscope_http as http;
#[cfg(feature = "jaeger")]
#[cfg_attr(docsrs, doc(cfg(feature = "jaeger")))]
pub use omniscope_jaeger as jaeger;
#[cfg(feature = "log")]
#[cfg_attr(docsrs, doc(cfg(feature = "log")))]
pub use omniscope_log as log;
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use omniscope_otlp as otlp;
#[cfg(feature = "present")]
#[cfg_attr(docsrs, doc(cfg(feature = "present")))]
pub use omniscope_present as present;
#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub use omniscope_prometheus as prometheus;
#[cfg(feature = "sentry")]
#[cfg_attr(docsrs, doc(cfg(feature = "sentry")))]
pub use omniscope_sentry as sentry;
#[cfg(feature = "statsd")]
#[cfg_attr(docsrs, doc(cfg(feature = "statsd")))]
pub use omniscope_statsd as statsd;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use omniscope_tracing as tracing;
#[cfg(feature = "zipkin")]
#[cfg_attr(docsrs, doc(cfg(feature = "zipkin")))]
pub use omniscope_zipkin as zipkin;

/// Starts configuring telemetry for `main`.
pub fn builder() -> KitBuilder {
    KitBuilder::new()
}
