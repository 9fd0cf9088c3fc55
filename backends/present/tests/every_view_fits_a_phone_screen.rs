//! Issue #18, item 7, in headless Chromium at 390 px wide (a phone): no
//! view scrolls sideways (wide tables scroll inside their box); a name
//! with a right-to-left override shows the control as a visible code, so
//! it cannot pass for another name. Screenshots of every view go to
//! `<target>/test-artifacts/phone-<view>.png`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_json;
use common::workload::{installed, place_orders};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::json;

/// "user_admin" written backwards after U+202E: shown as "nimda_resu".
const DISGUISED: &str = "\u{202E}nimda_resu";

#[test]
fn every_view_fits_390_pixels_without_sideways_scrolling() {
    let app = installed();
    place_orders(12);
    {
        let _span = omniscope::span!("lookup", user = DISGUISED);
        omniscope::info!("looked up"; user = DISGUISED);
    }
    app.flush();
    let url = app.server.url();
    let artifacts = artifacts_dir();
    let browser = Browser::start();
    browser.session_call(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    let order = get_json(app.addr(), "/api/traces?root=place_order")["matching"][0]["trace_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let views = [
        ("functions", "functions".to_owned()),
        ("callgraph", "callgraph".to_owned()),
        ("traces", "traces".to_owned()),
        ("trace", format!("traces/{order}")),
        ("logs", "logs".to_owned()),
        ("errors", "errors".to_owned()),
        ("metrics", "metrics".to_owned()),
        ("status", "status".to_owned()),
    ];
    for (view, hash) in views {
        browser.open(&format!("{url}#/{hash}"));
        browser.wait_view(view);
        let widths = browser.script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            json!([]),
        );
        let (page, screen) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
        assert!(
            page <= screen,
            "#/{hash} is {page} px wide on a {screen} px screen"
        );
        browser.screenshot(&artifacts.join(format!("phone-{view}.png")));
    }

    // The override is shown, not obeyed.
    browser.open(&format!("{url}#/logs?q=looked"));
    browser.wait_view("logs");
    let fields = browser.text("#logs-table tr.log-row td.fields");
    assert!(fields.contains("⟦U+202E⟧nimda_resu"), "{fields}");
    assert!(!fields.contains('\u{202E}'), "{fields}");
}
