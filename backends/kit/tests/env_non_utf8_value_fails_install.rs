//! Regression test for issue #11: a variable whose value is not UTF-8 used
//! to count as unset (`std::env::var(..).ok()`), so `install` went on with
//! defaults. It fails `install`, naming the variable.
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

#[test]
fn env_non_utf8_value_fails_install() {
    // The only test of this file (its own process): nothing else reads the
    // environment meanwhile.
    std::env::set_var("OTEL_SERVICE_NAME", OsStr::from_bytes(b"orders\xff"));
    let result = omniscope_kit::builder()
        .from_env()
        .without_panic_hook()
        .install();
    std::env::remove_var("OTEL_SERVICE_NAME");
    match result {
        Ok(_) => panic!("a service name not in UTF-8 was accepted"),
        Err(e) => {
            assert_eq!(e.variable(), Some("OTEL_SERVICE_NAME"));
            assert_eq!(
                e.to_string(),
                r#"OTEL_SERVICE_NAME="orders\xFF" is not valid UTF-8: write it in UTF-8, or unset it"#
            );
        }
    }
}
