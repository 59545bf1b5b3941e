//! KubeSphere as the OpenID provider (§12.5, §12.6; `pkg/kapis/oauth/handler.go`): the
//! authorization code a signed-in caller gets, its exchange for tokens, and id_tokens. What
//! the requests and redirects look like is the `http` layer's.
//!
//! Cautions the real server has and the simulator keeps: the code is an ordinary cached token,
//! so until it is exchanged (or 10 minutes pass) it also works as an API bearer; the exchange
//! binds it neither to the exchanging client (`aud` is not compared) nor to the authorize
//! request's `redirect_uri`, and verifies no PKCE `code_verifier`.

use std::time::Duration;

use super::authn::{verify_token, Caller};
use super::login::{issue_pair, PairExtra};
use crate::store::state::State;
use crate::store::tokens::{Claims, TokenKind};
use crate::store::util::lock;

/// "A maximum authorization code lifetime of 10 minutes".
pub(crate) const CODE_TTL: Duration = Duration::from_secs(600);

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// `handleAuthorizationCodeRequest`: a code for the caller, cached like a token (the caller's
/// `extra` goes with it: the pre-registration identity, if that is who asks).
pub(crate) fn issue_code(state: &State, caller: &Caller, client_id: &str, scopes: &[String], nonce: &str) -> String {
    let claims = Claims {
        aud: Some(vec![client_id.to_owned()]),
        extra: (!caller.extra.is_empty()).then(|| caller.extra.clone()),
        scopes: (!scopes.is_empty()).then(|| scopes.to_vec()),
        nonce: non_empty(nonce),
        ..Claims::for_user(&caller.name)
    };
    let issued = state.issuer.issue_claims(TokenKind::Code, CODE_TTL, claims);
    tracing::info!(user = %caller.name, client = client_id, "issued an authorization code");
    lock(&state.tokens).insert(issued)
}

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeError {
    /// Unknown, expired, revoked, already used, or not a code: 400 `invalid_grant`.
    Invalid,
    /// The id_token could not be made (no such user, e.g. the pre-registration user): 500.
    /// The access and refresh tokens were issued nonetheless, as in `codeGrant`.
    ServerError,
}

/// What an exchange gives.
#[derive(Debug)]
pub(crate) struct CodeTokens {
    pub access: String,
    pub refresh: String,
    /// Only for a code of a request with scope `openid`.
    pub id_token: Option<String>,
}

/// `codeGrant` after its request checks: verifies the code, issues an ordinary pair for its
/// user (no `extra` unless the code carried the pre-registration identity; `multipleLogin:
/// false` revokes the user's other tokens), an id_token with scope `openid` for `client_name`,
/// and revokes the code whatever happens once it verified.
pub(crate) fn exchange_code(state: &State, code: &str, client_name: &str) -> Result<CodeTokens, CodeError> {
    let claims = match verify_token(state, code) {
        Ok((record, claims)) if record.kind == TokenKind::Code => claims,
        _ => return Err(CodeError::Invalid),
    };
    let (access, refresh) = issue_pair(state, &claims.username, PairExtra::Fixed(claims.extra.clone()));
    let scopes = claims.scopes.clone().unwrap_or_default();
    let id_token = if scopes.iter().any(|s| s == "openid") {
        let nonce = claims.nonce.as_deref().unwrap_or_default();
        match issue_id_token(state, &claims, client_name, &scopes, nonce) {
            Some(token) => Some(token),
            None => {
                lock(&state.tokens).revoke(code);
                return Err(CodeError::ServerError);
            }
        }
    } else {
        None
    };
    // "The client MUST NOT use the authorization code more than once."
    lock(&state.tokens).revoke(code);
    tracing::info!(user = %claims.username, client = client_name, "exchanged an authorization code");
    Ok(CodeTokens { access, refresh, id_token })
}

/// `buildIDTokenIssueRequest` + `IssueTo`: an RS256 id_token for `who`'s user (`None` when no
/// such user exists), living max age + inactivity timeout, cached like every token.
pub(crate) fn issue_id_token(
    state: &State,
    who: &Claims,
    client_name: &str,
    scopes: &[String],
    nonce: &str,
) -> Option<String> {
    let username = who.username.as_str();
    let (email, lang) = {
        let db = state.db_for_read();
        let user = db.users.get(username)?;
        (user.email.clone(), user.lang.clone())
    };
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let profile = has("profile");
    let claims = Claims {
        iss: state.issuer_url(),
        aud: Some(vec![client_name.to_owned()]),
        extra: who.extra.clone(),
        url: Some(username.to_owned()),
        nonce: non_empty(nonce),
        email: if has("email") { non_empty(&email) } else { None },
        preferred_username: profile.then(|| username.to_owned()),
        locale: if profile { non_empty(&lang) } else { None },
        ..Claims::for_user(username)
    };
    let ttl = state.settings.access_token_ttl + state.settings.refresh_token_extra_ttl;
    let issued = state.issuer.issue_claims(TokenKind::IdToken, ttl, claims);
    Some(lock(&state.tokens).insert(issued))
}

/// The claims an implicit (`response_type=id_token`) request's id_token is about: the caller.
pub(crate) fn caller_claims(caller: &Caller) -> Claims {
    Claims { extra: (!caller.extra.is_empty()).then(|| caller.extra.clone()), ..Claims::for_user(&caller.name) }
}
