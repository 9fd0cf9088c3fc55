//! Regression test for issue #11 (item 8): `with_public(true)` served the
//! dashboard on every interface without a token, a one-character token was
//! accepted, and only `Bearer` with a capital B was understood. Now an
//! address beyond loopback needs a token of at least `MIN_TOKEN_LEN`
//! characters, and the scheme is case-insensitive.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_with;
use omniscope_present::Present;
use omniscope_sdk::Sdk;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn a_public_address_without_a_token_is_a_build_error() {
    let err = Present::builder()
        .with_addr("0.0.0.0:9000".parse().unwrap())
        .with_public(true)
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("0.0.0.0:9000"), "{message}");
    assert!(message.contains("with_bearer_token"), "{message}");
}

#[test]
fn a_short_token_is_a_build_error() {
    for short in ["x", "s3cret-token"] {
        let err = Present::builder()
            .with_bearer_token(short)
            .build()
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("at least 16 characters"), "{message}");
        if short.len() > 1 {
            assert!(!message.contains(short), "the token leaked: {message}");
        }
    }
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_bearer_token(TOKEN)
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let value = format!("{scheme} {TOKEN}");
        let reply = get_with(addr, "/api/status", &[("Authorization", &value)]);
        assert_eq!(reply.status, 200, "{scheme}: {}", reply.body);
    }
    let wrong = get_with(addr, "/api/status", &[("Authorization", "Basic abc")]);
    assert_eq!(wrong.status, 401);
}
