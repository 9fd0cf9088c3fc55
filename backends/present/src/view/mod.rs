//! The JSON documents of the API, built from the stores and the SDK. Each
//! is a plain serializable struct, so its shape is visible in one place
//! (and in the crate docs' API table).

mod callgraph;
mod errors;
mod funcs;
mod inflight;
mod logs;
mod metrics;
mod status;
mod traces;
mod values;

pub(crate) use callgraph::CallGraph;
pub(crate) use errors::{ErrorList, ErrorQuery};
pub(crate) use funcs::FunctionList;
pub(crate) use inflight::InFlightList;
pub(crate) use logs::{LogList, LogQuery};
pub(crate) use metrics::{MetricList, MetricQuery};
pub(crate) use status::Status;
pub(crate) use traces::{TraceDetail, TraceList, TraceQuery};
pub(crate) use values::unix_ms;
