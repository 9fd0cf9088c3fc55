//! Logs: [`SdkLogger`], the SDK's [`Logger`](omniscope::Logger).
//!
//! Each record goes through, in order:
//!
//! 1. **Filter** — per-target levels from `RUST_LOG`-style directives
//!    ([`LogFilter`]). The filter's most verbose level is the logger's
//!    `max_level_hint`, so installing it sets the facade's global level and
//!    records below every directive cost the facade's one atomic load.
//! 2. **Rate limit** — per call site, see [below](#rate-limiting).
//! 3. **Format once** — `record.args()` becomes the message (a literal is
//!    copied as is); fields are copied into [`Attributes`](crate::Attributes)
//!    with redaction and length limits; the target, module path and file
//!    name are interned (copied once per call site, up to 1 MiB per
//!    process, not once per record).
//! 4. **Hand-off** — the [`LogData`] goes into a per-thread buffer and, in
//!    chunks, to one pipeline per exporter (signal `"logs"`): a bounded queue
//!    drained by a dedicated thread that batches, retries, and counts drops.
//!    The caller never blocks and never does I/O.
//!
//! The logger never logs itself, never panics into the caller, and never
//! blocks. A message argument or field whose `Display` panics is caught
//! where it is formatted and the record is delivered all the same: the
//! field's value is
//! [`PANICKED_WHILE_FORMATTING`](crate::attributes::PANICKED_WHILE_FORMATTING),
//! the message ends with it where the panic happened, and the panic is
//! counted ([`format_panics`](crate::attributes::format_panics)), as for
//! spans and errors. A record emitted while the logger formats another on
//! the same thread (a `Display` that logs) is dropped by the facade and
//! counted in [`omniscope::dropped_on_reentry`].
//!
//! # Redaction
//!
//! Fields whose name matches a configured name get the value `"[REDACTED]"`
//! before anything leaves the logger. Names match case-insensitively
//! (ASCII) and ignoring the separators `_`, `-`, `.` and space, so
//! `card_number`, `cardNumber`, `card.number` and `Card-Number` all match
//! `card number`; a dotted key also matches when its last segment does
//! (`user.password`, `http.request.header.authorization`). Only names are
//! matched: a secret written into the message text is not found. The default
//! list is [`DEFAULT_REDACTED_FIELDS`]; [`SdkErrors`](crate::errors::SdkErrors)
//! uses the same matcher for errors' fields.
//!
//! # Rate limiting
//!
//! A call site (file and line of the macro; target and line when a record
//! has no file) may deliver `limit` records per window (default 1000 per
//! second); later records in the window are dropped and counted, exactly.
//! Each site's count is then reported once as a **synthetic record**: the
//! site's level, target and location, the message `"N similar records
//! suppressed"` and the count in the field [`SUPPRESSED_FIELD`]
//! (`suppressed`), emitted
//!
//! - just before the site's next delivered record, once its window ended;
//! - by the next record from any site after the window ended (a sweep runs
//!   at most once per window), so a flood that stops is still reported;
//! - by [`SdkLogger::flush`] and [`SdkLogger::shutdown`], for every site.
//!
//! A synthetic record was chosen over a count attached to the next record
//! because the next record may never come, and because it keeps each
//! delivered record exactly as emitted. [`SdkLogger::suppressed_total`] is
//! the running total.

mod builder;
mod data;
mod filter;
mod intern;
mod logger;
mod ratelimit;
pub(crate) mod redact;

pub use builder::{
    LoggerBuilder, DEFAULT_MAX_FIELDS, DEFAULT_MAX_FIELD_LEN, DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW,
};
pub use data::LogData;
pub use filter::LogFilter;
pub use logger::{SdkLogger, SUPPRESSED_FIELD};
pub use redact::{DEFAULT_REDACTED_FIELDS, REDACTED};
