//! Issue #18, item 7, in headless Chromium: the page says "live" with the
//! time of its last update, "paused" when live updates are off, and, once
//! the server stops answering, "server unreachable" with a banner that
//! says since when and how old the data shown is.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::time::{Duration, Instant};

use omniscope_present::Present;
use omniscope_sdk::Sdk;
use omniscope_tests::browser::{artifacts_dir, Browser};

#[test]
fn live_paused_and_unreachable_are_shown() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let browser = Browser::start();
    browser.open(&format!("{}#/status", server.url()));
    browser.wait_view("status");
    browser.find("#live-state[data-state=live]");
    assert!(browser.text("#live-state").starts_with("live · updated "));

    browser.click("#auto-refresh");
    browser.find("#live-state[data-state=paused]");
    browser.click("#auto-refresh");
    browser.find("#live-state[data-state=live]");

    server
        .shutdown(Instant::now() + Duration::from_secs(5))
        .unwrap();
    browser.find("#live-state[data-state=unreachable]");
    let banner = browser.text("#error-banner");
    assert!(banner.starts_with("Server unreachable since "), "{banner}");
    assert!(banner.contains("the data below is from "), "{banner}");
    browser.screenshot(&artifacts_dir().join("dashboard-unreachable.png"));
}
