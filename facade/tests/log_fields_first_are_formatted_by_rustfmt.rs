//! Issue #14, item 10: rustfmt formats a log call written fields first
//! with `key = value` and bare-name fields (they read as expressions), and
//! leaves a call with `%`, `?` or `;` as written (as with `tracing`). Runs
//! the `rustfmt` of the toolchain, which CI's `cargo fmt --check` needs too.

use std::io::Write;
use std::process::{Command, Stdio};

/// `source` as rustfmt formats it (`RUSTFMT` names another binary).
fn rustfmt(source: &str) -> std::io::Result<String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2021"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(source.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "{rustfmt} failed: {output:?}"
        )));
    }
    String::from_utf8(output.stdout).map_err(std::io::Error::other)
}

#[test]
fn fields_first_calls_are_formatted() {
    let source = "fn f() {\n    info!(  sku =  sku,order.id=id,  count , \"looked up {}\",x);\n    info!(sku = sku, count = count, \"a message long enough to be broken over several lines {}\", some_value);\n}\n";
    let expected = "fn f() {\n    info!(sku = sku, order.id = id, count, \"looked up {}\", x);\n    info!(\n        sku = sku,\n        count = count,\n        \"a message long enough to be broken over several lines {}\",\n        some_value\n    );\n}\n";
    assert_eq!(
        rustfmt(source).expect("rustfmt runs (rustup component add rustfmt)"),
        expected
    );
}

#[test]
fn calls_with_sigils_are_left_as_written() {
    let source = "fn f() {\n    info!(sku = %sku,  count = n, \"looked up\");\n    info!(\"looked up\" ;  sku = %sku);\n}\n";
    assert_eq!(
        rustfmt(source).expect("rustfmt runs (rustup component add rustfmt)"),
        source
    );
}
