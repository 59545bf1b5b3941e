//! `GET|POST /oauth/authorize` (§12.5, `handler.go` `authorize`): KubeSphere as the OpenID
//! provider. The steps in order: the client (400 JSON), the redirect URI (400 JSON), then
//! errors as a 302 to the redirect URI with its query replaced (scope, response type, `deny`),
//! the caller (anonymous: `login_required` with `prompt=none`, else a 302 to the issuer URL),
//! `prompt=none` without `auto`, and the answer: a code (`response_type=code`) added to the
//! redirect URI's own query, or an RS256 id_token in its fragment (`id_token`, only with a
//! `nonce`; without one the answer is an empty 200, as the real handler writes nothing).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State as AxState};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, Method, StatusCode};

use crate::behaviour::authn::Caller;
use crate::behaviour::openid;
use crate::http::errors;
use crate::http::go_url::{self, Values};
use crate::store::clients::GrantMethod;
use crate::store::state::State;

const FORM: &str = "application/x-www-form-urlencoded";
const PATH: &str = "/oauth/authorize";

/// The request's parameters (from the query for GET, from the form body for POST).
struct Params(Values);

impl Params {
    fn get(&self, key: &str) -> &str {
        go_url::get(&self.0, key)
    }
}

/// `GET /oauth/authorize`.
pub(crate) async fn authorize_get(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = Params(go_url::parse_query(raw.as_deref().unwrap_or_default()));
    authorize(&state, &caller, &Method::GET, &params)
}

/// `POST /oauth/authorize`: the form body only (the route consumes forms: another body type is
/// 415).
pub(crate) async fn authorize_post(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !body.is_empty() && !is_form(&headers) {
        return errors::unsupported_media_type();
    }
    let params = Params(go_url::parse_query(std::str::from_utf8(&body).unwrap_or_default()));
    authorize(&state, &caller, &Method::POST, &params)
}

/// Whether the request's body is a form (go-restful checks the route's Consumes type only for
/// requests with a body).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(FORM))
}

fn authorize(state: &State, caller: &Caller, method: &Method, params: &Params) -> Response {
    let (client_id, state_param, prompt) = (params.get("client_id"), params.get("state"), params.get("prompt"));
    let Some(client) = state.client(client_id) else {
        return errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "The provided client_id is invalid or does not exist.",
        );
    };
    let Some(redirect_uri) = client.resolve_redirect_uri(params.get("redirect_uri")) else {
        return errors::oauth(StatusCode::BAD_REQUEST, "invalid_request", "Redirect URI is not allowed.");
    };
    // From here on, errors go back to the client: the redirect URI's query replaced.
    let inform = |error: &str, description: &str| {
        let mut values = Values::new();
        go_url::add(&mut values, "error", error);
        go_url::add(&mut values, "error_description", description);
        if !state_param.is_empty() {
            go_url::add(&mut values, "state", state_param);
        }
        go_url::redirect(method, PATH, &go_url::with_query(&redirect_uri, &go_url::encode(&values)))
    };
    let scope = params.get("scope");
    let response_type = params.get("response_type");
    if !client.is_valid_scope(scope) {
        return inform("invalid_scope", "The requested scope is invalid or not supported.");
    }
    let response_types: Vec<&str> =
        if response_type.is_empty() { Vec::new() } else { response_type.split(' ').collect() };
    if response_types.len() > 1 || response_types.iter().any(|rt| !["code", "id_token", "token"].contains(rt)) {
        return inform(
            "unsupported_response_type",
            &format!("The provided response_type {response_type} is not supported by the authorization server."),
        );
    }
    if client.grant_method == GrantMethod::Deny {
        return inform("invalid_grant", "The resource owner or authorization server denied the request.");
    }
    if !caller.authenticated {
        if prompt == "none" {
            return inform("login_required", "Not authenticated.");
        }
        // "TODO redirect to login page with refer": the portal's root.
        return go_url::redirect(method, PATH, &state.issuer_url());
    }
    if prompt == "none" && client.grant_method != GrantMethod::Auto {
        return inform("interaction_required", "Consent is required before proceeding with the request.");
    }
    let scopes: Vec<String> = if scope.is_empty() { Vec::new() } else { scope.split(' ').map(str::to_owned).collect() };
    let nonce = params.get("nonce");
    match response_type {
        "code" => {
            let code = openid::issue_code(state, caller, client_id, &scopes, nonce);
            let mut values = go_url::parse_query(go_url::split(&redirect_uri).query);
            go_url::add(&mut values, "code", &code);
            if !state_param.is_empty() {
                go_url::add(&mut values, "state", state_param);
            }
            go_url::redirect(method, PATH, &go_url::with_query(&redirect_uri, &go_url::encode(&values)))
        }
        "id_token" => {
            if nonce.is_empty() {
                return StatusCode::OK.into_response();
            }
            let who = openid::caller_claims(caller);
            let Some(id_token) = openid::issue_id_token(state, &who, &client.name, &scopes, nonce) else {
                return errors::oauth(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "An internal server error occurred while processing the request.",
                );
            };
            let mut values = Values::new();
            go_url::add(&mut values, "id_token", &id_token);
            if !state_param.is_empty() {
                go_url::add(&mut values, "state", state_param);
            }
            go_url::redirect(method, PATH, &go_url::with_fragment(&redirect_uri, &go_url::encode(&values)))
        }
        _ => inform(
            "unsupported_response_type",
            "The provided response_type is not supported by the authorization server.",
        ),
    }
}
