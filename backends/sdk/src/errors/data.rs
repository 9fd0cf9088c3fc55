//! [`ErrorEvent`]: a handled error or panic, as reporters receive it.

use std::backtrace::Backtrace;
use std::sync::Arc;
use std::time::SystemTime;

use omniscope::{ErrorKind, SpanId, TraceId};

use crate::attributes::Attributes;

/// One error in a source chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainLink {
    /// The error's type name, as far as its `Debug` output tells
    /// (`OrderError` for `OrderError::Payment(..)`), else `"Error"`.
    pub type_name: String,
    /// Its `Display` message.
    pub message: String,
}

/// A handled error or a panic.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ErrorEvent {
    /// When it happened.
    pub timestamp: SystemTime,
    /// Handled or panic.
    pub kind: ErrorKind,
    /// The error, then each `source()` below it.
    pub chain: Vec<ChainLink>,
    /// The outermost error's Rust type (`orders::payment::PaymentError`),
    /// when the reporting site knew it
    /// ([`handle_error!`](macro@omniscope::handle_error)); a `&dyn Error` does
    /// not tell it, so `chain` names each error by its `kind` label.
    pub error_type: Option<&'static str>,
    /// Fields given with the error, after redaction.
    pub fields: Attributes,
    /// The trace id of the span it happened in.
    pub trace_id: Option<TraceId>,
    /// The span id of the span it happened in.
    pub span_id: Option<SpanId>,
    /// `file:line:column` of the report or panic.
    pub location: Option<String>,
    /// The thread's name.
    pub thread: Option<String>,
    /// The backtrace, when one was captured.
    pub backtrace: Option<String>,
    /// A backtrace of the handling site, captured by `handle_error` when a
    /// reporter [asked for one](crate::export::Exporter::wants_backtraces)
    /// and backtraces are enabled; unresolved, so that whoever formats it
    /// pays for resolving symbols (on its own thread).
    pub handling_backtrace: Option<Arc<Backtrace>>,
}

impl ErrorEvent {
    /// The outermost error's type name (`errors{kind}` uses it).
    pub fn type_name(&self) -> &str {
        self.chain.first().map_or("Error", |l| l.type_name.as_str())
    }

    /// The outermost error's message.
    pub fn message(&self) -> &str {
        self.chain.first().map_or("", |l| l.message.as_str())
    }
}
