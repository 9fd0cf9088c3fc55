//! Errors: [`SdkErrors`], the SDK's [`ErrorHandler`](omniscope::ErrorHandler).
//!
//! For each handled error or panic, in order:
//!
//! 1. **Count** — through the facade, into whatever meter is
//!    installed: `errors{kind}` for a handled error, `kind` as
//!    [`omniscope::error::kind_label`] names it (as `#[instrument]`'s
//!    `function.errors{kind}` does), `panics` for a panic.
//! 2. **Filter** — an optional predicate skips errors that need no report
//!    (user errors, say); skipped ones are counted in
//!    [`SdkErrors::filtered_total`].
//! 3. **Convert** — into an [`ErrorEvent`]: the `source()` chain as
//!    [`ChainLink`]s (type name and message each), location
//!    (`file:line:column`), thread, backtrace when one was captured (and,
//!    for a reporter that [asks](crate::export::Exporter::wants_backtraces),
//!    the handling site's, unresolved), fields
//!    (redacted as for logs, see [`crate::logs#redaction`]), timestamp, and
//!    the trace and span ids of the span the error happened in.
//! 4. **Fan out** — one pipeline per reporter (signal `"errors"`); reporters
//!    run on their pipeline's thread, never on the caller's.
//!
//! # Type names
//!
//! A `dyn Error` does not carry its type name, so it is read from the start
//! of the error's `Debug` output, as sentry-rust does: the leading path
//! before `(`, `{` or a space (`Os { code: 2, .. }` → `Os`). A path ending in
//! a type and a variant (`OrderError::Payment(..)`, as a hand-written `Debug`
//! may print) gives the type, `OrderError`; note that a derived `Debug` of an
//! enum prints only the variant (`Payment(..)` → `Payment`). Formatting stops
//! after the name, so large errors are not formatted in full. A panic's type
//! name is `panic`; an output that does not start with an identifier (a
//! quoted string) gives `Error`.

mod builder;
mod convert;
mod data;
mod handler;

pub use builder::ErrorsBuilder;
pub use data::{ChainLink, ErrorEvent};
pub use handler::SdkErrors;
