//! Regression test for issue #11: a variable whose value is not UTF-8 used
//! to count as unset (`std::env::var(..).ok()`), so the endpoint silently
//! listened on its default address. It fails the build, naming the variable.
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use omniscope_prometheus::{Prometheus, HOST_ENV};

#[test]
fn env_non_utf8_value_fails_the_build() {
    // The only test of this file (its own process): nothing else reads the
    // environment meanwhile.
    std::env::set_var(HOST_ENV, OsStr::from_bytes(b"0.0.0.0\xff"));
    let result = Prometheus::builder().from_env().build();
    std::env::remove_var(HOST_ENV);
    match result {
        Ok(prometheus) => panic!("accepted: {prometheus:?}"),
        Err(e) => assert_eq!(
            e.to_string(),
            r#"invalid prometheus configuration: OTEL_EXPORTER_PROMETHEUS_HOST="0.0.0.0\xFF" is not valid UTF-8: write it in UTF-8, or unset it"#
        ),
    }
}
