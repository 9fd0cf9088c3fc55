//! TLS for the receiver: tonic's own server TLS on the gRPC port, and
//! tokio-rustls in front of hyper on the HTTP port, both with one
//! certificate (rustls with the *ring* provider, as the exporter uses).

use std::sync::Arc;

use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;
use tonic::transport::{Identity, ServerTlsConfig};

/// The certificate a receiver serving TLS presents, and its private key.
#[derive(Clone, Debug)]
pub struct TlsIdentity {
    /// PEM: the server's certificate, then any intermediates.
    pub certificate_chain: String,
    /// PEM: the server certificate's private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: String,
}

/// The server side of both ports, built once from a [`TlsIdentity`].
#[derive(Clone)]
pub(super) struct ServerTls {
    pub(super) grpc: ServerTlsConfig,
    pub(super) http: TlsAcceptor,
}

impl ServerTls {
    /// Panics (this is test code) when the PEM cannot be used.
    pub(super) fn new(identity: &TlsIdentity) -> ServerTls {
        let grpc = ServerTlsConfig::new().identity(Identity::from_pem(
            &identity.certificate_chain,
            &identity.private_key,
        ));
        // Checked here, on the caller's thread: in the server's task a
        // refusal would only leave the gRPC port silent.
        tonic::transport::Server::builder()
            .tls_config(grpc.clone())
            .expect("tonic refuses the receiver's certificate or key");
        let chain = CertificateDer::pem_slice_iter(identity.certificate_chain.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("the receiver's certificate chain is not PEM");
        let key = PrivateKeyDer::from_pem_slice(identity.private_key.as_bytes())
            .expect("the receiver's private key is not PEM");
        // rustls 0.23.48 deprecates *ring* for lacking post-quantum key
        // exchange; the receiver needs none, and aws-lc-rs needs cmake.
        #[allow(deprecated)]
        let ring = ring::default_provider();
        let mut http = ServerConfig::builder_with_provider(Arc::new(ring))
            .with_safe_default_protocol_versions()
            .expect("rustls refuses its default protocol versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("rustls refuses the receiver's certificate or key");
        http.alpn_protocols = vec![b"http/1.1".to_vec()];
        ServerTls {
            grpc,
            http: TlsAcceptor::from(Arc::new(http)),
        }
    }
}
