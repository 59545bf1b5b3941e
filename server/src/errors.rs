//! The one error pipeline. Every error the console answers — a server function's, the sign-in's,
//! a guard's, a panic's — is an [`AppError`]: its HTTP status is [`AppError::status`], its body
//! one JSON shape ([`ErrorBody`]: code, detail, the sentence in the request's language, and the
//! request id for failures on our side or upstream). Pages answer HTML and keep their own.

use std::any::Any;

use app::error::{AppError, ErrorBody};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::request_id::request_id_of;

/// The largest error body read back to be given its status (a server function's is small).
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// The answer to `err`: its status and its body.
pub(crate) fn error_response(err: &AppError, request_id: Option<String>) -> Response {
    (err.status(), Json(ErrorBody::new(err, request_id))).into_response()
}

/// An error read back from a server function's answer or ours.
pub(crate) fn decode_error(body: &[u8]) -> AppError {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.error)
        .or_else(|_| serde_json::from_slice::<AppError>(body))
        .unwrap_or(AppError::Internal)
}

/// A response [`panic_response`] made: it names no request id, which [`answer_errors`] adds.
#[derive(Clone, Copy)]
struct Panicked;

/// Gives server-function errors their status and the one shape: Leptos answers every `Err`
/// with 500 and the bare error. Our own answers ([`error_response`]) have the shape and their
/// status already (421 for a foreign host name, say) and pass as they are; a panic's answer gains
/// the request id.
pub(crate) async fn answer_errors(req: Request, next: Next) -> Response {
    let request_id = request_id_of(&req);
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if res.extensions().get::<Panicked>().is_some() {
        return error_response(&AppError::Internal, request_id);
    }
    let is_json =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_api || !is_json || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BYTES).await else {
        return error_response(&AppError::Internal, request_id);
    };
    let bare = serde_json::from_slice::<ErrorBody>(&bytes).is_err();
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(err) if bare => {
            parts.status = err.status();
            parts.headers.remove(header::CONTENT_LENGTH);
            let body = ErrorBody::new(&err, request_id);
            Response::from_parts(parts, Body::from(serde_json::to_vec(&body).unwrap_or_default()))
        }
        // Ours already, or not an error of ours: passed on as it is.
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// A panic while answering: logged, and answered as `Internal` (500) instead of a dropped
/// connection; [`answer_errors`] adds the request id.
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = what, "a request panicked; answered 500");
    let mut res = error_response(&AppError::Internal, None);
    res.extensions_mut().insert(Panicked);
    res
}
