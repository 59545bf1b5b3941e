//! The token vault: each signed-in session's KubeSphere tokens, kept on the server.
//!
//! The tokens never enter the session record (which the session store serialises): the record
//! holds a random key into the vault. Refreshes are single-flight per session through the
//! store's refresh lock, so this works alike for one process and for replicas sharing a store.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ks_client::{AccessToken, CallContext, KsClient, KsError, RefreshError, TokenSet};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::stores::{StoreError, StoredTokens, TokenStore};

/// Key of the [`SessionRecord`] in the session store.
pub const SESSION_KEY: &str = "ks-console.auth";

/// What the session store keeps about a signed-in user: no secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub username: String,
    /// Key into the [`TokenVault`].
    pub vault_key: String,
    /// Unix milliseconds of the login, for the absolute session lifetime.
    pub signed_in_at_ms: u64,
}

/// Why a session's token cannot be had.
#[derive(Debug)]
pub enum SessionEnd {
    /// The vault has no entry (server restarted, signed out elsewhere, swept).
    Gone,
    /// KubeSphere refused the refresh token.
    RefreshRejected,
    /// KubeSphere could not be asked; the session is kept.
    Upstream(KsError),
    /// The token store could not be reached; the session is kept.
    Store(StoreError),
}

impl From<StoreError> for SessionEnd {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

#[derive(Clone, Debug)]
pub struct TokenVault {
    store: Arc<dyn TokenStore>,
}

impl TokenVault {
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        Self { store }
    }

    fn stored(tokens: TokenSet) -> StoredTokens {
        StoredTokens { expires_at: tokens.expires_in.map(|d| SystemTime::now() + d), tokens }
    }

    /// Stores fresh tokens and returns the key to keep in the session record.
    pub async fn insert(&self, tokens: TokenSet) -> Result<String, StoreError> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        self.store.insert(&key, Self::stored(tokens)).await?;
        Ok(key)
    }

    /// Removes the entry and returns its access token (to revoke it upstream).
    pub async fn remove(&self, key: &str) -> Option<AccessToken> {
        // Wait for a refresh in flight, so the token handed back is the one KubeSphere holds.
        let _lock = self.store.lock_refresh(key).await;
        match self.store.remove(key).await {
            Ok(entry) => entry.map(|e| e.tokens.access),
            Err(e) => {
                tracing::warn!(error = %e, "could not remove a session's tokens");
                None
            }
        }
    }

    /// An access token that will stay valid for at least `skew`, refreshing it first if needed.
    /// Only one refresh grant is sent per session however many requests race: with
    /// `multipleLogin: false` two racing refreshes would revoke each other.
    pub async fn fresh_access_token(
        &self,
        key: &str,
        ks: &KsClient,
        skew: Duration,
        ctx: &CallContext,
    ) -> Result<AccessToken, SessionEnd> {
        let fresh = |entry: &StoredTokens| entry.expires_at.is_none_or(|at| at > SystemTime::now() + skew);
        let entry = self.store.get(key).await?.ok_or(SessionEnd::Gone)?;
        if fresh(&entry) {
            return Ok(entry.tokens.access);
        }
        let _lock = self.store.lock_refresh(key).await?;
        // Whoever held the lock before may have refreshed already.
        let entry = self.store.get(key).await?.ok_or(SessionEnd::Gone)?;
        if fresh(&entry) {
            return Ok(entry.tokens.access);
        }
        match ks.refresh_grant(&entry.tokens.refresh, ctx).await {
            Ok(tokens) => {
                metrics::counter!("ks_console_token_refreshes_total", "outcome" => "refreshed").increment(1);
                let access = tokens.access.clone();
                self.store.replace(key, Self::stored(tokens)).await?;
                tracing::debug!("refreshed the KubeSphere access token");
                Ok(access)
            }
            Err(RefreshError::Rejected) => {
                metrics::counter!("ks_console_token_refreshes_total", "outcome" => "rejected").increment(1);
                self.store.remove(key).await?;
                Err(SessionEnd::RefreshRejected)
            }
            Err(RefreshError::Upstream(e)) => {
                metrics::counter!("ks_console_token_refreshes_total", "outcome" => "failed").increment(1);
                Err(SessionEnd::Upstream(e))
            }
        }
    }
}

/// Ends the current session: forgets the tokens and flushes the record (and so the cookie).
/// Returns the access token, to revoke it upstream.
pub async fn end_session(session: &Session, vault: &TokenVault) -> Option<AccessToken> {
    let record = session.get::<SessionRecord>(SESSION_KEY).await.ok().flatten();
    let token = match record {
        Some(r) => vault.remove(&r.vault_key).await,
        None => None,
    };
    if let Err(e) = session.flush().await {
        tracing::warn!(error = %e, "could not flush the session");
    }
    token
}
