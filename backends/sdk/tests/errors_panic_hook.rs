//! A panic, through `omniscope::install_panic_hook()` with the SDK handler
//! installed globally, is counted and reported as a `panic` event with its
//! message, location and thread — on the reporter's thread, not the
//! panicking one.

use std::time::{Duration, Instant};

use omniscope::ErrorKind;
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;

#[test]
fn a_panic_is_counted_and_reported() {
    let (reporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
        .unwrap();
    omniscope::set_error_handler(errors.clone()).unwrap();
    omniscope::install_panic_hook();

    let panic_line = line!() + 3;
    let result = std::thread::Builder::new()
        .name("job-runner".into())
        .spawn(|| panic!("order {} vanished", 42))
        .unwrap()
        .join();
    assert!(result.is_err());

    // A handled error through the global entry point, for comparison.
    let handled_line = line!() + 1;
    omniscope::handle_error(&std::io::Error::other("disk full"));

    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    assert_eq!(errors.panics_total(), 1);
    assert_eq!(errors.handled_total(), 1);
    let events = received.take();
    assert_eq!(events.len(), 2);

    let panic = &events[0];
    assert_eq!(panic.kind, ErrorKind::Panic);
    assert_eq!(panic.type_name(), "panic");
    assert_eq!(panic.message(), "panicked: order 42 vanished");
    assert_eq!(panic.thread.as_deref(), Some("job-runner"));
    let location = panic.location.as_deref().unwrap();
    assert!(
        location.contains(&format!("errors_panic_hook.rs:{panic_line}:")),
        "{location}"
    );

    let handled = &events[1];
    assert_eq!(handled.kind, ErrorKind::Handled);
    assert_eq!(handled.type_name(), "io::Error");
    let location = handled.location.as_deref().unwrap();
    assert!(
        location.contains(&format!("errors_panic_hook.rs:{handled_line}:")),
        "{location}"
    );
}
