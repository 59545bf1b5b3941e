//! `POST /oauth/token` (§2, §12.2, §12.4, §12.6; `handler.go` `token`): the client, then the
//! password (trusted clients only), refresh_token and authorization_code grants, form-encoded
//! only. Every answer says `Cache-Control: no-store`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

use crate::behaviour::authn;
use crate::behaviour::directory::{self, Registration};
use crate::behaviour::identity::{SignIn, SignInError};
use crate::behaviour::login::{self, LoginError, PairExtra};
use crate::behaviour::openid::{self, CodeError};
use crate::http::errors;
use crate::http::handlers::authorize::is_form;
use crate::store::clients::OAuthClient;
use crate::store::idp::PRE_REGISTRATION_USER;
use crate::store::state::State;
use crate::store::tokens::TokenKind;
use crate::store::users::UserState;

fn invalid_grant(error: LoginError) -> Response {
    let status = match error {
        LoginError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        LoginError::Incorrect | LoginError::Suspended => StatusCode::BAD_REQUEST,
    };
    errors::oauth(status, "invalid_grant", error.description())
}

pub(crate) fn server_error() -> Response {
    errors::oauth(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "An internal server error occurred while processing the request.",
    )
}

fn invalid_refresh() -> Response {
    errors::oauth(StatusCode::BAD_REQUEST, "invalid_grant", "The refresh token is invalid or expired.")
}

fn unsupported_grant() -> Response {
    errors::oauth(StatusCode::BAD_REQUEST, "unsupported_grant_type", "The provided grant_type is not supported.")
}

/// The `oauth.Token` JSON. `expires_in` is `omitempty`: a max age of 0 (tokens that never
/// expire, the default on member clusters) leaves it out.
pub(crate) fn token_json(state: &State, access: &str, refresh: &str, id_token: Option<&str>) -> Response {
    let mut body = json!({"access_token": access, "token_type": "Bearer", "refresh_token": refresh});
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    if !state.settings.access_token_ttl.is_zero() {
        body["expires_in"] = json!(state.settings.access_token_ttl.as_secs());
    }
    errors::json_response(StatusCode::OK, &body, false)
}

/// `POST /oauth/token`.
pub(crate) async fn token(AxState(state): AxState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut response = token_response(&state, &headers, &body);
    // Set before anything is written in `token`, so errors carry them too.
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response_headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn token_response(state: &State, headers: &HeaderMap, body: &[u8]) -> Response {
    if !body.is_empty() && !is_form(headers) {
        return errors::unsupported_media_type();
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    let Some(client) = state.client(field("client_id")) else {
        return errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "The provided client_id is invalid or does not exist.",
        );
    };
    if field("client_secret") != client.secret {
        return errors::oauth(StatusCode::UNAUTHORIZED, "unauthorized_client", "Invalid client credential.");
    }
    let source_ip = headers.get("x-client-ip").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (username, extra) = match field("grant_type") {
        "password" if !client.trusted => {
            tracing::info!(client = %client.name, "password grant refused: the client is not trusted");
            return unsupported_grant();
        }
        "password" if field("provider").is_empty() => {
            match login::password_login(state, field("username"), field("password"), source_ip) {
                Ok(name) => (name, PairExtra::FromUser),
                Err(error) => return invalid_grant(error),
            }
        }
        "password" => {
            let provider = field("provider");
            match directory::password_login(state, provider, field("username"), field("password"), source_ip) {
                // No `uninitialized`: the identity provider path returns only the name.
                Ok(SignIn::User(name)) => (name, PairExtra::Fixed(None)),
                Ok(SignIn::PreRegistration(extra)) => (PRE_REGISTRATION_USER.to_owned(), PairExtra::Fixed(Some(extra))),
                Err(SignInError::Incorrect) => return invalid_grant(LoginError::Incorrect),
                Err(SignInError::Suspended) => return invalid_grant(LoginError::Suspended),
                Err(SignInError::Unavailable(why)) => {
                    tracing::info!(provider, reason = %why, "directory sign-in failed");
                    return server_error();
                }
            }
        }
        "refresh_token" => match refresh_grant(state, field("refresh_token")) {
            Ok(found) => found,
            Err(response) => return response,
        },
        "code" | "authorization_code" => return code_grant(state, &client, field("code"), field("redirect_uri")),
        _ => return unsupported_grant(),
    };
    let (access, refresh) = login::issue_pair(state, &username, extra);
    tracing::info!(user = %username, grant = field("grant_type"), "issued tokens");
    token_json(state, &access, &refresh, None)
}

/// `refreshTokenGrant`, with "update token after registration" (§12.4).
fn refresh_grant(state: &State, refresh_token: &str) -> Result<(String, PairExtra), Response> {
    let (record, claims) = match authn::verify_token(state, refresh_token) {
        Ok((record, claims)) if record.kind == TokenKind::Refresh => (record, claims),
        _ => return Err(invalid_refresh()),
    };
    if record.username == PRE_REGISTRATION_USER {
        return match directory::registered_user(state, claims.extra.as_ref()) {
            Registration::User(name) => Ok((name, PairExtra::Fixed(None))),
            Registration::NoIdentity => Ok((record.username, PairExtra::Fixed(claims.extra))),
            Registration::Missing => {
                Err(errors::oauth(StatusCode::BAD_REQUEST, "invalid_grant", "Authenticated user does not exist."))
            }
        };
    }
    let db = state.db();
    match db.users.get(&record.username).map(|u| u.state) {
        None => return Err(invalid_refresh()),
        Some(Some(UserState::Disabled) | None) => return Err(invalid_grant(LoginError::Suspended)),
        Some(_) => {}
    }
    Ok((record.username, PairExtra::FromUser))
}

/// `codeGrant` (§12.6): the code, the redirect URI (registered for *this* client; empty passes
/// as its first one), then the code itself, single use.
fn code_grant(state: &State, client: &OAuthClient, code: &str, redirect_uri: &str) -> Response {
    if code.is_empty() {
        return errors::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The authorization code is empty or missing.",
        );
    }
    if client.resolve_redirect_uri(redirect_uri).is_none() {
        return errors::oauth(StatusCode::BAD_REQUEST, "invalid_request", "Redirect URI is not allowed.");
    }
    match openid::exchange_code(state, code, &client.name) {
        Ok(tokens) => token_json(state, &tokens.access, &tokens.refresh, tokens.id_token.as_deref()),
        Err(CodeError::Invalid) => {
            errors::oauth(StatusCode::BAD_REQUEST, "invalid_grant", "The authorization code is invalid or expired.")
        }
        Err(CodeError::ServerError) => server_error(),
    }
}
