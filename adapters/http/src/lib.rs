#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod carrier;
pub mod client;
pub mod conventions;
mod error;
mod exchange;
mod grpc;
mod handles;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;
pub mod server;

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use crate::reqwest::{client, ReqwestMiddleware};
pub use carrier::{HeaderCarrier, HeaderExtractor};
pub use client::{ClientBuilder, ClientLayer, ResendCount, UrlTemplate};
pub use error::BuildError;
pub use exchange::InstrumentedBody;
pub use server::{ServerBuilder, ServerLayer};

/// The server layer with its defaults: `.layer(omniscope_http::server())`
/// on an axum `Router`, a tonic `Server::builder()`, or a tower stack.
/// [`ServerLayer::builder`] sets options.
pub fn server() -> ServerLayer {
    ServerLayer::default()
}

/// The client layer with its defaults, for tower-based clients
/// (hyper-util's `Client`, a tonic `Channel`): `ServiceBuilder::new()
/// .layer(omniscope_http::client_layer()).service(client)`.
/// [`ClientLayer::builder`] sets options.
pub fn client_layer() -> ClientLayer {
    ClientLayer::default()
}
