//! A captured backtrace's text as a Sentry stack trace, frames marked
//! in-app by crate.
//!
//! The SDK hands reporters a backtrace as the standard library prints it
//! (`std::backtrace::Backtrace`'s `Display`: a numbered function line,
//! then `at file:line:column` when debug info has it), so it is parsed
//! here rather than walked with the `backtrace` crate, which would be
//! compiled for nothing (sentry-backtrace parses the same text the same
//! way, but depends on it).

use sentry::protocol::{Frame, Stacktrace};

/// Crates whose frames are never the application's (sentry-rust's
/// well-known list, plus omniscope's own crates and the runtimes our
/// adapters sit on).
const NOT_IN_APP: &[&str] = &[
    "std",
    "core",
    "alloc",
    "backtrace",
    "sentry",
    "sentry_core",
    "sentry_types",
    "anyhow",
    "log",
    "tokio",
    "tracing",
    "tracing_core",
    "futures_core",
    "futures_util",
    "hyper",
    "tower",
    "axum",
    "omniscope",
    "omniscope_sdk",
    "omniscope_kit",
    "omniscope_sentry",
    "omniscope_http",
    "omniscope_tracing",
    "omniscope_log",
];

/// Crates whose innermost frames capture the backtrace or unwind a panic.
const CAPTURE_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "__rustc",
    "omniscope",
    "omniscope_sdk",
];

/// Source directories of the same, for inlined frames the backtrace names
/// without their path (`{closure#0}`, `do_call<…>`).
const CAPTURE_DIRS: &[&str] = &[
    "/rustc/",
    "/omniscope-",
    "/backends/sdk/src/",
    "/facade/src/",
];

/// Whether `frame` is one of the leading (innermost) frames that belong to
/// capturing the backtrace or unwinding a panic (std, omniscope's handler
/// and panic hook), not to the code that failed: those are cut, as
/// sentry-rust trims its own.
fn is_capture(frame: &Frame) -> bool {
    if frame
        .abs_path
        .as_deref()
        .is_some_and(|p| p.contains("/rustc/"))
    {
        return true;
    }
    match (frame.package.as_deref(), frame.abs_path.as_deref()) {
        (Some(krate), _) => CAPTURE_CRATES.contains(&krate),
        (None, Some(path)) => CAPTURE_DIRS.iter().any(|d| path.contains(d)),
        (None, None) => true,
    }
}

/// Which crates' frames are the application's.
#[derive(Clone, Debug, Default)]
pub(crate) struct InApp {
    /// Crates always in-app (wins over everything).
    pub(crate) include: Vec<String>,
    /// Crates never in-app, besides [`NOT_IN_APP`].
    pub(crate) exclude: Vec<String>,
}

impl InApp {
    /// Whether a frame of `krate` in file `path` is the application's: not
    /// when its source is the toolchain's or a downloaded crate's (or, for
    /// an inlined frame the backtrace names without its path, unknown),
    /// nor when its crate is one of the well-known ones, unless included.
    fn is_in_app(&self, krate: Option<&str>, path: Option<&str>) -> bool {
        if krate.is_some_and(|k| self.include.iter().any(|c| c == k)) {
            return true;
        }
        if path.is_some_and(is_foreign_source) {
            return false;
        }
        match krate {
            Some(k) => !(NOT_IN_APP.contains(&k) || self.exclude.iter().any(|c| c == k)),
            None => path.is_some(),
        }
    }
}

/// Whether `path` is in the toolchain's or Cargo's downloaded sources.
fn is_foreign_source(path: &str) -> bool {
    FOREIGN_DIRS.iter().any(|dir| path.contains(dir))
}

/// Where the toolchain's and downloaded crates' sources live.
const FOREIGN_DIRS: &[&str] = &["/rustc/", "/.cargo/registry/", "/.cargo/git/", "/.rustup/"];

/// The frames of `text`, outermost caller first as Sentry wants them, the
/// capture's own frames cut; `None` when no frame could be read.
pub(crate) fn parse(text: &str, in_app: &InApp) -> Option<Stacktrace> {
    let mut frames: Vec<Frame> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(at) = trimmed.strip_prefix("at ") {
            if let Some(frame) = frames.last_mut() {
                set_location(frame, at);
            }
            continue;
        }
        let Some((number, function)) = trimmed.split_once(": ") else {
            continue;
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let function = function.trim();
        let krate = crate_name(function);
        frames.push(Frame {
            function: Some(function.to_owned()),
            package: krate.map(str::to_owned),
            ..Frame::default()
        });
    }
    for frame in &mut frames {
        let krate = frame.package.as_deref();
        frame.in_app = Some(in_app.is_in_app(krate, frame.abs_path.as_deref()));
    }
    let first_own = frames.iter().position(|f| !is_capture(f)).unwrap_or(0);
    frames.drain(..first_own);
    if frames.is_empty() {
        return None;
    }
    frames.reverse();
    Some(Stacktrace {
        frames,
        ..Stacktrace::default()
    })
}

/// `file:line:column` (`line`, `column` optional) into `frame`.
pub(crate) fn set_location(frame: &mut Frame, location: &str) {
    let mut rest = location.trim();
    let mut numbers = Vec::new();
    // At most two trailing numbers: the column, then the line.
    while numbers.len() < 2 {
        match rest.rsplit_once(':') {
            Some((head, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                numbers.push(n.parse::<u64>().ok());
                rest = head;
            }
            _ => break,
        }
    }
    let (lineno, colno) = match numbers.as_slice() {
        [col, line] => (*line, *col),
        [line] => (*line, None),
        _ => (None, None),
    };
    frame.abs_path = Some(rest.to_owned());
    frame.filename = Some(rest.rsplit('/').next().unwrap_or(rest).to_owned());
    frame.lineno = lineno;
    frame.colno = colno;
}

/// The crate a function path starts with: `orders::db::save` → `orders`,
/// `<orders::Db as core::fmt::Debug>::fmt` → `orders`.
fn crate_name(function: &str) -> Option<&str> {
    let path = function
        .trim_start_matches('<')
        .trim_start_matches("impl ")
        .trim_start_matches("dyn ");
    let end = path.find("::")?;
    let name = &path[..end];
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "   0: std::backtrace_rs::backtrace::libunwind::trace
             at /rustc/abc/library/std/src/../../backtrace/src/backtrace/libunwind.rs:116:5
   1: std::backtrace::Backtrace::capture
             at /rustc/abc/library/std/src/backtrace.rs:296:9
   2: omniscope_sdk::errors::handler::Inner::handle
             at ./backends/sdk/src/errors/handler.rs:190:1
   3: {closure#0}
             at ./backends/sdk/src/errors/handler.rs:220:1
   4: <omniscope_sdk::errors::handler::SdkErrors as omniscope::error::ErrorHandler>::handle
             at ./backends/sdk/src/errors/handler.rs:221:1
   5: orders::checkout::pay
             at ./examples/orders/checkout.rs:42:17
   6: <orders::Db as core::ops::Drop>::drop
   7: {closure#0}
             at ./examples/orders/main.rs:7:1
   8: do_call<core::panic::unwind_safe::AssertUnwindSafe<F>, ()>
             at /rustc/abc/library/std/src/panicking.rs:581:40
   9: core::ops::function::FnOnce::call_once
             at /rustc/abc/library/core/src/ops/function.rs:250:5
";

    #[test]
    fn frames_are_outermost_first_without_the_capture() {
        let st = parse(TEXT, &InApp::default()).unwrap();
        let functions: Vec<&str> = st
            .frames
            .iter()
            .map(|f| f.function.as_deref().unwrap())
            .collect();
        assert_eq!(
            functions,
            [
                "core::ops::function::FnOnce::call_once",
                "do_call<core::panic::unwind_safe::AssertUnwindSafe<F>, ()>",
                "{closure#0}",
                "<orders::Db as core::ops::Drop>::drop",
                "orders::checkout::pay",
            ]
        );
        let pay = &st.frames[4];
        assert_eq!(
            pay.abs_path.as_deref(),
            Some("./examples/orders/checkout.rs")
        );
        assert_eq!(pay.filename.as_deref(), Some("checkout.rs"));
        assert_eq!((pay.lineno, pay.colno), (Some(42), Some(17)));
        let in_app: Vec<bool> = st.frames.iter().map(|f| f.in_app.unwrap()).collect();
        assert_eq!(in_app, [false, false, true, true, true]);
    }

    #[test]
    fn include_and_exclude_choose_crates() {
        let in_app = InApp {
            include: vec!["core".into()],
            exclude: vec!["orders".into()],
        };
        let st = parse(TEXT, &in_app).unwrap();
        let in_app: Vec<bool> = st.frames.iter().map(|f| f.in_app.unwrap()).collect();
        assert_eq!(in_app, [true, false, true, false, false]);
    }

    #[test]
    fn panic_machinery_is_cut() {
        let text = "   0: __rustc::rust_begin_unwind
             at /rustc/abc/library/std/src/panicking.rs:689:5
   1: core::panicking::panic_fmt
             at /rustc/abc/library/core/src/panicking.rs:80:14
   2: {closure#0}
             at ./src/main.rs:29:13
";
        let st = parse(text, &InApp::default()).unwrap();
        assert_eq!(st.frames.len(), 1);
        assert_eq!(st.frames[0].abs_path.as_deref(), Some("./src/main.rs"));
        assert_eq!(st.frames[0].in_app, Some(true));
    }

    #[test]
    fn text_without_frames_gives_none() {
        assert!(parse("disabled backtrace", &InApp::default()).is_none());
        assert!(parse("", &InApp::default()).is_none());
    }
}
