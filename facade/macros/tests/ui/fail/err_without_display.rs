#[derive(Debug)]
struct Opaque;

// `err` formats with `Display`, as in `tracing`: `err(Debug)` is the way out.
#[omniscope::instrument(err)]
fn opaque() -> Result<(), Opaque> {
    Err(Opaque)
}

struct NoDebug;

#[omniscope::instrument(ret)]
fn no_debug() -> NoDebug {
    NoDebug
}

fn main() {
    let _ = opaque();
    let _ = no_debug();
}
