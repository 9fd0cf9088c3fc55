//! One push as an HTTP request, and the message of a refused one. Sending
//! it is the SDK's HTTP client's job ([`HttpClient`]): a private runtime,
//! the timeout, and the classification of answers (retry on 429, 502, 503,
//! 504 after `Retry-After`, and on connection failures; give up on anything
//! else, with the Pushgateway's own message).
//!
//! [`HttpClient`]: omniscope_sdk::export::http::HttpClient

use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use omniscope_sdk::export::ExportError;

use crate::format::Format;

/// One request to send.
pub(crate) struct Push<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) authorization: Option<&'a HeaderValue>,
    pub(crate) body: String,
}

impl Push<'_> {
    /// What the push is, for messages: `PUT http://…/metrics/job/…`.
    pub(crate) fn what(&self) -> String {
        format!("{} {}", self.method, self.url)
    }

    pub(crate) fn request(self) -> Result<Request<Vec<u8>>, ExportError> {
        let url = self.url;
        let mut builder = Request::builder()
            .method(self.method)
            .uri(url)
            .header(CONTENT_TYPE, Format::Text004.content_type());
        if let Some(authorization) = self.authorization {
            builder = builder.header(AUTHORIZATION, authorization.clone());
        }
        builder.body(self.body.into_bytes()).map_err(|e| {
            ExportError::Internal(format!("cannot build the push request to {url}: {e}"))
        })
    }
}

/// The message of an answer that is not a success, with a hint where the
/// cause is most likely ours.
pub(crate) fn refused(what: &str, status: StatusCode, said: &str) -> String {
    let mut message = format!("the Pushgateway answered {status} to {what}: {said}");
    if matches!(status.as_u16(), 401 | 403) {
        message.push_str(" (check the credentials given to with_basic_auth)");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_push_and_what_the_pushgateway_said() {
        let what = "PUT http://pgw/metrics/job/x";
        assert_eq!(
            refused(
                what,
                StatusCode::BAD_REQUEST,
                "text format parsing error in line 1: unexpected end of input stream"
            ),
            "the Pushgateway answered 400 Bad Request to PUT http://pgw/metrics/job/x: \
             text format parsing error in line 1: unexpected end of input stream"
        );
        let unauthorized = refused(what, StatusCode::UNAUTHORIZED, "Unauthorized");
        assert!(unauthorized.contains("with_basic_auth"), "{unauthorized}");
    }
}
