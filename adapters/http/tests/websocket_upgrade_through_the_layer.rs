//! A WebSocket upgrade through the layer: the `101 Switching Protocols`
//! ends the request's span at once (while the socket stays open), and the
//! upgraded connection still exchanges messages both ways.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::{attr, runtime, serve_axum, telemetry};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite;

async fn echo(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket: WebSocket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            if let Message::Text(text) = message {
                let reply = format!("echo {}", text.as_str());
                if socket.send(Message::Text(reply.into())).await.is_err() {
                    break;
                }
            }
        }
    })
}

#[test]
fn a_websocket_upgrade_ends_the_span_and_keeps_working() {
    let t = telemetry();
    let router = Router::new()
        .route("/ws", get(echo))
        .layer(omniscope_http::server());
    let addr = serve_axum(router);

    runtime().block_on(async {
        let (mut socket, response) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
            .await
            .unwrap();
        assert_eq!(response.status(), 101);
        socket
            .send(tungstenite::Message::text("one"))
            .await
            .unwrap();
        let reply = socket.next().await.unwrap().unwrap();
        assert_eq!(reply.into_text().unwrap().as_str(), "echo one");

        // The socket is open, and the request's span has ended already.
        let span = tokio::task::block_in_place(|| t.wait_span(|s| s.name == "GET /ws"));
        assert_eq!(
            attr(&span, "http.response.status_code").as_deref(),
            Some("101")
        );
        assert_eq!(attr(&span, "error.type"), None);

        socket
            .send(tungstenite::Message::text("two"))
            .await
            .unwrap();
        let reply = socket.next().await.unwrap().unwrap();
        assert_eq!(reply.into_text().unwrap().as_str(), "echo two");
        socket.close(None).await.unwrap();
    });
}
