//! Issue #15: the handling site's backtrace is captured at `handle` only
//! when a reporter asks for it (and backtraces are enabled), and handed
//! over unresolved; otherwise nothing is captured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler};
use omniscope_sdk::errors::{ErrorEvent, SdkErrors};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, InMemoryExporter};
use omniscope_sdk::Resource;

/// An in-memory reporter that asks for backtraces.
struct Asking(InMemoryExporter<ErrorEvent>);

impl Exporter<ErrorEvent> for Asking {
    fn name(&self) -> &str {
        "asking"
    }
    fn export(
        &mut self,
        batch: &Batch<ErrorEvent>,
        resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        self.0.export(batch, resource)
    }
    fn wants_backtraces(&self) -> bool {
        true
    }
}

fn handled(errors: &SdkErrors) {
    let e = std::io::Error::other("disk full");
    errors.handle(&e, &ErrorContext::new(&[]));
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
}

#[test]
fn errors_backtrace_only_when_asked() {
    std::env::set_var("RUST_LIB_BACKTRACE", "1");
    let (plain, plain_received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(plain))
        .build()
        .unwrap();
    handled(&errors);
    assert!(plain_received.items()[0].handling_backtrace.is_none());

    let (inner, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(Asking(inner)))
        .build()
        .unwrap();
    handled(&errors);
    let event = &received.items()[0];
    let text = event.handling_backtrace.as_ref().unwrap().to_string();
    assert!(text.contains("errors_backtrace_only_when_asked"), "{text}");
    assert!(event.backtrace.is_none());
}
