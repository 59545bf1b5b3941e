//! Signing a browser's session in, the same way whichever way the person came (their password,
//! single sign-on, or a first sign-in that registers them): a fresh session id, the tokens in
//! the vault, the record in the session; tokens that are not kept are revoked upstream.

use app::error::AppError;
use ks_client::{AccessToken, CallContext, TokenSet};
use tower_sessions::Session;

use crate::clock::now_unix_ms;
use crate::vault::{end_session, SessionRecord, SESSION_KEY};
use crate::ServerContext;

/// Starts a session for `username` with the tokens KubeSphere just issued: the previous
/// session's tokens are revoked and forgotten (nothing it kept carries over), the session id
/// changes (so an id planted before sign-in is worthless) and the tokens go to the vault, whose
/// key is returned. On failure the new tokens are revoked.
pub(crate) async fn begin_session(
    ctx: &ServerContext,
    session: &Session,
    username: &str,
    tokens: TokenSet,
    request_id: &Option<String>,
) -> Result<String, AppError> {
    // (A browser without a session has nothing to end.)
    let previous = match session.id() {
        Some(_) => end_session(session, &ctx.vault).await,
        None => None,
    };
    if let Some(previous) = previous {
        revoke(ctx, &previous, request_id).await;
    }
    if let Err(e) = session.cycle_id().await {
        tracing::error!(error = %e, "could not rotate the session id");
        revoke(ctx, &tokens.access, request_id).await;
        return Err(AppError::TemporarilyUnavailable);
    }
    let access = tokens.access.clone();
    match ctx.vault.insert(username, tokens).await {
        Ok(key) => Ok(key),
        Err(e) => {
            tracing::error!(error = %e, "could not store the tokens");
            revoke(ctx, &access, request_id).await;
            Err(AppError::TemporarilyUnavailable)
        }
    }
}

/// Signs the session in as `username`, whose tokens [`begin_session`] stored under `vault_key`.
/// `via`: the single sign-on provider the person chose, if that is how they came.
pub(crate) async fn finish_sign_in(
    ctx: &ServerContext,
    session: &Session,
    username: &str,
    vault_key: String,
    via: Option<String>,
    request_id: &Option<String>,
) -> Result<(), AppError> {
    let record = SessionRecord { username: username.to_owned(), vault_key, signed_in_at_ms: now_unix_ms(), via };
    if let Err(e) = session.insert(SESSION_KEY, &record).await {
        tracing::error!(error = %e, "could not store the session");
        if let Some(token) = ctx.vault.remove(&record.vault_key).await {
            revoke(ctx, &token, request_id).await;
        }
        return Err(AppError::TemporarilyUnavailable);
    }
    Ok(())
}

/// Revokes a token KubeSphere issued that the console will not use (best effort).
pub(crate) async fn revoke(ctx: &ServerContext, token: &AccessToken, request_id: &Option<String>) {
    let call = CallContext { request_id: request_id.clone() };
    if let Err(e) = ctx.state.ks.logout(token, &call).await {
        tracing::info!(error = %e, "could not revoke an unused token upstream");
    }
}
