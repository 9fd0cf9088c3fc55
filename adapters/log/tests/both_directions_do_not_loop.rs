//! The loop configuration: `log`'s logger is the bridge, and omniscope's is
//! a `LogForwarder` to `log`'s global logger, which is the bridge again. A
//! record from either side returns (bounded), and its second pass is
//! dropped by the facade's re-entrancy guard and counted.

mod common;

use common::within_10s;
use omniscope_log::LogForwarder;

#[test]
fn a_record_does_not_go_round() {
    omniscope::set_logger(LogForwarder::global()).unwrap();
    omniscope_log::install().unwrap();
    // The forwarder took `log`'s level (`Off`, never set), which `log`
    // now follows: open both.
    omniscope::set_max_level(omniscope::LevelFilter::Info);
    assert_eq!(log::max_level(), log::LevelFilter::Info);

    let before = omniscope::dropped_on_reentry().logs;
    within_10s(|| {
        log::warn!(attempt = 1; "from log");
        omniscope::warn!("from omniscope"; attempt = 1);
    });
    assert_eq!(omniscope::dropped_on_reentry().logs, before + 2);
}
