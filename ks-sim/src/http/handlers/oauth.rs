//! `/oauth/token`, `/oauth/logout` and `/oauth/userinfo` (§2, §12.2, §12.4, §12.6).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State as AxState};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

use crate::behaviour::authn::{self, Caller};
use crate::behaviour::directory::{self, DirectoryError, DirectoryLogin, Registration};
use crate::behaviour::login::{self, LoginError, PairExtra};
use crate::http::errors;
use crate::store::idp::PRE_REGISTRATION_USER;
use crate::store::state::State;
use crate::store::tokens::TokenKind;
use crate::store::users::UserState;
use crate::store::util::lock;

const FORM: &str = "application/x-www-form-urlencoded";

fn invalid_grant(error: LoginError) -> Response {
    let status = match error {
        LoginError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        LoginError::Incorrect | LoginError::Suspended => StatusCode::BAD_REQUEST,
    };
    errors::oauth(status, "invalid_grant", error.description())
}

fn server_error() -> Response {
    errors::oauth(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "An internal server error occurred while processing the request.",
    )
}

fn invalid_refresh() -> Response {
    errors::oauth(StatusCode::BAD_REQUEST, "invalid_grant", "The refresh token is invalid or expired.")
}

/// `POST /oauth/token`: password (local, or through an identity provider with `provider`) and
/// refresh_token grants, form-encoded only.
pub(crate) async fn token(AxState(state): AxState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    // go-restful checks the route's Consumes type only for requests that have a body.
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !body.is_empty() && mime != FORM {
        return errors::unsupported_media_type();
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();

    let settings = &state.settings;
    if field("client_id") != settings.client_id {
        return errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "The provided client_id is invalid or does not exist.",
        );
    }
    if field("client_secret") != settings.client_secret {
        return errors::oauth(StatusCode::UNAUTHORIZED, "unauthorized_client", "Invalid client credential.");
    }
    let source_ip = headers.get("x-client-ip").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (username, extra) = match field("grant_type") {
        "password" if field("provider").is_empty() => {
            match login::password_login(&state, field("username"), field("password"), source_ip) {
                Ok(name) => (name, PairExtra::FromUser),
                Err(error) => return invalid_grant(error),
            }
        }
        "password" => {
            let provider = field("provider");
            match directory::password_login(&state, provider, field("username"), field("password"), source_ip) {
                // No `uninitialized`: the identity provider path returns only the name.
                Ok(DirectoryLogin::User(name)) => (name, PairExtra::Fixed(None)),
                Ok(DirectoryLogin::PreRegistration(extra)) => {
                    (PRE_REGISTRATION_USER.to_owned(), PairExtra::Fixed(Some(extra)))
                }
                Err(DirectoryError::Incorrect) => return invalid_grant(LoginError::Incorrect),
                Err(DirectoryError::Suspended) => return invalid_grant(LoginError::Suspended),
                Err(DirectoryError::Unavailable(why)) => {
                    tracing::info!(provider, reason = %why, "directory sign-in failed");
                    return server_error();
                }
            }
        }
        "refresh_token" => {
            let (record, claims) = match authn::verify_token(&state, field("refresh_token")) {
                Ok((record, claims)) if record.kind == TokenKind::Refresh => (record, claims),
                _ => return invalid_refresh(),
            };
            if record.username == PRE_REGISTRATION_USER {
                // "update token after registration" (§12.4).
                match directory::registered_user(&state, claims.extra.as_ref()) {
                    Registration::User(name) => (name, PairExtra::Fixed(None)),
                    Registration::NoIdentity => (record.username, PairExtra::Fixed(claims.extra)),
                    Registration::Missing => {
                        return errors::oauth(
                            StatusCode::BAD_REQUEST,
                            "invalid_grant",
                            "Authenticated user does not exist.",
                        )
                    }
                }
            } else {
                let db = state.db();
                match db.users.get(&record.username).map(|u| u.state) {
                    None => return invalid_refresh(),
                    Some(Some(UserState::Disabled) | None) => return invalid_grant(LoginError::Suspended),
                    Some(_) => {}
                }
                (record.username, PairExtra::FromUser)
            }
        }
        _ => {
            return errors::oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The provided grant_type is not supported.",
            )
        }
    };
    let (access, refresh) = login::issue_pair(&state, &username, extra);
    tracing::info!(user = %username, grant = field("grant_type"), "issued tokens");
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "refresh_token": refresh,
    });
    // `expires_in` is `omitempty` in KubeSphere: a max age of 0 (tokens that never expire, the
    // default on member clusters) leaves it out.
    if !settings.access_token_ttl.is_zero() {
        body["expires_in"] = json!(settings.access_token_ttl.as_secs());
    }
    let mut response = errors::json_response(StatusCode::OK, &body, false);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /oauth/logout`: revokes the bearer token that authenticated the request (the
/// authentication filter already refused invalid ones with 401).
pub(crate) async fn logout(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(token) = &caller.bearer {
        lock(&state.tokens).revoke(token);
        tracing::info!(user = %caller.name, "token revoked by logout");
    }
    let pairs: Vec<(String, String)> =
        raw.as_deref().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Some(uri) = param("post_logout_redirect_uri").filter(|u| !u.is_empty()) {
        let location = match param("state") {
            Some(s) => {
                let sep = if uri.contains('?') { '&' } else { '?' };
                let encoded = serde_urlencoded::to_string([("state", s)]).unwrap_or_default();
                format!("{uri}{sep}{encoded}")
            }
            None => uri,
        };
        if let Ok(value) = HeaderValue::from_str(&location) {
            return (StatusCode::FOUND, [(header::LOCATION, value)]).into_response();
        }
    }
    errors::success()
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
