//! Issue #14, item 8: the names bound by patterns in arguments
//! (`State(app): State<App>`, `(a, b): (u8, u8)`) are recorded as
//! fields, can be skipped, and can be used in `fields(…)`, in sync and
//! async functions alike, as in `tracing`.

mod common;

use common::spans_compiled_in;
use omniscope::instrument;
use omniscope::testing::{capture, CapturedSpan, Recorder};

/// An axum-style extractor.
struct State<T>(T);
struct Path<T>(T);

/// Neither `Debug` nor `ToValue`: must be skipped.
struct App {
    stock: u32,
}

struct Point {
    x: i64,
    y: i64,
}

#[instrument(skip(app), fields(sku.len = sku.len(), upper = %sku.to_uppercase()))]
fn get(State(app): State<App>, Path(sku): Path<String>) -> u32 {
    app.stock + sku.len() as u32
}

#[instrument(skip(app), fields(sku.len = sku.len(), upper = %sku.to_uppercase()))]
async fn get_async(State(app): State<App>, Path(sku): Path<String>) -> u32 {
    tokio::task::yield_now().await;
    app.stock + sku.len() as u32
}

#[instrument]
async fn shapes((mut a, b): (u8, u8), Point { x, y: height }: Point, &(c, _): &(u8, u8)) -> i64 {
    a += 1;
    i64::from(a + b + c) + x + height
}

#[instrument(fields(sum = a + b))]
fn pair((a, b): (u8, u8)) -> u8 {
    a + b
}

fn text(span: &CapturedSpan, key: &str) -> Option<String> {
    span.attribute(key).map(ToString::to_string)
}

#[test]
fn a_sync_function_records_the_names_and_skips_what_it_is_told() {
    let captured = capture(|| {
        let app = App { stock: 2 };
        assert_eq!(get(State(app), Path("ab-1".to_owned())), 6);
        assert_eq!(pair((2, 3)), 5);
    });
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("get").expect("recorded");
    assert_eq!(text(span, "sku").as_deref(), Some("ab-1"));
    assert!(span.attribute("app").is_none());
    assert_eq!(text(span, "sku.len").as_deref(), Some("4"));
    assert_eq!(text(span, "upper").as_deref(), Some("AB-1"));
    let span = captured.span("pair").expect("recorded");
    assert_eq!(
        [text(span, "a"), text(span, "b"), text(span, "sum")],
        [Some("2".into()), Some("3".into()), Some("5".into())]
    );
}

#[tokio::test]
async fn an_async_function_records_them_at_the_call() {
    let recorder = Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        let future = get_async(State(App { stock: 1 }), Path("xyz".to_owned()));
        // Recorded at the call, before the first poll.
        if spans_compiled_in() {
            let captured = recorder.captured();
            let span = captured.span("get_async").expect("started at the call");
            assert_eq!(text(span, "sku").as_deref(), Some("xyz"));
        }
        assert_eq!(future.await, 4);
        assert_eq!(shapes((1, 2), Point { x: 10, y: 20 }, &(3, 4)).await, 37);
    }
    if !spans_compiled_in() {
        return;
    }
    let captured = recorder.captured();
    let span = captured.span("get_async").expect("recorded");
    assert!(span.attribute("app").is_none());
    assert_eq!(text(span, "upper").as_deref(), Some("XYZ"));
    let span = captured.span("shapes").expect("recorded");
    let recorded: Vec<(String, String)> = span
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let expected = [
        ("a", "1"),
        ("b", "2"),
        ("x", "10"),
        ("height", "20"),
        ("c", "3"),
    ];
    assert_eq!(
        recorded,
        expected.map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}
