//! `omniscope_parser_checks::propagation::b3_headers` on the fuzzer's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omniscope_parser_checks::propagation::b3_headers(data));
