//! Compile tests for the log macros: the field forms that must compile
//! (`ui/pass`) and misuse that must fail with a message showing the right
//! form (`ui/fail`). Regenerate the expected messages with
//! `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
