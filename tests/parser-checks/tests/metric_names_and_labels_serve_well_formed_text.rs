//! Issue #11: metric names and label keys and values of any text, recorded
//! through the SDK's meter, are served as well-formed Prometheus text in
//! both formats. The fuzz target `metric_names` runs the same check for
//! longer.

use omniscope_parser_checks::input::join;
use omniscope_parser_checks::metrics::metric_names;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_.:0-9 -]{0,10}",
        Just("__name__".to_owned()),
        Just("le".to_owned()),
        Just("x_total".to_owned()),
        Just("_".to_owned()),
        ".{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_bytes(data in prop::collection::vec(any::<u8>(), 0..80)) {
        metric_names(&data);
    }

    #[test]
    fn names_and_labels(
        metric in name(),
        pick in any::<u8>(),
        labels in prop::collection::vec((name(), prop_oneof![".{0,8}", "[\"\\\\\n\r{},=]{0,4}"]), 0..5),
    ) {
        let mut records = vec![metric, char::from(pick % 128).to_string()];
        for (k, v) in labels {
            records.push(k);
            records.push(v);
        }
        records.retain(|r| !r.contains('\0'));
        metric_names(&join(&records));
    }
}
