//! Regression test for issue #11: parsing many directives is not quadratic
//! (before the fix each directive scanned every earlier one: 32,000
//! directives took 9 s). A liveness check, not a speed threshold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use omniscope::LevelFilter;
use omniscope_sdk::logs::LogFilter;

#[test]
fn a_hundred_thousand_directives_parse() {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let directives: Vec<String> = (0..100_000)
            .map(|i| format!("crate{i}::module=debug"))
            .chain(["warn".to_owned(), "crate7::module=error".to_owned()])
            .collect();
        tx.send(LogFilter::parse(&directives.join(",")))
    });
    let filter = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("parsing did not finish within the liveness bound")
        .unwrap();
    assert_eq!(filter.level_for("crate0::module::x"), LevelFilter::Debug);
    assert_eq!(filter.level_for("crate99999::module"), LevelFilter::Debug);
    assert_eq!(
        filter.level_for("crate7::module"),
        LevelFilter::Error,
        "last wins"
    );
    assert_eq!(filter.level_for("crate0"), LevelFilter::Warn);
}
