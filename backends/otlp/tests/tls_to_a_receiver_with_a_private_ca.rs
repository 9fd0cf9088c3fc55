//! TLS with a private certificate authority, over gRPC and OTLP/HTTP: a
//! CA and a server certificate for `localhost` and `127.0.0.1` are made
//! now (rcgen), and the test receiver serves TLS with them. Through the
//! real SDK, spans reach it over `https://` when the CA is given with
//! `with_certificate`; without it (the system's roots) or with another CA
//! the handshake fails, every span is counted dropped, the pipeline's last
//! error names the endpoint and the certificate failure, and nothing
//! panics. A certificate file that is missing or not PEM fails `build()`,
//! naming the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_accounted, received, stats, wait_until};
use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::export::PipelineConfig;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use omniscope_tests::otlp_receiver::{OtlpReceiver, TlsIdentity, Via};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

const SPANS: u64 = 20;

/// Which certificate authorities a client trusts.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Trust {
    /// The CA that signed the receiver's certificate (`with_certificate`).
    PrivateCa,
    /// Another private CA (`with_certificate`): a wrong file.
    OtherCa,
    /// No certificate configured: the system's roots.
    SystemRoots,
}

/// One exporter of the test: its name in self-metrics, transport, the host
/// name it dials (checked against the certificate's names) and its trust.
struct Client {
    name: &'static str,
    protocol: Protocol,
    host: &'static str,
    trust: Trust,
}

const CLIENTS: [Client; 8] = [
    Client::new("grpc-ca-ip", Protocol::Grpc, "127.0.0.1", Trust::PrivateCa),
    Client::new(
        "grpc-ca-name",
        Protocol::Grpc,
        "localhost",
        Trust::PrivateCa,
    ),
    Client::new(
        "http-ca-ip",
        Protocol::HttpProtobuf,
        "127.0.0.1",
        Trust::PrivateCa,
    ),
    Client::new(
        "http-ca-name",
        Protocol::HttpProtobuf,
        "localhost",
        Trust::PrivateCa,
    ),
    Client::new("grpc-other-ca", Protocol::Grpc, "127.0.0.1", Trust::OtherCa),
    Client::new(
        "http-other-ca",
        Protocol::HttpProtobuf,
        "127.0.0.1",
        Trust::OtherCa,
    ),
    Client::new(
        "grpc-system",
        Protocol::Grpc,
        "localhost",
        Trust::SystemRoots,
    ),
    Client::new(
        "http-system",
        Protocol::HttpProtobuf,
        "localhost",
        Trust::SystemRoots,
    ),
];

impl Client {
    const fn new(name: &'static str, protocol: Protocol, host: &'static str, trust: Trust) -> Self {
        Client {
            name,
            protocol,
            host,
            trust,
        }
    }

    /// The endpoint as configured: `https://<host>:<port>`.
    fn endpoint(&self, receiver: &OtlpReceiver) -> String {
        let served = match self.protocol {
            Protocol::Grpc => receiver.grpc_endpoint(),
            _ => receiver.http_endpoint(),
        };
        assert!(served.starts_with("https://127.0.0.1:"), "{served}");
        served.replace("127.0.0.1", self.host)
    }

    /// The endpoint as the exporter's errors name it.
    fn request_url(&self, receiver: &OtlpReceiver) -> String {
        match self.protocol {
            Protocol::Grpc => self.endpoint(receiver),
            _ => format!("{}/v1/traces", self.endpoint(receiver)),
        }
    }
}

/// The test's certificates, as files in a private temporary folder.
struct Pki {
    dir: PathBuf,
    ca: PathBuf,
    other_ca: PathBuf,
    server: TlsIdentity,
}

impl Pki {
    fn new() -> Pki {
        // One folder per test: the tests of this file run at once.
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "omniscope-otlp-tls-{}-{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (ca_pem, issuer) = certificate_authority("omniscope test CA");
        let (other_ca_pem, _) = certificate_authority("another test CA");
        let ca = dir.join("ca.pem");
        let other_ca = dir.join("other-ca.pem");
        std::fs::write(&ca, ca_pem).unwrap();
        std::fs::write(&other_ca, other_ca_pem).unwrap();
        Pki {
            dir,
            ca,
            other_ca,
            server: server_identity(&issuer),
        }
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A self-signed CA: its certificate (PEM) and what signs with it.
fn certificate_authority(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let certificate = params.self_signed(&key).unwrap();
    (certificate.pem(), Issuer::new(params, key))
}

/// A server certificate for `localhost` and `127.0.0.1`, signed by `issuer`.
fn server_identity(issuer: &Issuer<'static, KeyPair>) -> TlsIdentity {
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, issuer).unwrap();
    TlsIdentity {
        certificate_chain: certificate.pem(),
        private_key: key.serialize_pem(),
    }
}

/// Installs an SDK whose spans go to `receiver` through every client.
fn install(receiver: &OtlpReceiver, pki: &Pki) -> SdkGuard {
    // A failed handshake is retried (it reads as "no connection"): a few
    // quick retries, then the batch is dropped and counted.
    let pipeline = PipelineConfig::for_signal("traces")
        .with_queue_capacity(1024)
        .with_max_batch(64)
        .with_batch_timeout(Duration::from_millis(50))
        .with_export_timeout(Duration::from_secs(10))
        .with_max_retries(2)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50));
    let mut tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_pipeline_config(pipeline);
    for client in &CLIENTS {
        let mut otlp = Otlp::builder()
            .with_name(client.name)
            .with_protocol(client.protocol)
            .with_endpoint(client.endpoint(receiver))
            .with_timeout(Duration::from_secs(5));
        otlp = match client.trust {
            Trust::PrivateCa => otlp.with_certificate(&pki.ca),
            Trust::OtherCa => otlp.with_certificate(&pki.other_ca),
            Trust::SystemRoots => otlp,
        };
        let otlp = otlp
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", client.name));
        tracer = tracer.with_exporter(Box::new(otlp.spans()));
    }
    Sdk::builder()
        .with_resource(Resource::new("tls-test"))
        .with_tracer(tracer)
        .with_shutdown_timeout(Duration::from_secs(20))
        .install()
        .unwrap()
}

/// Counts the panics of every thread from now on (the I/O runtime's tasks
/// included, whose panics would otherwise go unseen), still printing them.
fn count_panics() -> Arc<AtomicUsize> {
    let panics = Arc::new(AtomicUsize::new(0));
    let counted = panics.clone();
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counted.fetch_add(1, Ordering::SeqCst);
        print(info);
    }));
    panics
}

#[test]
fn spans_cross_tls_only_to_clients_trusting_the_private_ca() {
    let panics = count_panics();
    let pki = Pki::new();
    let receiver = OtlpReceiver::start_tls(&pki.server);
    let guard = install(&receiver, &pki);
    let sdk = guard.sdk();

    for i in 0..SPANS {
        let _span = omniscope::span!("over-tls", i = i);
    }
    wait_until(
        "every pipeline settled its spans",
        Duration::from_secs(60),
        || {
            CLIENTS.iter().all(|c| {
                let s = stats(sdk, c.name);
                s.queued == 0 && s.in_flight == 0 && s.exported + s.dropped.total() == SPANS
            })
        },
    );

    // The two trusting clients of each transport delivered, the others
    // nothing, and the receiver saw every request arrive over TLS.
    assert_eq!(
        received(&receiver, Via::Grpc, "over-tls"),
        2 * SPANS as usize
    );
    assert_eq!(
        received(&receiver, Via::HttpProtobuf, "over-tls"),
        2 * SPANS as usize
    );
    let requests = receiver.requests();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| r.tls && r.accepted), "{requests:?}");
    for client in &CLIENTS {
        let s = stats(sdk, client.name);
        if client.trust == Trust::PrivateCa {
            assert_eq!((s.exported, s.errors), (SPANS, 0), "{}: {s:?}", client.name);
            assert_eq!(s.last_error, None, "{}", client.name);
            continue;
        }
        assert_eq!(s.exported, 0, "{}: {s:?}", client.name);
        assert_eq!(s.dropped.export_failed, SPANS, "{}: {s:?}", client.name);
        assert!(s.errors > 0 && s.retries > 0, "{}: {s:?}", client.name);
        let error = s.last_error.unwrap_or_default();
        let url = client.request_url(&receiver);
        assert!(
            error.contains(&format!("cannot send to {url}: ")),
            "{}: the error names the endpoint: {error}",
            client.name
        );
        assert!(
            error.contains("invalid peer certificate: UnknownIssuer"),
            "{}: the error names the TLS failure: {error}",
            client.name
        );
    }

    sdk.shutdown(Instant::now() + Duration::from_secs(20))
        .unwrap();
    for client in &CLIENTS {
        let (exported, dropped) = assert_accounted(sdk, client.name, SPANS);
        let expected = match client.trust {
            Trust::PrivateCa => (SPANS, 0),
            _ => (0, SPANS),
        };
        assert_eq!((exported, dropped), expected, "{}", client.name);
    }
    assert_eq!(panics.load(Ordering::SeqCst), 0, "a thread panicked");
}

/// The message of `build()`'s error for `certificate` and `protocol`.
fn build_error(certificate: &Path, protocol: Protocol) -> String {
    let built = Otlp::builder()
        .with_protocol(protocol)
        .with_endpoint("https://localhost:4317")
        .with_certificate(certificate)
        .build();
    match built {
        Ok(otlp) => panic!(
            "{protocol}: {} was accepted: {otlp:?}",
            certificate.display()
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_certificate_file_that_is_missing_or_not_pem_fails_the_build_naming_it() {
    let pki = Pki::new();
    let missing = pki.dir.join("no such file.pem");
    let key_only = pki.write("key-only.pem", &pki.server.private_key);
    let broken = pki.write(
        "broken.pem",
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    );
    // Well-formed PEM whose content is not a certificate.
    let not_der = pki.write(
        "not-der.pem",
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    );
    let cases: [(&Path, &str); 5] = [
        (&missing, "cannot be read"),
        (&pki.write("text.pem", "hello"), "holds no PEM certificate"),
        (&key_only, "holds no PEM certificate"),
        (&broken, "is not valid PEM"),
        (&not_der, "holds a certificate rustls rejects"),
    ];
    for protocol in [Protocol::Grpc, Protocol::HttpProtobuf] {
        for (path, problem) in cases {
            let message = build_error(path, protocol);
            assert!(
                message.contains(&path.display().to_string()) && message.contains(problem),
                "{protocol}, {}: {message}",
                path.display()
            );
        }
    }
}
