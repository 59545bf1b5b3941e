//! The OpenID provider's other endpoints (§12.6, §12.8): `GET /oauth/logout`,
//! `GET /oauth/userinfo`, `GET /.well-known/openid-configuration`, `GET /oauth/keys`, and
//! `GET /oauth/callback/{idp}` where an OAuth provider's sign-in lands.

use std::sync::Arc;

use axum::extract::{Extension, Path, RawQuery, State as AxState};
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::json;

use crate::behaviour::authn::Caller;
use crate::behaviour::identity::SignIn;
use crate::behaviour::login::{self, PairExtra};
use crate::behaviour::sso;
use crate::http::errors;
use crate::http::go_url;
use crate::http::handlers::oauth::{server_error, token_json};
use crate::store::clients::go_url_parses;
use crate::store::idp::PRE_REGISTRATION_USER;
use crate::store::signing;
use crate::store::state::State;
use crate::store::util::lock;

/// `GET /oauth/logout` (`handler.go` `logout`): reads the `Authorization` header itself.
/// Without one, or without the `Bearer` scheme: 200 success, never a redirect. With a bearer
/// (the authentication filter already refused invalid ones with 401): revokes that one token,
/// then 302 to `post_logout_redirect_uri` (not validated; `state` added to its query) or 200.
pub(crate) async fn logout(
    AxState(state): AxState<Arc<State>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    let parts: Vec<&str> = auth.split(' ').collect();
    let [scheme, token, ..] = parts.as_slice() else {
        return errors::success();
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return errors::success();
    }
    if lock(&state.tokens).revoke(token) {
        tracing::info!("token revoked by logout");
    }
    let query = go_url::parse_query(raw.as_deref().unwrap_or_default());
    let uri = go_url::get(&query, "post_logout_redirect_uri");
    if uri.is_empty() {
        return errors::success();
    }
    if !go_url_parses(uri) {
        return errors::handler_text(StatusCode::BAD_REQUEST, &format!("invalid logout redirect URI: parse \"{uri}\""));
    }
    let back_state = go_url::get(&query, "state");
    let location = if back_state.is_empty() {
        uri.to_owned()
    } else {
        let mut values = go_url::parse_query(go_url::split(uri).query);
        go_url::add(&mut values, "state", back_state);
        go_url::with_query(uri, &go_url::encode(&values))
    };
    // The handler sets `text/plain` first, so `http.Redirect` writes no HTML body.
    let mut response = go_url::redirect(&Method::POST, "/oauth/logout", &location);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// `GET /oauth/userinfo` (§12.6): the caller's OIDC claims. Anonymous callers get 401 with the
/// JSON string `"login_required"`; the pre-registration user, who has no User object, 500.
pub(crate) async fn userinfo(AxState(state): AxState<Arc<State>>, Extension(caller): Extension<Caller>) -> Response {
    if !caller.authenticated {
        return errors::json_response(StatusCode::UNAUTHORIZED, &json!("login_required"), false);
    }
    if caller.is_pre_registration() {
        return server_error();
    }
    let db = state.db_for_read();
    let Some(user) = db.users.get(&caller.name) else {
        return server_error();
    };
    let mut claims = serde_json::Map::new();
    for (key, value) in [
        ("sub", &user.name),
        ("url", &user.name),
        ("email", &user.email),
        ("locale", &user.lang),
        ("preferred_username", &user.name),
    ] {
        if !value.is_empty() {
            claims.insert(key.to_owned(), json!(value));
        }
    }
    errors::json_response(StatusCode::OK, &serde_json::Value::Object(claims), false)
}

/// `GET /.well-known/openid-configuration` (`discovery`): no `end_session_endpoint`.
pub(crate) async fn discovery(AxState(state): AxState<Arc<State>>) -> Response {
    let issuer = state.issuer_url();
    let body = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "userinfo_endpoint": format!("{issuer}/oauth/userinfo"),
        "jwks_uri": format!("{issuer}/oauth/keys"),
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "email", "locale", "preferred_username"],
    });
    errors::json_response(StatusCode::OK, &body, false)
}

/// `GET /oauth/keys`: the JWKS of the id_token signing key.
pub(crate) async fn keys() -> Response {
    errors::json_response(StatusCode::OK, &signing::jwks(), false)
}

/// `GET /oauth/callback/{idp}?code=…` (`oauthCallback`): the provider's code exchanged for
/// the identity, then KubeSphere tokens for the linked or mapped user (a pre-registration pair
/// for `manual`), or 401 text `Unauthorized: …`. `state` is not checked.
pub(crate) async fn callback(
    AxState(state): AxState<Arc<State>>,
    Path(idp): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = go_url::parse_query(raw.as_deref().unwrap_or_default());
    let source_ip = headers.get("x-client-ip").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (username, extra) = match sso::callback_login(&state, &idp, go_url::get(&query, "code"), source_ip) {
        Ok(SignIn::User(name)) => (name, None),
        Ok(SignIn::PreRegistration(extra)) => (PRE_REGISTRATION_USER.to_owned(), Some(extra)),
        Err(error) => {
            tracing::info!(idp, reason = %error.message(), "OAuth sign-in failed");
            return errors::handler_text(StatusCode::UNAUTHORIZED, &format!("Unauthorized: {}", error.message()));
        }
    };
    let (access, refresh) = login::issue_pair(&state, &username, PairExtra::Fixed(extra));
    tracing::info!(user = %username, idp, "issued tokens after an OAuth sign-in");
    token_json(&state, &access, &refresh, None)
}
