//! Log filter directives: parsing, per-target filtering (longest `::`
//! prefix wins), `max_level_hint`, and the messages of bad directives.

use std::time::{Duration, Instant};

use omniscope::{Level, LevelFilter, Logger, Metadata, Record};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::{LogData, LogFilter, SdkLogger};

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn logger(directives: &str) -> (SdkLogger, omniscope_sdk::export::InMemoryHandle<LogData>) {
    let (exporter, handle) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter(directives)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    (logger, handle)
}

#[test]
fn longest_target_prefix_on_path_boundaries_wins() {
    let (logger, received) = logger("warn,orders=info,orders::db=debug,orders::db::pool=off");
    let enabled = |level, target| logger.enabled(&Metadata::new(level, target));
    assert!(enabled(Level::Warn, "hyper"));
    assert!(!enabled(Level::Info, "hyper"));
    assert!(enabled(Level::Info, "orders"));
    assert!(!enabled(Level::Debug, "orders"));
    assert!(enabled(Level::Debug, "orders::db"));
    assert!(enabled(Level::Debug, "orders::db::query"));
    assert!(!enabled(Level::Trace, "orders::db::query"));
    assert!(!enabled(Level::Error, "orders::db::pool"));
    assert!(!enabled(Level::Error, "orders::db::pool::conn"));
    // Not a `::` boundary: falls back to `orders`, then to the default.
    assert!(!enabled(Level::Debug, "orders::dbx"));
    assert!(enabled(Level::Info, "orders::dbx"));
    assert!(!enabled(Level::Info, "ordersx"));
    assert_eq!(logger.max_level_hint(), LevelFilter::Debug);

    // `log` applies the same filter (the global path does not call `enabled`).
    logger.log(&Record::new(
        Metadata::new(Level::Debug, "orders::db"),
        format_args!("kept"),
        &[],
    ));
    for (target, level) in [("orders", Level::Debug), ("orders::db::pool", Level::Error)] {
        logger.log(&Record::new(
            Metadata::new(level, target),
            format_args!("dropped"),
            &[],
        ));
    }
    logger.flush(deadline()).unwrap();
    let logs = received.items();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].message, "kept");
    assert_eq!(logs[0].target, "orders::db");
    assert_eq!(logs[0].level, Level::Debug);
}

#[test]
fn max_level_hint_is_the_most_verbose_directive() {
    let cases = [
        ("info", LevelFilter::Info),
        ("error,orders::db=trace", LevelFilter::Trace),
        ("off,orders=warn", LevelFilter::Warn),
        ("orders", LevelFilter::Trace),
        ("debug,hyper=off", LevelFilter::Debug),
        ("", LevelFilter::Error),
        ("WARNING", LevelFilter::Warn),
    ];
    for (directives, expected) in cases {
        let (logger, _) = logger(directives);
        assert_eq!(logger.max_level_hint(), expected, "{directives:?}");
    }
    // Without `with_filter`: info everywhere.
    let (exporter, _) = InMemoryExporter::new();
    let default = SdkLogger::builder()
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    assert_eq!(default.max_level_hint(), LevelFilter::Info);
    assert!(default.enabled(&Metadata::new(Level::Info, "anything")));
    assert!(!default.enabled(&Metadata::new(Level::Debug, "anything")));
}

#[test]
fn targets_without_a_directive_are_off_unless_a_default_is_given() {
    let filter = LogFilter::parse("orders::db=debug").unwrap();
    assert_eq!(filter.level_for("orders::db"), LevelFilter::Debug);
    assert_eq!(filter.level_for("orders"), LevelFilter::Off);
    assert_eq!(filter.level_for("tokio"), LevelFilter::Off);
}

#[test]
fn bad_directives_are_named_with_their_position() {
    let cases = [
        (
            "info,orders::db=loud",
            r#"invalid log directive "orders::db=loud" (2nd): unknown level "loud""#,
        ),
        (
            "loud=",
            r#"invalid log directive "loud=" (1st): missing level after "=""#,
        ),
        (
            "info,=debug",
            r#"invalid log directive "=debug" (2nd): missing target before "=""#,
        ),
        (
            "a,b,c=x=y",
            r#"invalid log directive "c=x=y" (3rd): more than one "=""#,
        ),
        (
            "info,,,x::=info",
            r#"invalid log directive "x::=info" (4th): target "x::" has an empty "::" segment"#,
        ),
        (
            "orders=info/foo",
            r#"invalid log directive "orders=info/foo" (1st): message filters ("/regex") are not supported"#,
        ),
        ("orders[span]=debug", r#"(1st): span filters"#),
    ];
    for (directives, expected) in cases {
        let error = LogFilter::parse(directives).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{directives:?}: {message}");
        assert_eq!(error.component(), "log filter");

        let (exporter, _) = InMemoryExporter::new();
        let built = SdkLogger::builder()
            .with_filter(directives)
            .with_exporter(Box::new(exporter))
            .build();
        assert_eq!(built.unwrap_err(), error);
    }
    let message = LogFilter::parse("orders::db=loud").unwrap_err().to_string();
    assert!(
        message.ends_with("expected one of off, error, warn, info, debug, trace"),
        "{message}"
    );
}
