//! Regression test for issue #11: every filter's `Display` parses back to
//! an equal filter. Before the fix `"a,b"` displayed as `off,b=trace,a=trace`,
//! which parsed to targets in another order: a filter that behaved the
//! same but compared unequal.

use omniscope::LevelFilter;
use omniscope_sdk::logs::LogFilter;
use proptest::prelude::*;

fn round_trip(directives: &str) -> Result<(), TestCaseError> {
    let Ok(filter) = LogFilter::parse(directives) else {
        return Ok(());
    };
    let shown = filter.to_string();
    let back = LogFilter::parse(&shown)
        .map_err(|e| TestCaseError::fail(format!("{directives:?} shown as {shown:?}: {e}")))?;
    prop_assert_eq!(&back, &filter, "{:?} shown as {:?}", directives, shown);
    prop_assert_eq!(back.to_string(), shown);
    Ok(())
}

#[test]
fn a_comma_b_round_trips() {
    let filter = LogFilter::parse("a,b").unwrap();
    assert_eq!(filter.level_for("a"), LevelFilter::Trace);
    assert_eq!(filter.level_for("b::c"), LevelFilter::Trace);
    assert_eq!(filter.level_for("c"), LevelFilter::Off);
    let back = LogFilter::parse(&filter.to_string()).unwrap();
    assert_eq!(back, filter, "{filter}");
    assert_eq!(filter.to_string(), "off,a=trace,b=trace");
    // The same directives in another order are the same filter.
    assert_eq!(LogFilter::parse("b,a").unwrap(), filter);
}

/// Directives from a small vocabulary, so that targets repeat, nest and
/// tie in length.
fn directive() -> impl Strategy<Value = String> {
    let target = prop::collection::vec(
        prop::sample::select(vec!["a", "b", "ab", "x_y", "c1"]),
        1..4,
    )
    .prop_map(|segments| segments.join("::"));
    let level = prop::sample::select(vec![
        "off", "error", "warn", "WARNING", "info", "Debug", "trace",
    ]);
    prop_oneof![
        level.clone().prop_map(str::to_owned),
        target.clone(),
        (target, level).prop_map(|(t, l)| format!(" {t} = {l} ")),
        Just(String::new()),
    ]
}

proptest! {
    #[test]
    fn directive_lists_round_trip(directives in prop::collection::vec(directive(), 0..12)) {
        round_trip(&directives.join(","))?;
    }

    #[test]
    fn any_text_that_parses_round_trips(text in "[a-c:=, A-Z_0-9]{0,40}") {
        round_trip(&text)?;
    }
}
