//! The names of the metrics omniscope emits on its own, and the scheme they
//! follow.
//!
//! # The naming scheme
//!
//! Every metric the library emits — the per-function meters of
//! `#[instrument]`, the error handler's counts, the SDK's self-metrics, the
//! HTTP metrics — is named as OpenTelemetry's semantic conventions name
//! metrics, in the SDK and in every snapshot: lower-case words joined by
//! `.` (`function.duration`, `http.server.request.duration`), no unit and
//! no `_total` in the name, and the unit as a UCUM [`Unit`](super::Unit):
//! `s` for durations, `By` for sizes, an annotation such as `{call}` for
//! counts of things. Each backend translates by its own documented rules:
//! OTLP sends the names and units as they are; Prometheus (the
//! `omniscope-prometheus` backend, and the dashboard's `/metrics`, which
//! uses it) replaces `.` by `_`, appends the unit's word and a counter's
//! `_total` (`function.duration` in `s` → `function_duration_seconds`,
//! `function.calls` → `function_calls_total`), following OpenTelemetry's
//! Prometheus compatibility specification. Name your own metrics the same
//! way, and every backend shows them in its own idiom.
//!
//! | name | instrument | unit | labels | in Prometheus |
//! |---|---|---|---|---|
//! | [`FUNCTION_CALLS`] | counter | `{call}` | `function` | `function_calls_total` |
//! | [`FUNCTION_IN_FLIGHT`] | up-down counter | `{call}` | `function` | `function_in_flight` |
//! | [`FUNCTION_DURATION`] | histogram | `s` | `function`, `outcome` (`ok`, `error`, `panic`) | `function_duration_seconds` |
//! | [`FUNCTION_ERRORS`] | counter | `{error}` | `function`, `kind` | `function_errors_total` |
//! | [`FUNCTION_USER_ERRORS`] | counter | `{error}` | `function`, `kind` | `function_user_errors_total` |
//! | [`FUNCTION_PANICS`] | counter | `{panic}` | `function` | `function_panics_total` |
//! | [`ERRORS`] | counter | `{error}` | `kind` | `errors_total` |
//! | [`USER_ERRORS`] | counter | `{error}` | `kind` | `user_errors_total` |
//! | [`PANICS`] | counter | `{panic}` | | `panics_total` |
//!
//! `kind` is [`kind_label`](crate::error::kind_label)'s name for the error,
//! in every error counter. Expected errors (a [`UserError`](crate::UserError)
//! that says so) are counted in the `user_errors` counters, never in the
//! `errors` ones: they are not failures. The SDK's self-metrics (`omniscope.*`: what each
//! export pipeline exported and dropped, spans and log records lost, …)
//! are listed in `omniscope-sdk`'s documentation.

/// Calls of an `#[instrument]`ed function, at the call.
pub const FUNCTION_CALLS: &str = "function.calls";
/// Calls of an `#[instrument]`ed function not finished yet.
pub const FUNCTION_IN_FLIGHT: &str = "function.in_flight";
/// How long the calls of an `#[instrument]`ed function took, by `outcome`.
pub const FUNCTION_DURATION: &str = "function.duration";
/// Calls of an `#[instrument]`ed function that returned an error, by `kind`.
pub const FUNCTION_ERRORS: &str = "function.errors";
/// Calls of an `#[instrument]`ed function that returned an expected error
/// (a [`UserError`](crate::UserError)), by `kind`.
pub const FUNCTION_USER_ERRORS: &str = "function.user_errors";
/// Calls of an `#[instrument]`ed function that panicked.
pub const FUNCTION_PANICS: &str = "function.panics";
/// Errors handed to the error handler, by `kind`.
pub const ERRORS: &str = "errors";
/// Expected errors (a [`UserError`](crate::UserError)) handed to the error
/// handler, by `kind`: counted, not reported.
pub const USER_ERRORS: &str = "user_errors";
/// Panics the panic hook reported to the error handler.
pub const PANICS: &str = "panics";
