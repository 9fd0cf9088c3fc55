#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod carrier;
pub mod conventions;
mod error;
mod exchange;
mod grpc;
pub mod server;

pub use carrier::{HeaderCarrier, HeaderExtractor};
pub use error::BuildError;
pub use exchange::InstrumentedBody;
pub use server::{ServerBuilder, ServerLayer};

/// The server layer with its defaults: `.layer(omniscope_http::server())`
/// on an axum `Router`, a tonic `Server::builder()`, or a tower stack.
/// [`ServerLayer::builder`] sets options.
pub fn server() -> ServerLayer {
    ServerLayer::default()
}
