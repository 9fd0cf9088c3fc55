//! TLS for `https://` endpoints: rustls with the process's crypto provider
//! if the application installed one, else *ring*; trusting the configured
//! PEM file's authorities, else the system's.

use std::path::Path;
use std::sync::Arc;

use omniscope_sdk::BuildError;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::config::SignalConfig;

/// The client configuration for OTLP/HTTP (hyper-rustls). Plain `http://`
/// endpoints get one with no roots: it is never used.
pub(super) fn client_config(config: &SignalConfig) -> Result<ClientConfig, BuildError> {
    let roots = if config.endpoint.scheme_str() == Some("https") {
        roots(config)?
    } else {
        RootCertStore::empty()
    };
    // No ALPN here: hyper-rustls sets it (and panics if it is preset).
    let tls = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(config, format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tls)
}

/// The process's default crypto provider when the application installed
/// one (aws-lc-rs, for post-quantum key exchange, or a FIPS provider), else
/// *ring*.
fn provider() -> Arc<CryptoProvider> {
    if let Some(installed) = CryptoProvider::get_default() {
        return installed.clone();
    }
    // rustls 0.23.48 deprecates its *ring* provider (it has no post-quantum
    // key exchange). It stays the fallback: aws-lc-rs, rustls' other
    // provider, needs a C compiler and cmake to build, and an application
    // that wants post-quantum key exchange installs it as the process
    // default, used above.
    #[allow(deprecated)]
    let ring = rustls::crypto::ring::default_provider();
    Arc::new(ring)
}

fn roots(config: &SignalConfig) -> Result<RootCertStore, BuildError> {
    let mut roots = RootCertStore::empty();
    match &config.certificate {
        Some((path, pem)) => roots = trusted(config, path, pem)?,
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(invalid(
                    config,
                    "no trusted certificate authority found on this system for https: install the system's CA certificates (ca-certificates) or give a PEM file with OTEL_EXPORTER_OTLP_CERTIFICATE".into(),
                ));
            }
        }
    }
    Ok(roots)
}

/// The authorities of the PEM file `path` (holding `pem`), each checked
/// by rustls, so that a bad file fails the build rather than every export.
pub(super) fn trusted(
    config: &SignalConfig,
    path: &Path,
    pem: &[u8],
) -> Result<RootCertStore, BuildError> {
    let file = path.display();
    let mut roots = RootCertStore::empty();
    for cert in certificates(pem)
        .map_err(|e| invalid(config, format!("the certificate file {file} {e}")))?
    {
        roots.add(cert).map_err(|e| {
            invalid(
                config,
                format!("the certificate file {file} holds a certificate rustls rejects: {e}"),
            )
        })?;
    }
    Ok(roots)
}

/// The certificates of a PEM file; at least one.
fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    Ok(certs)
}

pub(super) fn invalid(config: &SignalConfig, message: String) -> BuildError {
    BuildError::new("otlp", format!("{} exporter: {message}", config.signal))
}
