//! What an export thread's transport stack logs through `log` (rustls,
//! hyper's `log` users, reqwest) is telemetry about telemetry: on a thread
//! that called `omniscope::suppress_current_thread`, as every export thread
//! does, `log` records are dropped, not looped back into the pipeline.

mod common;

use common::Capture;
use omniscope::LevelFilter;

#[test]
fn suppressed_threads_send_no_log_records() {
    let capture = Capture::new(LevelFilter::Trace, "nobody");
    omniscope::set_logger(capture.clone()).unwrap();
    omniscope_log::install().unwrap();

    std::thread::spawn(|| {
        omniscope::suppress_current_thread();
        log::warn!(target: "rustls::client", "from an export thread");
    })
    .join()
    .unwrap();
    std::thread::spawn(|| log::warn!(target: "rustls::client", "from an application thread"))
        .join()
        .unwrap();

    let seen = capture.take();
    let messages: Vec<&str> = seen.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["from an application thread"]);
}
