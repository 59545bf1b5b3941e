//! Request authentication (§1.2): the credentials a request carries and the caller they
//! stand for.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderMap;

use super::login::password_login;
use crate::store::idp::PRE_REGISTRATION_USER;
use crate::store::state::State;
use crate::store::tokens::{Claims, Extra, TokenError, TokenRecord};
use crate::store::users::UserState;
use crate::store::util::lock;

/// The user name of callers without credentials.
pub(crate) const ANONYMOUS: &str = "system:anonymous";

/// Who is making a request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// User name, or [`ANONYMOUS`].
    pub name: String,
    pub authenticated: bool,
    /// The token's `extra` claim, kept only for the pre-registration user (its identity).
    pub extra: Extra,
}

impl Caller {
    pub fn anonymous() -> Self {
        Caller { name: ANONYMOUS.to_owned(), authenticated: false, extra: Extra::new() }
    }

    fn user(name: String) -> Self {
        Caller { name, authenticated: true, extra: Extra::new() }
    }

    /// `system:pre-registration` (§12.3): authenticated, but in no group, so not even the
    /// `authenticated` role applies.
    pub fn is_pre_registration(&self) -> bool {
        self.authenticated && self.name == PRE_REGISTRATION_USER
    }
}

/// Credentials found in the request headers.
pub(crate) enum Credentials {
    None,
    Bearer(String),
    Basic { username: String, password: String },
}

/// Reads `Authorization` (or `X-KubeSphere-Authorization` when it is absent). Unknown schemes
/// count as no credentials, as in Kubernetes' authenticator union.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .or_else(|| headers.get("x-kubesphere-authorization"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Credentials::None;
    };
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        return Credentials::Bearer(rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(rest).ok().and_then(|b| String::from_utf8(b).ok());
        if let Some((username, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Credentials::Basic { username: username.to_owned(), password: password.to_owned() };
        }
    }
    Credentials::None
}

/// Whether the header carries something that looks like credentials (for the journal).
pub(crate) fn authorization_present(headers: &HeaderMap) -> bool {
    headers.contains_key(http::header::AUTHORIZATION) || headers.contains_key("x-kubesphere-authorization")
}

/// The user a bearer token was issued to, if its signature is ours (even when revoked/expired).
pub(crate) fn bearer_owner(state: &State, headers: &HeaderMap) -> Option<String> {
    match credentials(headers) {
        Credentials::Bearer(token) => state.issuer.decode(&token).ok().map(|c| c.username),
        _ => None,
    }
}

/// The authentication filter: anonymous without credentials, `Err(401 message)` for bad ones.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, String> {
    match credentials(headers) {
        Credentials::None => Ok(Caller::anonymous()),
        Credentials::Bearer(token) => {
            let (record, claims) = verify_token(state, &token).map_err(|e| e.to_string())?;
            let username = record.username;
            if username == PRE_REGISTRATION_USER {
                // No User object behind it: the authenticator returns the token's user as is.
                let extra = claims.extra.unwrap_or_default();
                return Ok(Caller { extra, ..Caller::user(username) });
            }
            let db = state.db();
            match db.users.get(&username) {
                None => Err(format!("users.iam.kubesphere.io \"{username}\" not found")),
                Some(u) if u.state == Some(UserState::Disabled) => Err("account is not active".to_owned()),
                Some(_) => Ok(Caller::user(username)),
            }
        }
        Credentials::Basic { username, password } => {
            let source_ip = headers.get("x-client-ip").and_then(|v| v.to_str().ok()).unwrap_or_default();
            match password_login(state, &username, &password, source_ip) {
                Ok(name) => Ok(Caller::user(name)),
                Err(e) => Err(e.description().to_owned()),
            }
        }
    }
}

/// Signature, expiry and cache presence of a token; its cached record and its claims.
pub(crate) fn verify_token(state: &State, token: &str) -> Result<(TokenRecord, Claims), TokenError> {
    let claims = state.issuer.decode(token)?;
    let record = lock(&state.tokens).check(token, &claims)?;
    Ok((record, claims))
}
