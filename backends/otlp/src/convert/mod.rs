//! Pure functions from the SDK's data to the OTLP messages generated from
//! the official `.proto` files (`opentelemetry-proto`): no I/O, no panics,
//! whatever the input.

mod common;
mod logs;
mod metrics;
mod trace;

pub(crate) use logs::logs_request;
pub(crate) use metrics::metrics_request;
pub(crate) use trace::trace_request;

#[cfg(test)]
mod tests;
