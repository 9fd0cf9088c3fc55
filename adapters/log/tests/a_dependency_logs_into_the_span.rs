//! A real dependency that logs through `log`: rustls, during a TLS
//! handshake (in memory, no socket) run inside an omniscope span. Its
//! records reach omniscope with their target and the span's trace and span
//! ids, so they show up in the application's trace.

#![allow(clippy::unwrap_used)] // test support: a failed step is a failed test

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

/// Runs a whole TLS handshake between a client and a server in memory.
fn handshake() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    // rustls 0.23.48 deprecates *ring* for lacking post-quantum key
    // exchange; this handshake needs none.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(Arc::new(client), name).unwrap();
    let mut server = ServerConnection::new(Arc::new(server)).unwrap();
    // Each round moves what one side wrote to the other; a handshake
    // needs a few, so 10 bound the loop.
    for _ in 0..10 {
        if !client.is_handshaking() && !server.is_handshaking() {
            return;
        }
        let mut bytes = Vec::new();
        client.write_tls(&mut bytes).unwrap();
        server.read_tls(&mut bytes.as_slice()).unwrap();
        server.process_new_packets().unwrap();
        let mut bytes = Vec::new();
        server.write_tls(&mut bytes).unwrap();
        client.read_tls(&mut bytes.as_slice()).unwrap();
        client.process_new_packets().unwrap();
    }
    panic!("the handshake did not finish in 10 rounds");
}

#[test]
fn rustls_handshake_records_carry_the_span_ids() {
    omniscope_log::install().unwrap();
    let captured = omniscope::testing::capture(|| {
        let _span = omniscope::span!("connect");
        handshake();
    });
    let span = captured.span("connect").unwrap();
    let rustls: Vec<_> = captured
        .logs()
        .iter()
        .filter(|l| l.target.starts_with("rustls::"))
        .collect();
    assert!(
        !rustls.is_empty(),
        "no rustls record: {:#?}",
        captured.logs()
    );
    for record in &rustls {
        assert!(!record.message.is_empty(), "{record:#?}");
        assert_eq!(record.trace_id, Some(span.trace_id), "{record:#?}");
        assert_eq!(record.span_id, Some(span.span_id), "{record:#?}");
    }
}
