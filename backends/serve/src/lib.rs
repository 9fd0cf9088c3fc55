#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod connection;
mod error;
mod host;
mod loopback;
mod registry;
mod response;
mod run;
mod server;
mod stats;
mod stopping;
#[cfg(test)]
mod tests;
mod watched;

pub use builder::{
    ServerBuilder, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_WRITE_TIMEOUT,
};
pub use connection::HEADER_TIMEOUT;
pub use error::{ServeError, ShutdownTimeout};
pub use host::{check_host_name, BadHostName};
pub use loopback::{check_loopback, NotLoopback};
pub use response::{with_type, Body};
pub use server::{Server, DROP_TIMEOUT};
pub use stats::ServerStats;
pub use stopping::Stopping;
