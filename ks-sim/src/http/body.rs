//! Request bodies of the kapis JSON routes (§1.6 E): they declare no `Consumes` type, so a
//! wrong `Content-Type` only shows when the handler reads the body.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http::errors;

/// Content types go-restful decodes as JSON.
const JSON_TYPES: &[&str] = &["application/json", "application/merge-patch+json", "application/json-patch+json"];

/// A JSON request body (`T` = the Go type it is read into), as an extractor: every handler
/// reads its body before anything else, so a body it cannot decode is answered here, as
/// ks-apiserver answers it, before the handler runs.
pub(crate) struct JsonBody<T = Value>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        let value = json(&headers, &bytes)?;
        serde_json::from_value(value)
            .map(JsonBody)
            .map_err(|e| errors::handler_text(StatusCode::BAD_REQUEST, &e.to_string()))
    }
}

/// A PUT's refusal when the body names another object than the URL does.
pub(crate) fn name_mismatch(body_name: &str, url_name: &str) -> Option<Response> {
    (body_name != url_name).then(|| {
        errors::handler_text(
            StatusCode::BAD_REQUEST,
            &format!("the name of the object ({body_name}) does not match the name on the URL ({url_name})"),
        )
    })
}

/// Decodes a JSON body, answering like ks-apiserver when it can't.
fn json(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, Response> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !JSON_TYPES.contains(&mime.as_str()) {
        return Err(errors::handler_text(
            StatusCode::BAD_REQUEST,
            &format!("Unable to unmarshal content of type:{content_type}"),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(errors::handler_text(StatusCode::BAD_REQUEST, "EOF"));
    }
    serde_json::from_slice(bytes).map_err(|e| errors::handler_text(StatusCode::BAD_REQUEST, &e.to_string()))
}

/// A `map[string]string` field (labels, annotations); non-string values are skipped.
pub(crate) fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned()))).collect())
        .unwrap_or_default()
}

/// A string field, empty when absent.
pub(crate) fn str_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter().try_fold(value, |v, key| v.get(*key)).and_then(Value::as_str).unwrap_or_default()
}
