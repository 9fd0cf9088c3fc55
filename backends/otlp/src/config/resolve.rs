//! From code settings and variables to one signal's checked configuration.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hyper::Uri;
use omniscope_sdk::env;
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::BuildError;

use super::env::{EnvValue, Field};
use super::headers::{self, Header};
use super::{endpoint, invalid, OtlpBuilder, DEFAULT_TIMEOUT, MAX_CERTIFICATE_FILE, MAX_TIMEOUT};
use crate::protocol::{Compression, Protocol};
use crate::signal::Signal;

/// One signal's exporter settings, checked.
#[derive(Clone, Debug)]
pub(crate) struct SignalConfig {
    pub(crate) signal: Signal,
    pub(crate) protocol: Protocol,
    /// The full URL for HTTP; scheme and authority matter for gRPC.
    pub(crate) endpoint: Uri,
    pub(crate) headers: Vec<Header>,
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    /// The PEM file of trusted CAs, and its contents.
    pub(crate) certificate: Option<(PathBuf, Vec<u8>)>,
}

pub(super) fn signal(b: &OtlpBuilder, signal: Signal) -> Result<SignalConfig, BuildError> {
    let protocol = protocol(b, signal)?;
    Ok(SignalConfig {
        signal,
        protocol,
        endpoint: endpoint(b, signal, protocol)?,
        headers: headers(b, signal)?,
        timeout: timeout(b, signal)?,
        compression: compression(b, signal)?,
        certificate: certificate(b, signal)?,
    })
}

/// `VAR="value"`, the start of every message about a variable.
fn named(v: &EnvValue) -> String {
    format!("{}={:?}", v.variable, v.value)
}

fn protocol(b: &OtlpBuilder, signal: Signal) -> Result<Protocol, BuildError> {
    if let Some(p) = b.protocol {
        return Ok(p);
    }
    match b.env.get(signal, Field::Protocol) {
        None => Ok(Protocol::default()),
        Some(v) => Protocol::from_name(&v.value).ok_or_else(|| {
            invalid(format!(
                "{} is not an OTLP protocol: use {}",
                named(v),
                Protocol::ACCEPTED
            ))
        }),
    }
}

/// Code (the signal's, then the base), then the signal's variable (as it
/// is), then the generic variable (a base), then the default (a base).
fn endpoint(b: &OtlpBuilder, signal: Signal, protocol: Protocol) -> Result<Uri, BuildError> {
    let fix = "give an absolute http:// or https:// URL such as";
    let example = if protocol.is_http() {
        b.default_endpoints.1
    } else {
        b.default_endpoints.0
    };
    let parse_code = |url: &str, setter: &str| {
        endpoint::parse(url).map_err(|e| {
            invalid(format!(
                "the {setter} {url:?} set in code {e}: {fix} {example}"
            ))
        })
    };
    let parse_env = |v: &EnvValue| {
        endpoint::parse(&v.value).map_err(|e| invalid(format!("{} {e}: {fix} {example}", named(v))))
    };
    let base = if let Some(url) = &b.signal_endpoints[signal.index()] {
        return parse_code(url, &format!("{signal} endpoint"));
    } else if let Some(url) = &b.endpoint {
        parse_code(url, "endpoint")?
    } else if let Some(v) = b.env.specific(signal, Field::Endpoint) {
        return parse_env(v);
    } else if let Some(v) = b.env.generic(Field::Endpoint) {
        parse_env(v)?
    } else {
        parse_code(example, "default endpoint")?
    };
    if !protocol.is_http() {
        return Ok(base);
    }
    endpoint::with_signal_path(&base, signal)
        .map_err(|e| invalid(format!("the {signal} endpoint from {base}: {e}")))
}

/// The environment's list (the signal's, else the generic one), then the
/// code's headers replacing or adding.
fn headers(b: &OtlpBuilder, signal: Signal) -> Result<Vec<Header>, BuildError> {
    let mut list = match b.env.get(signal, Field::Headers) {
        None => Vec::new(),
        Some(v) => headers::parse_list(&v.value).map_err(|e| {
            invalid(format!(
                "{} is not a header list: {e} (expected key1=value1,key2=value2, values percent-encoded)",
                v.variable
            ))
        })?,
    };
    for (name, value) in &b.headers {
        let (name, value) = headers::header(name, value)
            .map_err(|e| invalid(format!("header set in code: {e}")))?;
        list.retain(|(n, _)| *n != name);
        list.push((name, value));
    }
    Ok(list)
}

/// At most [`MAX_TIMEOUT`], from code or the environment.
fn timeout(b: &OtlpBuilder, signal: Signal) -> Result<Duration, BuildError> {
    if let Some(t) = b.timeout {
        if t.is_zero() {
            return Err(invalid(
                "the timeout set in code is 0: give a positive duration".into(),
            ));
        }
        if t > MAX_TIMEOUT {
            return Err(invalid(format!(
                "the timeout set in code is longer than a day ({t:?}): give at most {MAX_TIMEOUT:?}"
            )));
        }
        return Ok(t);
    }
    match b.env.get(signal, Field::Timeout) {
        None => Ok(DEFAULT_TIMEOUT),
        Some(v) => env::parse_millis(&v.value).ok_or_else(|| {
            invalid(format!(
                "{} is not a timeout: give a whole number of milliseconds from 1 to {} (one day), such as 10000",
                named(v),
                env::MAX_MILLIS
            ))
        }),
    }
}

fn compression(b: &OtlpBuilder, signal: Signal) -> Result<Compression, BuildError> {
    if let Some(c) = b.compression {
        return Ok(c);
    }
    match b.env.get(signal, Field::Compression) {
        None => Ok(Compression::None),
        Some(v) => Compression::from_name(&v.value).ok_or_else(|| {
            invalid(format!(
                "{} is not a compression: use {}",
                named(v),
                Compression::ACCEPTED
            ))
        }),
    }
}

fn certificate(b: &OtlpBuilder, signal: Signal) -> Result<Option<(PathBuf, Vec<u8>)>, BuildError> {
    let (path, from) = match (&b.certificate, b.env.get(signal, Field::Certificate)) {
        (Some(path), _) => (path.clone(), "set in code".to_owned()),
        (None, Some(v)) => (
            PathBuf::from(v.value.trim()),
            format!("named by {}", v.variable),
        ),
        (None, None) => return Ok(None),
    };
    let pem = read_capped(&path, MAX_CERTIFICATE_FILE).map_err(|e| {
        let problem = match e {
            Capped::TooLarge => "is larger than 1 MiB".to_owned(),
            Capped::Io(e) => format!("cannot be read: {e}"),
        };
        invalid(format!(
            "the certificate file {} {from} {problem}: give a PEM file of trusted certificate authorities",
            path.display()
        ))
    })?;
    Ok(Some((path, pem)))
}

/// Why [`read_capped`] failed.
enum Capped {
    TooLarge,
    Io(std::io::Error),
}

/// The contents of `path`, unless it holds more than `max` bytes: a
/// configured path may name `/dev/zero` or a log file, and reading it whole
/// would take all memory.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, Capped> {
    let file = File::open(path).map_err(Capped::Io)?;
    let mut contents = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut contents)
        .map_err(Capped::Io)?;
    match contents.len() as u64 > max {
        true => Err(Capped::TooLarge),
        false => Ok(contents),
    }
}

pub(super) fn temporality(b: &OtlpBuilder) -> Result<Temporality, BuildError> {
    if let Some(t) = b.temporality {
        return Ok(t);
    }
    let Some(v) = &b.env.temporality else {
        return Ok(Temporality::Cumulative);
    };
    match v.value.trim().to_ascii_lowercase().as_str() {
        "cumulative" => Ok(Temporality::Cumulative),
        "delta" | "lowmemory" => Ok(Temporality::Delta),
        _ => Err(invalid(format!(
            "{} is not a temporality preference: use `cumulative`, `delta` or `lowmemory`",
            named(v)
        ))),
    }
}
