//! With a bearer token configured, the JSON API and `/metrics` answer 401
//! without it (or with a wrong one) and 200 with it; the page, which holds
//! no data, loads without it and asks for the token.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{get, get_with};
use omniscope_present::Present;
use omniscope_sdk::Sdk;

#[test]
fn the_api_needs_the_token_and_the_page_does_not() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_bearer_token("s3cret-token-0123456789abcdef")
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();

    for path in [
        "/api/status",
        "/api/logs",
        "/api/traces/capture?name=x",
        "/metrics",
        "/api/nothing",
    ] {
        let reply = get(addr, path);
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer realm=\"omniscope\"")
        );
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap()
                .contains("bearer token"),
            "{path}"
        );
        let wrong = get_with(
            addr,
            path,
            &[("Authorization", "Bearer s3cret-token-0123456789abcdeF")],
        );
        assert_eq!(wrong.status, 401, "{path}");
    }
    let ok = get_with(
        addr,
        "/api/status",
        &[("Authorization", "Bearer s3cret-token-0123456789abcdef")],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let page = get(addr, "/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"token-form\""));
}
