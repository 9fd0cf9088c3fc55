//! Levels and kinds given as paths (`level = Level::Debug`) are evaluated
//! by the expansion, as `tracing` does: the imports they name are used, so
//! this compiles without warnings.
#![deny(warnings)]

use omniscope::{instrument, Level, SpanKind};

#[instrument(level = Level::Debug, kind = SpanKind::Client)]
fn fetch(id: u64) -> u64 {
    id
}

#[instrument(err(level = Level::Warn), ret(level = Level::Trace))]
fn parse(text: &str) -> Result<u64, std::num::ParseIntError> {
    text.parse()
}

fn main() {
    let _ = fetch(1);
    let _ = parse("2");
}
