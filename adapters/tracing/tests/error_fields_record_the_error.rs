//! An `error` field holding a `&dyn Error` records the error on its span
//! (an `exception` event and an error status), at start or recorded later;
//! in an event it is a field with the error's chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::error::Error;
use std::fmt;

use omniscope::Status;
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug)]
struct Outer(std::io::Error);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment failed")
    }
}

impl Error for Outer {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

fn failure() -> Outer {
    Outer(std::io::Error::other("card declined"))
}

#[test]
fn error_fields_record_the_error_on_spans_and_in_events() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let e = failure();
        drop(tracing::info_span!("at start", error = &e as &dyn Error));
        let later = tracing::info_span!("later", error = tracing::field::Empty);
        later.record("error", &e as &dyn Error);
        drop(later);
        drop(tracing::info_span!("shown", error = %e));
        let _in = tracing::info_span!("with event").entered();
        tracing::error!(error = &e as &dyn Error, "charging");
    });

    let (spans, logs) = telemetry.take();
    for name in ["at start", "later"] {
        let span = common::span(&spans, name);
        assert_eq!(span.status, Status::error("payment failed"), "{name}");
        let exception = span.events.iter().find(|e| e.name == "exception");
        let exception = exception.unwrap_or_else(|| panic!("{name}: {span:#?}"));
        assert_eq!(
            common::text(exception.attributes.get("exception.message")).as_deref(),
            Some("payment failed")
        );
    }
    // `%e` is text, not an error: an attribute, no error status.
    let shown = common::span(&spans, "shown");
    assert_eq!(shown.status, Status::Unset);
    assert_eq!(
        common::text(shown.attributes.get("error")).as_deref(),
        Some("payment failed")
    );
    let charging = common::log(&logs, "charging");
    assert_eq!(
        common::text(charging.fields.get("error")).as_deref(),
        Some("payment failed: card declined")
    );
    // A logged error is not the span's failure.
    assert_eq!(common::span(&spans, "with event").status, Status::Unset);
}
