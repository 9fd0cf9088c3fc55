//! Issue #14, item 10: the log macros take `tracing`'s field syntax —
//! fields first, then the message and its arguments — with every kind of
//! field, and it records exactly what the `;` form records.

use omniscope::testing::{capture, CapturedLog};
use omniscope::{debug, error, info, log, trace, warn, Level, OwnedValue};

fn fields(log: &CapturedLog) -> Vec<(String, String)> {
    log.fields
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect()
}

fn logs_compiled_in() -> bool {
    Level::Trace <= omniscope::STATIC_MAX_LEVEL
}

#[derive(Debug)]
struct Sku(#[allow(dead_code)] &'static str);

#[test]
fn fields_first_records_what_the_semicolon_form_records() {
    if !logs_compiled_in() {
        return;
    }
    let sku = "A-12";
    let n = 3_u64;
    let item = Sku("A-12");
    let captured = capture(|| {
        info!(sku = %sku, count = n, item = ?item, order.id = 7, "http.method" = "GET", "looked up {}", n);
        info!("looked up {}", n; sku = %sku, count = n, item = ?item, order.id = 7, "http.method" = "GET");
    });
    let logs = captured.logs();
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0].message, "looked up 3");
    assert_eq!(fields(&logs[0]), fields(&logs[1]));
    assert_eq!(
        fields(&logs[0]),
        [
            ("sku", "A-12"),
            ("count", "3"),
            ("item", "Sku(\"A-12\")"),
            ("order.id", "7"),
            ("http.method", "GET"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(logs[0].fields[1].1, OwnedValue::U64(3), "typed, not text");
}

#[test]
fn shorthands_fields_only_and_both_sides() {
    if !logs_compiled_in() {
        return;
    }
    let user = "ada";
    let item = Sku("B-7");
    let retries = 2;
    let captured = capture(|| {
        warn!(%user, ?item, retries, "retrying");
        error!(user, retries);
        debug!(user = user, "signed in as {user}"; retries);
        trace!(target: "audit", user, "audited");
        log!(Level::Info, user, "{} {}", 1, 2);
    });
    let logs = captured.logs();
    let summary: Vec<(Level, &str, &str, usize)> = logs
        .iter()
        .map(|l| {
            (
                l.level,
                l.target.as_str(),
                l.message.as_str(),
                l.fields.len(),
            )
        })
        .collect();
    let here = module_path!();
    assert_eq!(
        summary,
        [
            (Level::Warn, here, "retrying", 3),
            (Level::Error, here, "", 2),
            (Level::Debug, here, "signed in as ada", 2),
            (Level::Trace, "audit", "audited", 1),
            (Level::Info, here, "1 2", 1),
        ]
    );
    assert_eq!(
        fields(&logs[0]),
        [("user", "ada"), ("item", "Sku(\"B-7\")"), ("retries", "2")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[test]
fn named_format_arguments_still_work() {
    if !logs_compiled_in() {
        return;
    }
    let captured = capture(|| info!("{who} x{n}", who = "ada", n = 2));
    assert_eq!(captured.logs()[0].message, "ada x2");
    assert!(captured.logs()[0].fields.is_empty());
}
