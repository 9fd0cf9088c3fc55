//! From code settings and variables to one signal's checked configuration.

use std::path::PathBuf;
use std::time::Duration;

use hyper::Uri;
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::BuildError;

use super::env::{EnvValue, Field};
use super::headers::{self, Header};
use super::{endpoint, invalid, OtlpBuilder, DEFAULT_TIMEOUT};
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

fn timeout(b: &OtlpBuilder, signal: Signal) -> Result<Duration, BuildError> {
    if let Some(t) = b.timeout {
        if t.is_zero() {
            return Err(invalid(
                "the timeout set in code is 0: give a positive duration".into(),
            ));
        }
        return Ok(t);
    }
    match b.env.get(signal, Field::Timeout) {
        None => Ok(DEFAULT_TIMEOUT),
        Some(v) => match v.value.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
            _ => Err(invalid(format!(
                "{} is not a timeout: give a positive whole number of milliseconds, such as 10000",
                named(v)
            ))),
        },
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
    let pem = std::fs::read(&path).map_err(|e| {
        invalid(format!(
            "cannot read the certificate file {} {from}: {e}: give the path of a PEM file of trusted certificate authorities",
            path.display()
        ))
    })?;
    Ok(Some((path, pem)))
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
