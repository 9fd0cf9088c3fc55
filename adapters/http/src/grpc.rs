//! gRPC over the same layers: a request whose `content-type` is
//! `application/grpc…` follows the RPC conventions instead of the HTTP
//! ones (span `{package.Service}/{Method}`, `rpc.*` attributes, the status
//! from `grpc-status` in the trailers, `rpc.server.duration` /
//! `rpc.client.duration`).

use http::{HeaderMap, HeaderValue, Uri};

use crate::exchange::Side;

/// One gRPC call: its service and method (from the path
/// `/{package.Service}/{Method}`) and, once known, its status code.
#[derive(Debug, Clone)]
pub(crate) struct GrpcCall {
    /// `package.Service/Method`, the span name.
    path: String,
    /// Where `Method` starts in `path`.
    split: usize,
    status: Option<i32>,
}

impl GrpcCall {
    /// `Some` for a gRPC request (by its `content-type`).
    pub(crate) fn detect(content_type: Option<&HeaderValue>, uri: &Uri) -> Option<GrpcCall> {
        let content_type = content_type?.as_bytes();
        if !content_type.starts_with(b"application/grpc") {
            return None;
        }
        let path = uri.path().trim_start_matches('/');
        let split = path.rfind('/').map_or(0, |i| i + 1);
        Some(GrpcCall {
            path: path.to_owned(),
            split,
            status: None,
        })
    }

    /// `package.Service/Method`.
    pub(crate) fn name(&self) -> &str {
        &self.path
    }

    /// `rpc.service`: `package.Service`.
    pub(crate) fn service(&self) -> &str {
        self.path
            .get(..self.split.saturating_sub(1))
            .unwrap_or_default()
    }

    /// `rpc.method`: `Method`.
    pub(crate) fn method(&self) -> &str {
        self.path.get(self.split..).unwrap_or_default()
    }

    /// Reads `grpc-status` from a trailers-only response's headers or from
    /// the trailers.
    pub(crate) fn read_status(&mut self, headers: &HeaderMap) {
        const GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");
        if let Some(code) = headers
            .get(GRPC_STATUS)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
        {
            self.status = Some(code);
        }
    }

    /// The status code, once read.
    pub(crate) fn status(&self) -> Option<i32> {
        self.status
    }
}

/// Whether `code` fails the span, by the conventions' gRPC mapping: on the
/// server only the codes that say the server failed (UNKNOWN,
/// DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); on
/// the client every code but OK.
pub(crate) fn is_error(side: Side, code: i32) -> bool {
    match side {
        Side::Server => matches!(code, 2 | 4 | 12 | 13 | 14 | 15),
        Side::Client => code != 0,
    }
}

/// The name of a gRPC status code.
pub(crate) fn code_name(code: i32) -> &'static str {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("UNKNOWN_CODE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_splits_into_service_and_method() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/grpc+proto".parse().unwrap());
        let uri: Uri = "/shop.v1.Payments/Charge".parse().unwrap();
        let call = GrpcCall::detect(headers.get(http::header::CONTENT_TYPE), &uri).unwrap();
        assert_eq!(call.name(), "shop.v1.Payments/Charge");
        assert_eq!(
            (call.service(), call.method()),
            ("shop.v1.Payments", "Charge")
        );
        headers.insert("content-type", "application/json".parse().unwrap());
        assert!(GrpcCall::detect(headers.get(http::header::CONTENT_TYPE), &uri).is_none());
    }

    #[test]
    fn server_and_client_fail_on_different_codes() {
        assert!(!is_error(Side::Server, 5) && is_error(Side::Client, 5));
        assert!(is_error(Side::Server, 13) && is_error(Side::Client, 13));
        assert!(!is_error(Side::Client, 0));
        assert_eq!(code_name(14), "UNAVAILABLE");
        assert_eq!(code_name(99), "UNKNOWN_CODE");
    }
}
