//! The five error body formats of ks-apiserver (contract §1.6), as response builders.
//!
//! Which format a failure uses depends on where ks-apiserver produces it, so handlers pick the
//! helper that matches the layer they imitate, never a generic one.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::{json, Value};

const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// A. Handler error: `text/plain`, the Go error string plus `\n`, with `<`, `>`, `&` escaped
/// and `X-Content-Type-Options: nosniff` (what `http.Error` writes).
pub fn handler_text(status: StatusCode, message: &str) -> Response {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut res = (status, format!("{escaped}\n")).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// `<plural>.<group> "<name>" not found` as a 404 handler error.
pub fn not_found(qualified_resource: &str, name: &str) -> Response {
    handler_text(StatusCode::NOT_FOUND, &format!("{qualified_resource} \"{name}\" not found"))
}

/// B. Kubernetes `Status` JSON, as written by the authentication and authorization filters.
pub fn status_json(code: StatusCode, reason: &str, message: &str, details: Option<Value>) -> Response {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    });
    if let (Some(details), Some(obj)) = (details, body.as_object_mut()) {
        obj.insert("details".into(), details);
    }
    if let Some(obj) = body.as_object_mut() {
        obj.insert("code".into(), json!(code.as_u16()));
    }
    json_response(code, &body, false)
}

/// B. 401 from the authentication filter.
pub fn unauthorized(message: &str) -> Response {
    status_json(StatusCode::UNAUTHORIZED, "Unauthorized", message, None)
}

/// What a 403 from the authorization filter is about.
#[derive(Debug, Clone)]
pub enum Denied<'a> {
    /// A resource request (`/kapis/{group}/{version}/...`).
    Resource {
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
        subresource: Option<&'a str>,
        name: Option<&'a str>,
        namespace: Option<&'a str>,
    },
    /// Any other path.
    NonResource { verb: &'a str, path: &'a str },
}

/// B. 403 from the authorization filter, worded like Kubernetes' `forbiddenMessage` +
/// `NewForbidden`.
pub fn forbidden(user: &str, denied: &Denied<'_>) -> Response {
    match denied {
        Denied::NonResource { verb, path } => status_json(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!("forbidden: User \"{user}\" cannot {verb} path \"{path}\""),
            Some(json!({})),
        ),
        Denied::Resource { verb, group, resource, subresource, name, namespace } => {
            let full = match subresource {
                Some(sub) => format!("{resource}/{sub}"),
                None => (*resource).to_owned(),
            };
            let scope = match namespace {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".to_owned(),
            };
            let reason = format!("User \"{user}\" cannot {verb} resource \"{full}\" in API group \"{group}\" {scope}");
            let qualified = if group.is_empty() { (*resource).to_owned() } else { format!("{resource}.{group}") };
            let (message, details) = match name {
                Some(name) => (
                    format!("{qualified} \"{name}\" is forbidden: {reason}"),
                    json!({"name": name, "group": group, "kind": resource}),
                ),
                None => (format!("{qualified} is forbidden: {reason}"), json!({"group": group, "kind": resource})),
            };
            status_json(StatusCode::FORBIDDEN, "Forbidden", &message, Some(details))
        }
    }
}

/// C. Cluster dispatch error: a pretty-printed, mis-wrapped Status (`{"ErrStatus":{...}}`).
pub fn err_status(code: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({"ErrStatus": {
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code.as_u16(),
    }});
    json_response(code, &body, true)
}

/// D. OAuth error (RFC 6749 JSON).
pub fn oauth(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(status, &json!({"error": error, "error_description": description}), false)
}

/// E. Router errors: plain text without a trailing newline (go-restful's `WriteErrorString`).
pub fn router_text(status: StatusCode, message: &'static str) -> Response {
    let mut res = (status, message).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN));
    res
}

/// E. No route for the path.
pub fn page_not_found() -> Response {
    router_text(StatusCode::NOT_FOUND, "404: Page Not Found")
}

/// E. The path exists, the method does not.
pub fn method_not_allowed() -> Response {
    router_text(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed")
}

/// E. The route declares a `Consumes` type the request does not have.
pub fn unsupported_media_type() -> Response {
    router_text(StatusCode::UNSUPPORTED_MEDIA_TYPE, "415: Unsupported Media Type")
}

/// A JSON body with `Content-Type: application/json`.
pub fn json_response(status: StatusCode, body: &Value, pretty: bool) -> Response {
    let text = if pretty { serde_json::to_string_pretty(body) } else { serde_json::to_string(body) };
    match text {
        Ok(text) => {
            let mut res = (status, text).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            res
        }
        Err(_) => handler_text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

/// 200 `{"message":"success"}`, what mutations without a result write.
pub fn success() -> Response {
    json_response(StatusCode::OK, &json!({"message": "success"}), false)
}
