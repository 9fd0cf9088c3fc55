//! Issue #11: the dashboard's query parameters and trace ids of any text
//! get a JSON answer (`200`, `400` naming the parameter, or `404` for a
//! trace not kept), over real HTTP. The fuzz target `dashboard_query` runs
//! the same check for longer.

use omniscope_parser_checks::dashboard::dashboard_query;
use omniscope_parser_checks::input::join;
use proptest::prelude::*;

fn param() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("limit"),
        Just("level"),
        Just("trace"),
        Just("q"),
        Just("timeout"),
        Just("l%69mit"),
        Just("")
    ];
    let value = prop_oneof![
        "[+-]?[0-9]{0,25}",
        "(error|warn|WARN|info|debug|trace|off|x)",
        "[0-9a-fA-F]{30,34}",
        "([a-z +]|%[0-9A-Fa-f+z]{0,2}|%C3%A9|%FF){0,8}",
        ".{0,8}",
    ];
    (name, value, any::<bool>()).prop_map(|(n, v, eq)| {
        if eq {
            format!("{n}={v}")
        } else {
            format!("{n}{v}")
        }
    })
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(param(), 0..5).prop_map(|p| p.join("&"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_query_and_trace_id(query in query(), id in "([0-9a-f]{32}|[0-9a-fA-F%/]{0,34}|.{0,8})") {
        dashboard_query(&join(&[query, id]));
    }

    #[test]
    fn any_bytes(data in prop::collection::vec(any::<u8>(), 0..60)) {
        dashboard_query(&data);
    }
}
