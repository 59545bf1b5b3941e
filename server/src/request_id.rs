//! The request id (`x-request-id`): kept from the caller when it looks like one, made otherwise;
//! in every log line, every answer and every call upstream.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub const REQUEST_ID: &str = "x-request-id";

/// Keeps an incoming `x-request-id` only if it looks like an id (so it is safe to log and to
/// forward upstream); otherwise removes it and a fresh one is generated.
pub async fn sanitize_request_id(mut req: Request, next: Next) -> Response {
    let valid = req.headers().get(REQUEST_ID).is_some_and(|v| {
        let b = v.as_bytes();
        !b.is_empty() && b.len() <= 128 && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
    });
    if !valid {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

pub fn request_id_of(req: &Request) -> Option<String> {
    req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned)
}
