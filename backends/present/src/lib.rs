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
mod view;

pub use builder::{PresentBuilder, DEFAULT_ADDR, MAX_HISTORY_SERIES};
pub use omniscope;
pub use present::{Present, PresentStats};
pub use server::{
    ServeError, Server, ShutdownTimeout, DROP_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS,
};
pub use sinks::{ErrorSink, LogSink, SpanSink};
