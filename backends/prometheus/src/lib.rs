#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod encode;
mod encoder;
mod env;
mod format;
mod model;
mod names;
mod number;
mod push;
mod scrape;
mod server;
mod service;

pub use builder::{Prometheus, PrometheusBuilder, DEFAULT_ADDR, DEFAULT_PATH};
pub use encoder::{render, Encoder, EncoderBuilder};
pub use env::{HOST_ENV, OPENMETRICS_ENV, PORT_ENV};
pub use format::Format;
pub use omniscope;
pub use push::{
    PushGateway, PushGatewayBuilder, PushMethod, DEFAULT_PUSH_INTERVAL, DEFAULT_PUSH_TIMEOUT,
};
pub use scrape::{render_scrape, Scrape};
pub use server::{
    ServeError, Server, ShutdownTimeout, DROP_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS,
};
pub use service::MetricsService;
