//! Compile tests for `#[instrument]`: signatures that must keep compiling
//! (`ui/pass`) and misuse that must fail with a clear message (`ui/fail`).
//! Regenerate the expected messages with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
