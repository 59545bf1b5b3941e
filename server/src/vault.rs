//! The token vault: each signed-in session's KubeSphere tokens, kept on the server.
//!
//! The tokens never enter the session record (which the session store serialises): the record
//! holds a random key into the vault. Refreshes are single-flight per session through the
//! store's refresh lock, so this works alike for one process and for replicas sharing a store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use app::upstream::SessionCache;
use ks_client::{AccessToken, CallContext, KsClient, KsError, RefreshError, TokenSet};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::stores::{StoreError, StoredTokens, TokenStore, TokenUse};

pub use crate::stores::SESSION_KEY;

/// What the session store keeps about a signed-in user: no secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub username: String,
    /// Key into the [`TokenVault`].
    pub vault_key: String,
    /// Unix milliseconds of the login, for the absolute session lifetime.
    pub signed_in_at_ms: u64,
    /// The single sign-on provider the person came through (the button they pressed), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
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
    caches: Arc<SessionCaches>,
}

/// Each session's [`SessionCache`], in this process only: a replica that has not served a
/// session lately asks KubeSphere afresh. Caches unused for longer than they keep anything are
/// dropped.
#[derive(Debug)]
struct SessionCaches {
    ttl: Duration,
    by_session: Mutex<CacheIndex>,
}

/// When the index was last pruned, and each session's cache with when it was last used.
type CacheIndex = (Instant, HashMap<String, (Instant, SessionCache)>);

impl SessionCaches {
    fn for_session(&self, key: &str) -> SessionCache {
        let Ok(mut guard) = self.by_session.lock() else { return SessionCache::new(Duration::ZERO) };
        let (pruned_at, map) = &mut *guard;
        let now = Instant::now();
        if now.duration_since(*pruned_at) >= self.ttl {
            map.retain(|_, (used, _)| now.duration_since(*used) < self.ttl);
            *pruned_at = now;
        }
        let ttl = self.ttl;
        let (used, cache) = map.entry(key.to_owned()).or_insert_with(|| (now, SessionCache::new(ttl)));
        *used = now;
        cache.clone()
    }

    fn forget(&self, key: &str) {
        if let Ok(mut guard) = self.by_session.lock() {
            guard.1.remove(key);
        }
    }
}

impl TokenVault {
    /// A vault over `store`, keeping each session's read cache for `cache_ttl`.
    pub fn new(store: Arc<dyn TokenStore>, cache_ttl: Duration) -> Self {
        let caches = SessionCaches { ttl: cache_ttl, by_session: Mutex::new((Instant::now(), HashMap::new())) };
        Self { store, caches: Arc::new(caches) }
    }

    /// The read cache of the session whose tokens are under `key`.
    pub fn cache_for(&self, key: &str) -> SessionCache {
        self.caches.for_session(key)
    }

    fn stored(user: &str, tokens: TokenSet) -> StoredTokens {
        let expires_at = tokens.expires_in.map(|d| SystemTime::now() + d);
        StoredTokens { user: user.to_owned(), expires_at, tokens, version: String::new() }
    }

    /// Stores `user`'s fresh tokens and returns the key to keep in the session record.
    pub async fn insert(&self, user: &str, tokens: TokenSet) -> Result<String, StoreError> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        self.store.insert(&key, Self::stored(user, tokens)).await?;
        Ok(key)
    }

    /// `user`'s tokens under `key`, as they are (no refresh): for a registration, whose refresh
    /// token is exchanged only once the user exists.
    pub async fn tokens_of(&self, key: &str, user: &str) -> Option<TokenSet> {
        let entry = self.store.get(key, TokenUse::Session).await.ok().flatten()?;
        (entry.user == user).then_some(entry.tokens)
    }

    /// Removes the entry and returns its access token (to revoke it upstream).
    pub async fn remove(&self, key: &str) -> Option<AccessToken> {
        self.caches.forget(key);
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

    /// `user`'s access token under `key`, valid for at least `skew`, refreshing it first if
    /// needed; tokens of anyone else are no tokens. Only one refresh grant is sent per session
    /// however many requests race: with `multipleLogin: false` two racing refreshes would revoke
    /// each other.
    pub async fn fresh_access_token(
        &self,
        (key, user, by): (&str, &str, TokenUse),
        ks: &KsClient,
        skew: Duration,
        ctx: &CallContext,
    ) -> Result<AccessToken, SessionEnd> {
        let fresh = |entry: &StoredTokens| entry.expires_at.is_none_or(|at| at > SystemTime::now() + skew);
        let theirs = |entry: StoredTokens| {
            if entry.user == user {
                Ok(entry)
            } else {
                tracing::warn!(%user, "a session names tokens of another user; it ends");
                Err(SessionEnd::Gone)
            }
        };
        let entry = theirs(self.store.get(key, by).await?.ok_or(SessionEnd::Gone)?)?;
        if fresh(&entry) {
            return Ok(entry.tokens.access);
        }
        let _lock = self.store.lock_refresh(key).await?;
        // Whoever held the lock before may have refreshed already.
        let entry = theirs(self.store.get(key, by).await?.ok_or(SessionEnd::Gone)?)?;
        if fresh(&entry) {
            return Ok(entry.tokens.access);
        }
        match ks.refresh_grant(&entry.tokens.refresh, ctx).await {
            Ok(tokens) => {
                metrics::counter!("ks_console_token_refreshes_total", "outcome" => "refreshed").increment(1);
                let access = tokens.access.clone();
                let replacing = StoredTokens { version: entry.version, ..Self::stored(user, tokens) };
                if !self.store.replace(key, replacing, by).await? {
                    // Another replica refreshed meanwhile (this one's lock lapsed): its tokens stay.
                    tracing::warn!("a token refresh lost the race to another one; the newer tokens are kept");
                    let now = theirs(self.store.get(key, by).await?.ok_or(SessionEnd::Gone)?)?;
                    return Ok(now.tokens.access);
                }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use std::time::Duration;

    use super::TokenVault;
    use crate::stores::MemoryTokens;

    async fn cached(vault: &TokenVault, session: &str) -> Option<u32> {
        let cache = vault.cache_for(session);
        // A load that fails tells whether the answer was kept.
        cache.get_or_load("n", || async { Err(app::AppError::TemporarilyUnavailable) }).await.ok()
    }

    #[tokio::test]
    async fn each_session_has_its_own_cache_and_ending_the_session_drops_it() {
        let vault = TokenVault::new(Arc::new(MemoryTokens::default()), Duration::from_secs(10));
        vault.cache_for("a").get_or_load("n", || async { Ok(1u32) }).await.unwrap();
        assert_eq!(cached(&vault, "a").await, Some(1), "kept for the session's next request");
        assert_eq!(cached(&vault, "b").await, None, "another session sees nothing of it");
        vault.remove("a").await;
        assert_eq!(cached(&vault, "a").await, None, "gone with the session");
    }
}
