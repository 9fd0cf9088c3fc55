//! An SDK sending errors (and breadcrumbs) to a Sentry backend, and the
//! Bugsink server of `scripts/sentry-server` to read them back.
// each test binary uses part of it
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use omniscope::OwnedValue;
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::{PipelineConfig, PipelineStats};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::SdkTracer;
use omniscope_sdk::{Resource, Sdk, SdkBuilder, SdkGuard};
use omniscope_sentry::Sentry;

pub(crate) use omniscope_tests::sentry_server::{assert_normalized_as_sent, SentryServer};

/// A pipeline that batches quickly.
pub(crate) fn pipeline() -> PipelineConfig {
    PipelineConfig::for_signal("errors")
        .with_batch_timeout(Duration::from_millis(20))
        .with_export_timeout(Duration::from_secs(5))
}

/// The resource of the tests' service.
pub(crate) fn resource() -> Resource {
    Resource::new("orders")
        .with(Resource::SERVICE_VERSION, OwnedValue::Str("1.4.2".into()))
        .with(
            Resource::DEPLOYMENT_ENVIRONMENT,
            OwnedValue::Str("test".into()),
        )
        .with("host.name", OwnedValue::Str("test-host".into()))
}

/// An SDK (tracer, logger, errors) with `sentry` as error reporter and
/// breadcrumb source.
pub(crate) fn sdk(sentry: &Sentry) -> SdkBuilder {
    Sdk::builder()
        .with_resource(resource())
        .with_tracer(SdkTracer::builder())
        .with_logger(SdkLogger::builder().with_exporter(Box::new(sentry.breadcrumbs())))
        .with_errors(
            SdkErrors::builder()
                .with_reporter(Box::new(sentry.reporter()))
                .with_pipeline_config(pipeline()),
        )
        .with_shutdown_timeout(Duration::from_secs(10))
}

/// Installs [`sdk`] as the globals.
pub(crate) fn install(sentry: &Sentry) -> SdkGuard {
    sdk(sentry).install().unwrap()
}

/// The pipeline of the Sentry reporter.
pub(crate) fn stats(sdk: &Sdk) -> PipelineStats {
    sdk.pipeline_stats()
        .into_iter()
        .find(|s| s.exporter == "sentry")
        .unwrap()
}

/// Waits (at most `within`) until `done`, or fails naming `what`.
pub(crate) fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < until, "not within {within:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The exception types of a stored event, root cause first.
pub(crate) fn exception_types(event: &serde_json::Value) -> Vec<String> {
    event["exception"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// How a [`FakeSentry`] answers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Answer {
    /// Reads the request and never answers (a stalled server).
    Never,
    /// 429 with `X-Sentry-Rate-Limits: <seconds>:error:organization`.
    RateLimited(u32),
}

/// A loopback stand-in for what Bugsink cannot be made to do (stall,
/// rate-limit): it counts the envelope posts it receives.
pub(crate) struct FakeSentry {
    addr: std::net::SocketAddr,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FakeSentry {
    pub(crate) fn start(answer: Answer) -> FakeSentry {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut length = 0usize;
                        let mut line = String::new();
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let l = line.to_ascii_lowercase();
                            if let Some(v) = l.strip_prefix("content-length:") {
                                length = v.trim().parse().unwrap_or(0);
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        counted.fetch_add(1, Ordering::SeqCst);
                        match answer {
                            Answer::Never => {
                                // Hold the connection open, silent.
                                std::thread::sleep(Duration::from_secs(600));
                                return;
                            }
                            Answer::RateLimited(seconds) => {
                                let reply = format!(
                                    "HTTP/1.1 429 Too Many Requests\r\nX-Sentry-Rate-Limits: {seconds}:error:organization\r\nContent-Length: 0\r\n\r\n"
                                );
                                if reader.get_mut().write_all(reply.as_bytes()).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        FakeSentry { addr, requests }
    }

    /// A DSN pointing at it.
    pub(crate) fn dsn(&self) -> String {
        format!("http://public@{}/1", self.addr)
    }

    /// Envelope posts received so far.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The `omniscope.exporter.dropped` self-metric of `stats`, by reason.
pub(crate) fn dropped_metric(stats: &PipelineStats) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    stats.for_each_metric(|name, labels, value, _| {
        if name == PipelineStats::DROPPED && value > 0.0 {
            let reason = labels.iter().find(|(k, _)| *k == "reason").unwrap().1;
            assert!(labels.contains(&("exporter", "sentry")));
            out.push((reason.to_owned(), value));
        }
    });
    out
}

/// Handles `n` errors on another thread and asserts it finished within
/// `within` (a liveness bound: the caller never waits for Sentry).
pub(crate) fn handle_errors(errors: &SdkErrors, n: usize, within: Duration) {
    use omniscope::ErrorHandler;
    let errors = errors.clone();
    let caller = std::thread::spawn(move || {
        for i in 0..n {
            let e = std::io::Error::other(format!("failure {i}"));
            errors.handle(&e, &omniscope::ErrorContext::new(&[]));
        }
    });
    wait_until("the caller handled its errors", within, || {
        caller.is_finished()
    });
    caller.join().unwrap();
}

/// An SDK (not installed) whose only error reporter is `sentry`.
pub(crate) fn errors_only(sentry: &Sentry) -> Sdk {
    Sdk::builder()
        .with_resource(resource())
        .with_errors(
            SdkErrors::builder()
                .with_reporter(Box::new(sentry.reporter()))
                .with_pipeline_config(pipeline().with_export_timeout(Duration::from_secs(2))),
        )
        .build()
        .unwrap()
}
