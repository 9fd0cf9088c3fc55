//! Issue #12: `OMNISCOPE_DASHBOARD_ADDR` moves the dashboard (on a machine
//! where port 9000 is taken, the only fix was a change of code); a bad
//! value fails install naming the variable and the value; an address set
//! in code wins over it.
#![cfg(feature = "present")]

use omniscope_kit::present::Present;

fn install_with_addr(
    value: &'static str,
    code: Option<std::net::SocketAddr>,
) -> Result<omniscope_kit::TelemetryGuard, omniscope_kit::Error> {
    let mut kit = omniscope_kit::builder()
        .from_env_with(move |var| (var == "OMNISCOPE_DASHBOARD_ADDR").then(|| value.to_owned()))
        .without_panic_hook();
    if let Some(addr) = code {
        // Only the address from code, so that the rest stays default.
        kit = kit.with_present(Present::builder().with_addr(addr));
    }
    kit.install()
}

#[test]
fn dashboard_addr_from_env() {
    for bad in [
        "localhost",
        "127.0.0.1",
        "127.0.0.1:99999",
        "dashboard:9000",
        ":9000",
    ] {
        let e = install_with_addr(bad, None).map(drop).unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains(&format!("OMNISCOPE_DASHBOARD_ADDR=`{bad}`")),
            "{message}"
        );
        assert!(
            message.contains("127.0.0.1:9001"),
            "says what to write: {message}"
        );
    }

    // Code wins: the address from code is taken, so install fails, although
    // the environment names a free one.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap();
    let e = install_with_addr("127.0.0.1:0", Some(taken_addr))
        .map(drop)
        .unwrap_err();
    let chain = omniscope::error_chain(&e).join(": ");
    assert!(chain.contains(&taken_addr.to_string()), "{chain}");

    // The environment moves the dashboard off its default port.
    let telemetry = install_with_addr(" 127.0.0.1:0 ", None).unwrap();
    let url = telemetry.dashboard_url().expect("the dashboard runs");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.starts_with("http://127.0.0.1:9000/"), "moved: {url}");
}
