//! Issue #11: every `OTEL_*` and `OMNISCOPE_*` value, read through the
//! public `from_env_with` of the kit, the OTLP exporters, the console, the
//! Prometheus endpoint, Zipkin and statsd, is accepted or refused with an
//! error naming the variable; never a panic. The fuzz targets of the same
//! names (`kit_env`, `otlp_env`, …) run the same checks for longer.

use omniscope_parser_checks::config::{
    console_env, kit_env, otlp_env, prometheus_env, statsd_env, zipkin_env, KIT_VARIABLES,
    OTLP_VARIABLES, PROMETHEUS_VARIABLES, STATSD_VARIABLES, ZIPKIN_VARIABLES,
};
use omniscope_parser_checks::input::join_env;
use proptest::prelude::*;

/// Values near what each variable takes, and any text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        // URLs, hosts and ports
        "(https?|ftp|HTTP)://(localhost|127\\.0\\.0\\.1|\\[::1\\]|[a-z.]{0,8})(:(-?[0-9]{1,6}|[a-z]{0,2}))?(/[a-z/]{0,8})?",
        "(localhost|0\\.0\\.0\\.0|::1?|\\[::1\\]|[0-9.]{0,15}|[a-z.]{1,10})",
        "(udp|unix|unixgram|unixstream|tcp)://(/[a-z/]{0,8}|[a-z0-9.]{0,9}(:[0-9]{0,6})?)",
        // numbers, durations and ratios
        "[ +-]?[0-9]{0,22}(\\.[0-9]{0,3})?(e[0-9]{1,3})?[ ]?",
        Just("18446744073709551615".to_owned()),
        Just("NaN".to_owned()),
        // names of things
        "(grpc|http/protobuf|http/json|gzip|none|zstd|cumulative|delta|lowmemory|true|false|TRUE|json|pretty|JSON|xml)",
        "(statsd|dogstatsd|DogStatsD|timer|histogram|distribution|x)",
        "((otlp|jaeger|console|present|prometheus|zipkin|none|logging)[ ,]*){0,3}",
        "(always_on|always_off|traceidratio|parentbased_always_on|parentbased_traceidratio|x)",
        // lists with percent-encoding: headers, resource attributes, directives
        "([a-zA-Z0-9_.-]{0,6}[ ]*(=[ ]*([a-zA-Z0-9 ]|%[0-9A-Fa-fz]{0,2}){0,8})?,?){0,5}",
        "([a-z:]{0,6}(=(info|debug|inof|x))?,?){0,4}",
        "[ \t]{0,3}",
        any::<String>(),
    ]
}

fn vars(names: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((prop::sample::select(names), value()), 0..6).prop_map(move |vars| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
        join_env(&vars, names)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn kit(near in vars(KIT_VARIABLES), data in prop::collection::vec(any::<u8>(), 0..80)) {
        kit_env(&near);
        kit_env(&data);
    }

    #[test]
    fn console(near in value(), data in prop::collection::vec(any::<u8>(), 0..16)) {
        console_env(near.as_bytes());
        console_env(&data);
    }

    #[test]
    fn zipkin(near in vars(ZIPKIN_VARIABLES), data in prop::collection::vec(any::<u8>(), 0..40)) {
        zipkin_env(&near);
        zipkin_env(&data);
    }

    #[test]
    fn statsd(near in vars(STATSD_VARIABLES), data in prop::collection::vec(any::<u8>(), 0..40)) {
        statsd_env(&near);
        statsd_env(&data);
    }

    #[test]
    fn prometheus(near in vars(PROMETHEUS_VARIABLES), data in prop::collection::vec(any::<u8>(), 0..40)) {
        prometheus_env(&near);
        prometheus_env(&data);
    }
}

// Fewer cases: an accepted configuration starts the exporter's I/O thread.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn otlp(near in vars(OTLP_VARIABLES), data in prop::collection::vec(any::<u8>(), 0..80)) {
        otlp_env(&near);
        otlp_env(&data);
    }
}
