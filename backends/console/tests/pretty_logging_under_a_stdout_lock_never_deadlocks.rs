//! A thread that holds the standard output's lock (an application writing
//! a report through `stdout().lock()`) may log to a pretty console on
//! stdout while another thread's line is being written: the console takes
//! the stream's lock before its own, in the same order as such a thread,
//! so neither waits for the other for ever (issue #12: pretty lines are
//! written on the logging thread). A deadlock ends the test process with a
//! failure after 10 s.

use std::io::Write as _;
use std::sync::mpsc;
use std::time::Duration;

use omniscope_console::{Console, Format, Target};
use omniscope_sdk::logs::SdkLogger;

#[test]
fn pretty_logging_under_a_stdout_lock_never_deadlocks() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let console = Console::builder()
            .with_format(Format::Pretty)
            .with_target(Target::Stdout)
            .build()
            .unwrap();
        let logger = SdkLogger::builder()
            .with_exporter(Box::new(console.logs()))
            .build()
            .unwrap();
        let mut out = std::io::stdout().lock();
        std::thread::scope(|s| {
            // Writes its line while this thread holds the stream's lock.
            s.spawn(|| omniscope::info!(logger: &logger, "from another thread"));
            std::thread::sleep(Duration::from_millis(200));
            omniscope::info!(logger: &logger, "while holding stdout");
            writeln!(out, "report line").unwrap();
            drop(out);
        });
        done.send(()).unwrap();
    });
    if finished.recv_timeout(Duration::from_secs(10)).is_err() {
        // The harness would wait for the stdout lock the stuck threads hold.
        std::process::exit(1);
    }
}
