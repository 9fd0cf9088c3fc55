//! Issue #18, item 5, in headless Chromium: a trace of 10,000 spans (and
//! 2,000 more past the span limit) opens with the page the height of one
//! screen; its slow span, which arrived among the last, was kept over the
//! short ones and is found with one click ("Slowest span") or by a search,
//! with its details beside the waterfall, in view without scrolling the
//! page; the axis stays in view while the rows scroll; subtrees collapse.
//! The redraw time is printed (not asserted).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_json;
use common::spans::{spans, Spec};
use omniscope::TraceId;
use omniscope_present::Present;
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::json;

const LIMIT: usize = 10_000;

#[test]
fn a_10000_span_trace_shows_its_slow_span_and_details_in_view() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_max_spans_per_trace(LIMIT)
        .build()
        .unwrap();
    // The root, 12 groups of 1,000 short leaves, then the slow query (in
    // group 8), then the root: 12,014 spans for 10,000 places.
    let mut specs: Vec<Spec<'_>> = Vec::new();
    for g in 0..12u64 {
        let group_ms = if g == 8 { 400 } else { 80 };
        specs.push((7, 10 + g, 1, "group", g * 80, group_ms));
        for leaf in 0..1000u64 {
            specs.push((
                7,
                1000 + g * 1000 + leaf,
                10 + g,
                "cache.get",
                g * 80 + leaf % 80,
                1,
            ));
        }
    }
    specs.push((7, 999, 18, "slow_query", 680, 300));
    specs.push((7, 1, 0, "GET /report", 0, 1000));
    let resource = Resource::new("report");
    for chunk in spans(&specs).chunks(512) {
        present
            .spans()
            .export(&Batch::from_vec(chunk.to_vec()), &resource)
            .unwrap();
    }
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let trace = TraceId::from_u128(7).to_string();
    let summary = get_json(server.local_addr(), &format!("/api/traces/{trace}"));
    assert_eq!(summary["span_count"], LIMIT);
    assert_eq!(summary["dropped_spans"], 12_014 - LIMIT);
    assert!(summary["spans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "slow_query"));

    let artifacts = artifacts_dir();
    let browser = Browser::start();
    browser.open(&format!("{}#/traces/{trace}", server.url()));
    browser.wait_view("trace");
    let ms = browser.script("return window.omniscopeRedraw.ms;", json!([]));
    println!(
        "redraw of a 10,000-span trace: {:.1} ms",
        ms.as_f64().unwrap()
    );
    let layout = browser.script(
        "return { rows: document.querySelectorAll('#waterfall-rows .span-row').length,
                  page: document.documentElement.scrollHeight, screen: innerHeight };",
        json!([]),
    );
    assert!(
        layout["rows"].as_u64().unwrap() < 500,
        "only rows in view are drawn: {layout}"
    );
    assert!(
        layout["page"].as_f64().unwrap() <= layout["screen"].as_f64().unwrap() + 100.0,
        "the page is about one screen high: {layout}"
    );
    assert!(browser
        .text("#trace-summary")
        .contains("2,014 more dropped"));
    browser.screenshot(&artifacts.join("dashboard-big-trace.png"));

    // One click: the span with the most time of its own, selected and in
    // view (its group lasts longer, but spends it in the query).
    browser.click("#trace-slowest");
    browser.find("#span-details:not([hidden])");
    assert_eq!(browser.text("#span-details-name"), "slow_query");
    let axis_before = top_of(&browser, "#waterfall-axis");
    let in_view = browser.script(
        "const row = document.querySelector('#waterfall-rows .span-row.selected').getBoundingClientRect();
         const box = document.getElementById('waterfall-scroll').getBoundingClientRect();
         const details = document.getElementById('span-details').getBoundingClientRect();
         const wf = document.getElementById('waterfall').getBoundingClientRect();
         return { row: row.top >= box.top && row.bottom <= box.bottom,
                  details: details.top < innerHeight && details.bottom > 0,
                  beside: details.left >= wf.right - 1,
                  page_scrolled: scrollY };",
        json!([]),
    );
    assert_eq!(
        in_view,
        json!({"row": true, "details": true, "beside": true, "page_scrolled": 0}),
        "the slow span's row and its details are in view, the page unscrolled"
    );
    assert_eq!(
        top_of(&browser, "#waterfall-axis"),
        axis_before,
        "the axis stays put while the rows scroll"
    );
    browser.screenshot(&artifacts.join("dashboard-big-trace-slow-span.png"));

    // Or a search: the URL keeps it, and Enter selects the match.
    browser.open(&format!("{}#/traces/{trace}?q=slow_", server.url()));
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-search-count"), "1 found");
    browser.click("#trace-search");
    browser.session_call(
        "POST",
        &format!("/element/{}/value", browser.find("#trace-search")),
        Some(json!({"text": "\u{E007}"})),
    );
    browser.find("#waterfall-rows .span-row.selected.match");
    assert_eq!(browser.text("#span-details-name"), "slow_query");

    // Collapsing every subtree leaves the root and its 12 groups.
    browser.click("#trace-collapse");
    let rows = browser.script(
        "return document.querySelectorAll('#waterfall-rows .span-row').length;",
        json!([]),
    );
    assert_eq!(rows, 13);
}

fn top_of(browser: &Browser, css: &str) -> f64 {
    browser
        .script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().top;",
            json!([css]),
        )
        .as_f64()
        .unwrap()
}
