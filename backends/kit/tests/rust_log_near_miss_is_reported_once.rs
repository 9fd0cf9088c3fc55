//! Regression test for issue #11: a `RUST_LOG` word one edit away from a
//! level (`inof`) means a target, as in `env_logger`, so the default level
//! silently stays `error`; the kit now says so, once, on stderr.
//!
//! The test runs itself again as a child process (the `child` test below,
//! which does nothing unless asked) to read what it writes on stderr.

use std::process::Command;

const CHILD: &str = "OMNISCOPE_TEST_NEAR_MISS_CHILD";

#[test]
fn child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    // Twice: each install reads the environment again (the second one
    // finds the globals taken), and the line must not repeat.
    for _ in 0..2 {
        // No backend: nothing to start or bind, whatever the features.
        let _ = omniscope_kit::builder()
            .from_env_with(|var| match var {
                "RUST_LOG" => Some("inof,orders=debug".to_owned()),
                var if var.ends_with("_EXPORTER") => Some("none".to_owned()),
                _ => None,
            })
            .without_panic_hook()
            .install();
    }
}

#[test]
fn rust_log_near_miss_is_reported_once() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line =
        "omniscope-kit: RUST_LOG: `inof` is read as a target, not a level (did you mean `info`?)";
    assert_eq!(stderr.matches(line).count(), 1, "stderr: {stderr}");
}
