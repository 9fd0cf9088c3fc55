//! `omniscope_parser_checks::log_filter::log_filter` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omniscope_parser_checks::log_filter::log_filter(data));
