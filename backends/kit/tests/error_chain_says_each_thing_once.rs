//! Issue #12: an error that wraps another either adds its own context and
//! returns the inner error from `source()`, or is transparent; never both.
//! An SDK `BuildError` inside an `InstallError` inside the kit's `Error`
//! used to print the same sentence three times down its chain.

use std::error::Error as _;

use omniscope_kit::sdk::{BuildError, InstallError};

/// Each message of the chain, outermost first, after checking that no
/// message repeats the one below it.
fn says_each_thing_once(error: &omniscope_kit::Error) -> Vec<String> {
    let chain = omniscope::error_chain(error);
    for pair in chain.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{:?} repeats its source {:?}; the whole chain: {chain:#?}",
            pair[0],
            pair[1]
        );
    }
    chain
}

#[test]
fn a_build_error_inside_an_install_error_is_said_once() {
    let build = BuildError::new("tracer", "the batch size is zero: give at least 1");
    let error = omniscope_kit::Error::from(InstallError::Build(build.clone()));
    let chain = says_each_thing_once(&error);
    assert_eq!(chain, [build.to_string()], "transparent wrappers");
    let error = omniscope_kit::Error::from(build.clone());
    assert_eq!(says_each_thing_once(&error), [build.to_string()]);
    assert!(error.source().is_none(), "a BuildError has no source");
}

#[test]
fn a_global_already_installed_is_said_once() {
    let error = omniscope_kit::Error::from(InstallError::AlreadyInstalled("tracer"));
    let chain = says_each_thing_once(&error);
    assert_eq!(chain.len(), 1, "{chain:?}");
    assert!(chain[0].contains("already installed"), "{chain:?}");
}

/// A dashboard whose port is taken: the kit says what could not start, the
/// server says where it could not listen, the system says why.
#[cfg(feature = "present")]
#[test]
fn a_taken_port_is_said_once_at_each_level() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let error = omniscope_kit::builder()
        .with_present(omniscope_kit::present::Present::builder().with_addr(addr))
        .without_panic_hook()
        .install()
        .map(drop)
        .unwrap_err();
    let chain = says_each_thing_once(&error);
    assert_eq!(chain.len(), 3, "kit, server, system: {chain:#?}");
    assert!(chain[0].contains("dashboard"), "{chain:?}");
    assert!(chain[1].contains(&addr.to_string()), "{chain:?}");
}
