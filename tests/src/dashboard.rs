//! Steps through `omniscope-present`'s page in a [`Browser`], by the hooks
//! its README documents (hash routes, `data-*` attributes, element ids).

use serde_json::{json, Value};

use crate::browser::Browser;

/// The calls shown in the functions table's row `row` (a CSS selector such
/// as `tr.function-row[data-function='orders::create_order']`).
pub fn function_calls(browser: &Browser, row: &str) -> u64 {
    let text = browser.text(&format!("{row} td.fn-calls"));
    text.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("calls in {row}: {text:?}"))
}

/// Opens the traces view of the dashboard at `url`, then the trace
/// `trace_id` from its recent list, and waits for the waterfall.
pub fn open_trace(browser: &Browser, url: &str, trace_id: &str) {
    browser.open(&format!("{url}#/traces"));
    browser.wait_view("traces");
    browser.click(&format!(
        "#traces-recent tr.trace-row[data-trace-id='{trace_id}']"
    ));
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), trace_id);
}

/// The open waterfall's rows, top to bottom: `name`, `depth`, `id`,
/// `parent` (null for a root) and the bar's width in pixels (`bar`).
pub fn waterfall(browser: &Browser) -> Vec<Value> {
    let rows = browser.script(
        "return [...document.querySelectorAll('#waterfall-rows .span-row')].map(r => ({
            name: r.querySelector('.span-name').textContent, depth: +r.dataset.depth,
            id: r.dataset.spanId, parent: r.dataset.parentSpanId || null,
            bar: r.querySelector('.span-bar').getBoundingClientRect().width }));",
        json!([]),
    );
    rows.as_array().cloned().unwrap_or_default()
}

/// Follows the open trace's "logs of this trace" link and returns the
/// logs view's rows, newest first: `trace` and `message`.
pub fn open_trace_logs(browser: &Browser) -> Vec<Value> {
    browser.click("#trace-logs-link");
    browser.wait_view("logs");
    browser.find("#logs-table tr.log-row");
    let logs = browser.script(
        "return [...document.querySelectorAll('#logs-table tr.log-row')].map(r => ({
            trace: r.dataset.traceId, message: r.querySelector('.log-message').textContent }));",
        json!([]),
    );
    logs.as_array().cloned().unwrap_or_default()
}
