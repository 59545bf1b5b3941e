//! What every ks-apiserver answers without a token: `GET /version` and `GET /healthz`.

use std::sync::Arc;

use axum::extract::State as AxState;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::json;

use crate::http::errors;
use crate::store::state::State;

/// `GET /version`: KubeSphere's `version.Info`, with the Kubernetes version inside.
pub(crate) async fn version(AxState(state): AxState<Arc<State>>) -> Response {
    let git_version = state.db().ks_version.git_version();
    let body = json!({
        "gitVersion": git_version,
        "gitMajor": "4",
        "gitMinor": "1",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.22.0",
        "compiler": "gc",
        "platform": "linux/amd64",
        "kubernetes": {
            "major": "1",
            "minor": "28",
            "gitVersion": "v1.28.4",
            "platform": "linux/amd64",
        },
    });
    errors::json_response(StatusCode::OK, &body, false)
}

/// `GET /healthz`: the ping check, as plain text.
pub(crate) async fn healthz() -> Response {
    let mut response = (StatusCode::OK, "ok").into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}
