//! `omniscope_parser_checks::config::kit_env` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omniscope_parser_checks::config::kit_env(data));
