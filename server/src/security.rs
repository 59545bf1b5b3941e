//! Browser-facing protections: the same-origin guard (Leptos server functions do no CSRF checks
//! of their own), security headers, a per-response CSP nonce, and request ids.

use app::error::AppError;
use app::CspNonce;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::{is_loopback_name, origin_authority, split_host};
use crate::errors::error_response;
use crate::request_id::request_id_of;
use crate::ServerContext;

/// Refuses cross-site requests to `/api` and every non-GET request: `Sec-Fetch-Site` must say
/// `same-origin`, or, for clients that do not send it, `Origin` must be our public origin.
/// Neither header ⇒ refused too: browsers always send one of them on such requests.
pub async fn same_origin_guard(State(ctx): State<ServerContext>, req: Request, next: Next) -> Response {
    let needs_check = req.uri().path().starts_with("/api/") || !matches!(*req.method(), Method::GET | Method::HEAD);
    if needs_check && !is_same_origin(&req, &ctx.public_origin) {
        let request_id = request_id_of(&req);
        tracing::warn!(path = req.uri().path(), method = %req.method(), "refused a cross-site request");
        let err = AppError::CrossSite;
        return error_response(&err, request_id);
    }
    next.run(req).await
}

fn is_same_origin(req: &Request, public_origin: &str) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    headers.get(header::ORIGIN).is_some_and(|o| o.as_bytes() == public_origin.as_bytes())
}

/// Refuses requests whose `Host` is not the public origin's (DNS rebinding: a site whose name
/// resolves to the console's address would otherwise be same-origin with it). When the public
/// origin is on loopback, any loopback name with the same port is the same console
/// (`localhost:3000` and `127.0.0.1:3000`). Health checks are outside this guard: probes reach
/// pods by address.
pub async fn host_guard(State(ctx): State<ServerContext>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !host_allowed(host, &ctx.public_origin) {
        tracing::warn!(host, "refused a request for another host name");
        let err = AppError::Invalid(app::error::sentences::foreign_host());
        let mut res = error_response(&err, request_id_of(&req));
        *res.status_mut() = axum::http::StatusCode::MISDIRECTED_REQUEST;
        return res;
    }
    next.run(req).await
}

fn host_allowed(host: &str, public_origin: &str) -> bool {
    let (expected_name, expected_port) = split_host(origin_authority(public_origin));
    let (name, port) = split_host(host);
    port == expected_port
        && (name.eq_ignore_ascii_case(expected_name) || (is_loopback_name(expected_name) && is_loopback_name(name)))
}

/// Standard security headers on every response; a CSP with a fresh nonce on HTML, which the
/// app puts on its hydration scripts (it reads the same nonce from the request extensions).
pub async fn security_headers(State(ctx): State<ServerContext>, mut req: Request, next: Next) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let is_api = req.uri().path().starts_with("/api/");
    let is_static = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let status = res.status();
    let is_html = res.headers().get(header::CONTENT_TYPE).is_some_and(|ct| ct.as_bytes().starts_with(b"text/html"));
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    // No powerful features for anyone (copying a generated password needs none of them), no
    // shared browsing context with other sites' windows, no embedding of our responses.
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    );
    headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    headers.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    if ctx.config.uses_tls() {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    if is_html {
        let csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'self'"
        );
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    // Nothing but the static site files may be kept by a browser or proxy: pages, answers of
    // server functions, sign-in and sign-out alike carry personal data or set the session.
    if (!is_static && !headers.contains_key(header::CACHE_CONTROL)) || is_html || is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if is_static && status.is_success() {
        // Named by their content in a release build: a new build has new names, so a phone
        // keeps these for a year and never asks again. Unhashed (development): check each time.
        let policy = if ctx.hashed_assets { "public, max-age=31536000, immutable" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().method("POST").uri("/api/x");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn only_the_public_origins_host_is_served() {
        assert!(host_allowed("console.example.com", "https://console.example.com"));
        assert!(host_allowed("Console.Example.com", "https://console.example.com"));
        assert!(!host_allowed("evil.example", "https://console.example.com"), "DNS rebinding");
        assert!(!host_allowed("console.example.com:8443", "https://console.example.com"));
        assert!(host_allowed("127.0.0.1:3000", "http://127.0.0.1:3000"));
        assert!(host_allowed("localhost:3000", "http://127.0.0.1:3000"), "a loopback alias of a loopback origin");
        assert!(host_allowed("[::1]:3000", "http://127.0.0.1:3000"));
        assert!(!host_allowed("localhost:3001", "http://127.0.0.1:3000"));
        assert!(!host_allowed("rebind.evil:3000", "http://127.0.0.1:3000"));
        assert!(!host_allowed("", "http://127.0.0.1:3000"));
    }

    #[test]
    fn same_origin_guard_accepts_only_our_origin() {
        let me = "https://console.example";
        assert!(is_same_origin(&req(&[("sec-fetch-site", "same-origin")]), me));
        assert!(!is_same_origin(&req(&[("sec-fetch-site", "cross-site"), ("origin", me)]), me));
        assert!(!is_same_origin(&req(&[("sec-fetch-site", "same-site")]), me));
        assert!(is_same_origin(&req(&[("origin", me)]), me));
        assert!(!is_same_origin(&req(&[("origin", "https://evil.example")]), me));
        assert!(!is_same_origin(&req(&[("origin", "null")]), me));
        assert!(!is_same_origin(&req(&[]), me), "neither header is refused");
    }
}
