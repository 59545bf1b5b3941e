//! KubeSphere tokens in Redis, sealed, with a refresh lock per session.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use fred::prelude::{Client, Expiration, KeysInterface, LuaInterface, SetOptions};
use ks_client::{AccessToken, RefreshToken, TokenSet};
use serde::{Deserialize, Serialize};

use super::{millis, store_error, unix_ms, RedisStores, REFRESH_LOCK_TTL, VERSION_CHARS};
use crate::stores::{RefreshLock, StoreError, StoredTokens, TokenStore, TokenUse};

/// The tokens as sealed: only ever written encrypted.
#[derive(Serialize, Deserialize)]
struct TokenRecord {
    user: String,
    access: String,
    refresh: String,
    expires_at_ms: Option<i64>,
}

/// GET that also extends the key's life (reading the tokens is using the session).
const GET_AND_EXTEND: &str = "local v = redis.call('GET', KEYS[1]) \
    if v then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return v";
/// GET then DEL, in one step.
const TAKE: &str = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";
/// SET, only if the value still begins with version ARGV[1] (its first ARGV[4] characters); ARGV[2]
/// is the new value, ARGV[3] its time to live in ms, or 0 to keep the one it has.
const REPLACE_IF: &str = "local v = redis.call('GET', KEYS[1]) \
    if v and string.sub(v, 1, tonumber(ARGV[4])) == ARGV[1] then \
    if ARGV[3] == '0' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') \
    else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return 1 end return 0";
/// Releases a lock only if it is still ours.
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

impl RedisStores {
    fn seal(&self, key: &str, tokens: &StoredTokens) -> Result<String, StoreError> {
        let record = TokenRecord {
            user: tokens.user.clone(),
            access: tokens.tokens.access.expose().to_owned(),
            refresh: tokens.tokens.refresh.expose().to_owned(),
            expires_at_ms: tokens.expires_at.map(unix_ms),
        };
        let plain = serde_json::to_vec(&record).map_err(store_error)?;
        Ok(STANDARD.encode(self.secrets.seal(key, &plain)))
    }

    fn open(&self, key: &str, sealed: &str) -> Option<StoredTokens> {
        let bytes = STANDARD.decode(sealed).ok()?;
        let record: TokenRecord = serde_json::from_slice(&self.secrets.open(key, &bytes)?).ok()?;
        let expires_at =
            record.expires_at_ms.map(|ms| UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
        let expires_in = expires_at.map(|at| at.duration_since(SystemTime::now()).unwrap_or_default());
        Some(StoredTokens {
            version: sealed.chars().take(VERSION_CHARS).collect(),
            user: record.user,
            expires_at,
            tokens: TokenSet {
                access: AccessToken::new(record.access),
                refresh: RefreshToken::new(record.refresh),
                expires_in,
            },
        })
    }

    /// Sealed tokens that do not open (another secret, tampering) count as gone.
    fn opened(&self, key: &str, value: Option<String>) -> Option<StoredTokens> {
        let tokens = self.open(key, &value?);
        if tokens.is_none() {
            tracing::warn!("stored tokens could not be opened (another SESSION_SECRET?); the session ends");
        }
        tokens
    }
}

/// Held while a refresh runs; dropping it releases the lock (if it is still ours).
struct RedisLock {
    client: Client,
    key: String,
    token: String,
}

impl Drop for RedisLock {
    fn drop(&mut self) {
        let (client, key, token) =
            (self.client.clone(), std::mem::take(&mut self.key), std::mem::take(&mut self.token));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = client.eval::<i64, _, _, _>(RELEASE, key, token).await {
                    tracing::warn!(error = %e, "could not release a refresh lock; it expires by itself");
                }
            });
        }
    }
}

#[async_trait]
impl TokenStore for RedisStores {
    async fn insert(&self, key: &str, tokens: StoredTokens) -> Result<(), StoreError> {
        let k = Self::key("tokens", key);
        let value = self.seal(&k, &tokens)?;
        self.client
            .set::<(), _, _>(k, value, Some(Expiration::PX(millis(self.idle))), None, false)
            .await
            .map_err(store_error)
    }

    async fn get(&self, key: &str, by: TokenUse) -> Result<Option<StoredTokens>, StoreError> {
        let k = Self::key("tokens", key);
        let value: Option<String> = match by {
            TokenUse::Session => {
                self.client.eval(GET_AND_EXTEND, k.clone(), millis(self.idle)).await.map_err(store_error)?
            }
            TokenUse::Job => self.client.get(&k).await.map_err(store_error)?,
        };
        Ok(self.opened(&k, value))
    }

    async fn replace(&self, key: &str, tokens: StoredTokens, by: TokenUse) -> Result<bool, StoreError> {
        let k = Self::key("tokens", key);
        let value = self.seal(&k, &tokens)?;
        // Only over the version read: a session ended meanwhile (logout on another replica)
        // stays ended, and a newer refresh stays.
        let ttl = match by {
            TokenUse::Session => millis(self.idle).to_string(),
            TokenUse::Job => "0".to_owned(),
        };
        let args = vec![tokens.version.clone(), value, ttl, VERSION_CHARS.to_string()];
        let replaced: i64 = self.client.eval(REPLACE_IF, k, args).await.map_err(store_error)?;
        Ok(replaced == 1)
    }

    async fn remove(&self, key: &str) -> Result<Option<StoredTokens>, StoreError> {
        let k = Self::key("tokens", key);
        let value: Option<String> = self.client.eval(TAKE, k.clone(), ()).await.map_err(store_error)?;
        Ok(self.opened(&k, value))
    }

    async fn lock_refresh(&self, key: &str) -> Result<RefreshLock, StoreError> {
        let k = Self::key("refresh-lock", key);
        let token = uuid::Uuid::new_v4().simple().to_string();
        let deadline = tokio::time::Instant::now() + REFRESH_LOCK_TTL + Duration::from_secs(1);
        let mut pause = Duration::from_millis(10);
        loop {
            let expiry = Some(Expiration::PX(millis(REFRESH_LOCK_TTL)));
            let taken: Option<String> = self
                .client
                .set(k.clone(), token.clone(), expiry, Some(SetOptions::NX), false)
                .await
                .map_err(store_error)?;
            if taken.is_some() {
                return Ok(RefreshLock::new(RedisLock { client: self.client.clone(), key: k, token }));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(StoreError("redis: a token refresh lock was not released in time".into()));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        RedisStores::ping(self).await
    }
}
