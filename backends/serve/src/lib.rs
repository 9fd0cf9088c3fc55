#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod connection;
mod error;
mod loopback;
mod response;
mod run;
mod server;
mod stopping;
#[cfg(test)]
mod tests;

pub use builder::{ServerBuilder, DEFAULT_MAX_CONNECTIONS};
pub use connection::HEADER_TIMEOUT;
pub use error::{ServeError, ShutdownTimeout};
pub use loopback::{check_loopback, NotLoopback};
pub use response::{with_type, Body};
pub use server::{Server, DROP_TIMEOUT};
pub use stopping::Stopping;
