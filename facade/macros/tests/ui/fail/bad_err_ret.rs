#[omniscope::instrument(err(Pretty))]
fn unknown_mode() -> Result<(), String> {
    Ok(())
}

#[omniscope::instrument(err(level = "loud"))]
fn bad_level() -> Result<(), String> {
    Ok(())
}

#[omniscope::instrument(ret(Debug, Display))]
fn two_modes() -> u8 {
    1
}

#[omniscope::instrument(err)]
fn no_result() {}

#[omniscope::instrument(err)]
fn never() -> ! {
    loop {}
}

fn main() {
    let _ = unknown_mode();
    let _ = bad_level();
    two_modes();
    no_result();
}
