//! `err` and `ret` in every form `tracing` accepts, and `UserError` types,
//! must compile without warnings, in sync and async functions, generic or
//! not.
#![deny(warnings)]

use std::fmt;

use omniscope::{instrument, UserError};

#[derive(Debug)]
struct Missing;

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("missing")
    }
}

impl std::error::Error for Missing {}

impl UserError for Missing {}

#[instrument(err)]
fn plain() -> Result<(), Missing> {
    Err(Missing)
}

#[instrument(err(Display))]
fn display() -> Result<u8, Missing> {
    Ok(1)
}

#[instrument(err(Debug), ret(Display))]
fn both() -> Result<u8, Missing> {
    Ok(1)
}

#[instrument(err(level = "warn"))]
fn warn_level() -> std::io::Result<()> {
    Ok(())
}

#[instrument(err(level = omniscope::Level::Info, Debug), ret(level = "trace"))]
async fn async_both(x: u8) -> Result<u8, Missing> {
    Ok(x)
}

#[instrument(ret)]
fn unit() {}

#[instrument(ret)]
async fn unit_async() {}

#[instrument(ret, err, skip(value))]
fn generic<T: fmt::Debug, E: fmt::Display>(value: Result<T, E>) -> Result<T, E> {
    value
}

#[instrument(err)]
fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err("boxed".into())
}

fn main() {
    let _ = plain();
    let _ = display();
    let _ = both();
    let _ = warn_level();
    let _ = async_both(1);
    unit();
    let _ = unit_async();
    let _ = generic::<u8, Missing>(Ok(1));
    let _ = boxed();
    omniscope::handle_error!(&Missing);
    omniscope::handle_error!(&Missing; attempt = 2);
}
