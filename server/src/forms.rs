//! Server side of progressive enhancement: forms that work without WASM.
//!
//! A browser without WASM submits a form as a plain POST to the server function (`Accept:
//! text/html`). We run the function as if called by the app, keep its outcome and the values
//! (minus passwords) in the session as a `Flash`, and answer 303 back to the page, which shows
//! them (post/redirect/get). An ended session sends the user to sign in instead.

use app::auth::{login_url, safe_next_path};
use app::error::AppError;
use app::kit::{Flash, PostedForm, FLASH_KEY, SECRET_FIELDS};
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::errors::decode_error;
use crate::ServerContext;

/// The largest form body the console reads (server functions and plain form posts alike).
pub(crate) const MAX_FORM_BYTES: usize = 64 * 1024;
/// Where the bulk-onboarding file is posted, and its own bound: the file and the pasted text
/// (the page keeps the last one) with room for the multipart framing.
pub(crate) const BULK_PATH: &str = "/onboard/bulk";
const MAX_UPLOAD_BYTES: usize = 2 * app::bulk::MAX_FILE_BYTES + 16 * 1024;

/// The bound on request bodies, in front of every handler and server function: a larger body is
/// refused with 413 before it is read. Every form is small; the bulk-onboarding file has its own.
pub(crate) async fn limit_body(req: Request, next: Next) -> Response {
    let limit = if req.uri().path() == BULK_PATH { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// What a plain-form submission keeps in the session for the page it returns to: each field
/// value at most 2 KiB, all of them at most 8 KiB, and an answer of at most 8 KiB.
const MAX_KEPT_VALUE_BYTES: usize = 2 * 1024;
const MAX_KEPT_BYTES: usize = 8 * 1024;

/// The fields to fill the form in again: no secret, each value and the whole bounded.
fn kept_fields(fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut total = 0;
    fields
        .into_iter()
        .filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str()))
        .map(|(k, mut v)| {
            if v.len() > MAX_KEPT_VALUE_BYTES {
                let mut cut = MAX_KEPT_VALUE_BYTES;
                while !v.is_char_boundary(cut) {
                    cut -= 1;
                }
                v.truncate(cut);
            }
            (k, v)
        })
        .take_while(|(k, v)| {
            total += k.len() + v.len();
            total <= MAX_KEPT_BYTES
        })
        .collect()
}

fn is_plain_form_post(req: &Request) -> bool {
    let header_has = |name: header::HeaderName, needle: &str| {
        req.headers().get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(needle))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// The page the form was on, from `Referer`, if it is one of ours.
fn return_path(req: &Request, public_origin: &str) -> String {
    let referer = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("/");
    let path = referer.strip_prefix(public_origin).unwrap_or_else(|| {
        // Same page reached under another host name (e.g. localhost vs 127.0.0.1): keep the path.
        referer.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("/")
    });
    safe_next_path(Some(path))
}

/// Server functions whose answer can hold a new account's password: their pages post to
/// themselves (nothing is kept), so a plain form posted to them is not run.
const ANSWERS_WITH_PASSWORDS: &[&str] = &["/api/onboard", "/api/bulk_apply"];

pub async fn plain_form_submissions(
    State(ctx): State<ServerContext>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let back = return_path(&req, &ctx.public_origin);
    let action = req.uri().path().to_owned();
    if ANSWERS_WITH_PASSWORDS.contains(&action.as_str()) {
        // Run, its answer would be kept in the session (the store) with a new account's password.
        return (StatusCode::BAD_REQUEST, app::error::sentences::use_the_page()).into_response();
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    parts.headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;

    let status = res.status();
    let Ok(answer) = to_bytes(res.into_body(), MAX_ANSWER_BYTES).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let outcome = if status.is_success() {
        Ok(serde_json::from_slice(&answer).unwrap_or(serde_json::Value::Null))
    } else {
        Err(decode_error(&answer))
    };
    if let Err(err @ (AppError::SessionExpired | AppError::NotSignedIn)) = &outcome {
        return Redirect::to(&login_url(&back, Some(err))).into_response();
    }
    let flash = Flash { action, fields: kept_fields(fields), outcome };
    let size = serde_json::to_string(&flash.outcome).map_or(usize::MAX, |s| s.len());
    if size > MAX_KEPT_BYTES {
        tracing::warn!(size, "a form's answer is too large to keep for its page");
    } else if let Err(e) = session.insert(FLASH_KEY, flash).await {
        tracing::error!(error = %e, "could not keep the form outcome");
    }
    Redirect::to(&back).into_response()
}

/// A form posted to a page itself (`/onboard`): the page is rendered for this request with the
/// fields in its extensions, and answers the post directly. Nothing is kept in the session, so a
/// password the page shows once is never stored.
pub async fn page_with_post(State(ctx): State<ServerContext>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) else {
        return (StatusCode::BAD_REQUEST, app::error::sentences::form_unreadable()).into_response();
    };
    render_with(&ctx, parts, fields).await
}

/// The bulk-onboarding page's post: a file (multipart) or pasted text, rendered as the page's
/// dry run. The file must be UTF-8; anything else is said with its line.
pub async fn bulk_post(State(ctx): State<ServerContext>, req: Request) -> Response {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (parts, body) = req.into_parts();
    let mut fields: Vec<(String, String)> = Vec::new();
    if is_multipart {
        let Ok(mut form) = axum::extract::Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await
        else {
            return (StatusCode::BAD_REQUEST, app::error::sentences::form_unreadable()).into_response();
        };
        let mut file: Option<Vec<u8>> = None;
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    let Ok(bytes) = field.bytes().await else {
                        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
                    };
                    if name == "file" {
                        file = Some(bytes.to_vec()).filter(|b| !b.is_empty());
                    } else {
                        fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                    }
                }
                Ok(None) => break,
                Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            }
        }
        if let Some(bytes) = file {
            fields.retain(|(k, _)| k != "csv");
            // Passed on as text; a file that is not UTF-8 is reported with its line instead.
            let text = match app::bulk::file::text(&bytes) {
                Ok(text) => text.to_owned(),
                Err(e) => {
                    fields.push(("csv_error".into(), e.message_in(app::language::from_headers(&parts.headers))));
                    String::new()
                }
            };
            fields.push(("csv".into(), text));
        }
    } else {
        let Ok(bytes) = to_bytes(body, MAX_UPLOAD_BYTES).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        fields = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    }
    render_with(&ctx, parts, fields).await
}

/// Renders the page at the request's path for `fields`, as if it were a GET with them. Browsers
/// send a field's line breaks as CRLF; the page reads them as they were written (LF).
async fn render_with(
    ctx: &ServerContext,
    parts: axum::http::request::Parts,
    fields: Vec<(String, String)>,
) -> Response {
    let mut page_req = Request::get(parts.uri.path()).body(Body::empty()).unwrap_or_default();
    *page_req.headers_mut() = parts.headers;
    page_req.headers_mut().remove(header::CONTENT_TYPE);
    page_req.headers_mut().remove(header::CONTENT_LENGTH);
    page_req.extensions_mut().extend(parts.extensions);
    let fields = fields.into_iter().map(|(k, v)| (k, v.replace("\r\n", "\n"))).collect();
    page_req.extensions_mut().insert(PostedForm(fields));
    (ctx.render_page)(page_req).await
}
