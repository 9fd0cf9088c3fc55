//! Regression test for issue #11: a variable whose value is not UTF-8 used
//! to count as unset (`std::env::var(..).ok()`), so data silently went to
//! the default endpoint. It fails the build, naming the variable.
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use omniscope_otlp::Otlp;

fn rejected_with(variable: &str, value: &[u8]) -> String {
    // The only test of this file (its own process): nothing else reads the
    // environment meanwhile.
    std::env::set_var(variable, OsStr::from_bytes(value));
    let result = Otlp::builder().from_env().build();
    std::env::remove_var(variable);
    match result {
        Ok(otlp) => panic!("{variable} was accepted: {otlp:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn env_non_utf8_value_fails_the_build() {
    assert_eq!(
        rejected_with("OTEL_EXPORTER_OTLP_ENDPOINT", b"http://collector\xff:4318"),
        r#"invalid otlp configuration: OTEL_EXPORTER_OTLP_ENDPOINT="http://collector\xFF:4318" is not valid UTF-8: write it in UTF-8, or unset it"#
    );
    // Header values often hold credentials: named, not shown.
    let message = rejected_with("OTEL_EXPORTER_OTLP_TRACES_HEADERS", b"api-key=secret\xff");
    assert_eq!(
        message,
        "invalid otlp configuration: OTEL_EXPORTER_OTLP_TRACES_HEADERS is not valid UTF-8: write it in UTF-8, or unset it"
    );
}
