#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod capture;
mod history;
mod present;
mod server;
mod sinks;
mod state;
mod store;
#[cfg(test)]
mod testutil;
mod truncate;
mod view;

pub use builder::{
    PresentBuilder, ADDR_ENV, DEFAULT_ADDR, DEFAULT_MAX_STRING_LEN, DEFAULT_OTLP_ADDR,
    MAX_ERROR_GROUPS, MAX_HISTORY_SERIES, MIN_MAX_STRING_LEN, MIN_TOKEN_LEN, OTLP_ADDR_ENV,
};
pub use omniscope;
pub use present::{Present, PresentStats};
pub use server::{
    ServeError, Server, ServerStats, ShutdownTimeout, DROP_TIMEOUT, HEADER_TIMEOUT,
    MAX_CONNECTIONS, MAX_OTLP_BODY,
};
pub use sinks::{ErrorSink, LogSink, SpanSink};
