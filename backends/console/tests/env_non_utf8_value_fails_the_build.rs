//! Regression test for issue #11: an `OMNISCOPE_LOG_FORMAT` whose value is
//! not UTF-8 used to count as unset (`std::env::var(..).ok()`), so the
//! console silently printed its default format. It fails the build, naming
//! the variable.
#![cfg(unix)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use omniscope_console::{Console, FORMAT_ENV};

#[test]
fn env_non_utf8_value_fails_the_build() {
    // The only test of this file (its own process): nothing else reads the
    // environment meanwhile.
    std::env::set_var(FORMAT_ENV, OsStr::from_bytes(b"js\xffon"));
    let result = Console::builder().from_env().build();
    std::env::remove_var(FORMAT_ENV);
    match result {
        Ok(console) => panic!("accepted: {console:?}"),
        Err(e) => assert_eq!(
            e.to_string(),
            r#"invalid console configuration: OMNISCOPE_LOG_FORMAT="js\xFFon" is not valid UTF-8: write it in UTF-8, or unset it"#
        ),
    }
}
