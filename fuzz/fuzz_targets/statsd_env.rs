//! `omniscope_parser_checks::config::statsd_env` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omniscope_parser_checks::config::statsd_env(data));
