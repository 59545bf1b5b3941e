//! The stores in Redis (`SESSION_STORE=redis://…` or `rediss://…`), shared by every replica,
//! through the `fred` client. Session records expire with Redis TTLs; records and the KubeSphere
//! tokens are sealed with a key derived from `SESSION_SECRET`, each bound to its own Redis key,
//! before they are written (reading or writing Redis opens no door); a token refresh
//! holds a Redis lock (with a timeout), so one replica refreshes and the others read the result;
//! login-failure counts are sorted sets checked and counted by one script, atomically. A session
//! record's TTL ends at its idle expiry or at the sign-in's absolute lifetime, whichever is first.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use fred::prelude::{
    Builder, Client, ClientLike, Config, Expiration, KeysInterface, LuaInterface, ReconnectPolicy, SetOptions,
    SortedSetsInterface,
};
use ks_client::{AccessToken, RefreshToken, TokenSet};
use serde::{Deserialize, Serialize};
use tower_sessions::session::{Id, Record};
use tower_sessions::{session_store, SessionStore};

use super::memory_attempts::ClientPrefix;
use super::{
    Admission, AttemptStore, AttemptTicket, Limits, RefreshLock, SessionBackend, StoreError, StoredTokens, TokenStore,
    TokenUse,
};
use crate::secrets::Secrets;

/// A command that takes longer fails, so a stalled Redis is reported at once, not waited for.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(800);
/// Readiness asks with its own, shorter timeout.
const PING_TIMEOUT: Duration = Duration::from_millis(500);
/// Reconnect this often while Redis is away: back within a second of its return.
const RECONNECT_EVERY_MS: u32 = 100;
/// Longest a refresh may hold its lock (a replica that dies holding it frees it by then): longer
/// than a refresh grant can take (the upstream timeout, 10 s by default); replacing the tokens is
/// a compare-and-set besides, so a refresh that outlives its lock cannot overwrite a newer one.
const REFRESH_LOCK_TTL: Duration = Duration::from_secs(30);
/// Characters of a sealed value's base64 that are its nonce (24 bytes): fresh for every write,
/// they are its version.
const VERSION_CHARS: usize = 32;
const PREFIX: &str = "ks-console";

/// One connection (commands are pipelined on it) shared by the three stores.
#[derive(Clone)]
pub struct RedisStores {
    client: Client,
    secrets: Secrets,
    idle: Duration,
    max_lifetime: Duration,
    limits: Limits,
}

impl std::fmt::Debug for RedisStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStores").field("idle", &self.idle).finish_non_exhaustive()
    }
}

fn store_error(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

fn unix_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

impl RedisStores {
    /// Connects to `url`. Start-up waits up to `wait` for the first connection; past it the
    /// console starts anyway (unready until Redis answers) and keeps reconnecting.
    pub async fn connect(
        url: &str,
        secrets: Secrets,
        (idle, max_lifetime): (Duration, Duration),
        limits: Limits,
        wait: Duration,
    ) -> Result<Self, StoreError> {
        let mut config = Config::from_url(url).map_err(store_error)?;
        // The reconnect policy covers the first connection too: a replica started before Redis
        // (any start order of a fresh deployment) connects as soon as Redis answers.
        config.fail_fast = false;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = COMMAND_TIMEOUT;
                c.internal_command_timeout = COMMAND_TIMEOUT;
                c.max_command_attempts = 1;
            })
            .with_performance_config(|p| p.default_command_timeout = COMMAND_TIMEOUT)
            .set_policy(ReconnectPolicy::new_constant(0, RECONNECT_EVERY_MS))
            .build()
            .map_err(store_error)?;
        client.connect();
        if tokio::time::timeout(wait, client.wait_for_connect()).await.is_err() {
            tracing::warn!("Redis is not reachable yet; the console starts unready and keeps trying");
        }
        Ok(Self { client, secrets, idle, max_lifetime, limits })
    }

    fn key(kind: &str, id: &str) -> String {
        format!("{PREFIX}:{kind}:{id}")
    }

    /// Every `period`, counts the sessions in Redis (all replicas') for the `ks_console_sessions`
    /// gauge; every replica reports the same total. SCAN walks the keys in small steps, so Redis
    /// is never blocked.
    pub fn report_sessions(&self, period: Duration) {
        let client = self.client.clone();
        crate::background::spawn_task(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let pattern = Self::key("session", "*");
                let keys = client.scan_buffered(pattern, Some(500), None);
                let counted = futures::StreamExt::fold(keys, Some(0u64), |n, key| async move {
                    n.and_then(|n| key.ok().map(|_| n + 1))
                })
                .await;
                match counted {
                    Some(n) => metrics::gauge!("ks_console_sessions").set(n as f64),
                    None => tracing::debug!("could not count the sessions in Redis"),
                }
            }
        });
    }

    async fn ping(&self) -> Result<(), StoreError> {
        match tokio::time::timeout(PING_TIMEOUT, self.client.ping::<String>(None)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(store_error(e)),
            Err(_) => Err(StoreError("redis: no answer to PING within 500 ms".into())),
        }
    }
}

// ---- sessions -------------------------------------------------------------------------------

impl RedisStores {
    /// When Redis forgets the record: at its idle expiry, and never after the absolute lifetime
    /// of the sign-in it holds.
    fn session_expiry(&self, record: &Record) -> Expiration {
        let idle_end = record.expiry_date.unix_timestamp().saturating_mul(1000);
        let signed_in = record
            .data
            .get(crate::vault::SESSION_KEY)
            .and_then(|v| v.get("signed_in_at_ms"))
            .and_then(serde_json::Value::as_i64);
        let end = signed_in.map_or(idle_end, |at| idle_end.min(at.saturating_add(millis(self.max_lifetime))));
        Expiration::PXAT(end)
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(format!("redis: {e}"))
}

impl RedisStores {
    /// A session record as written: sealed under its own key, so that whoever can write to Redis
    /// can neither edit a record nor copy one under another session's id.
    fn seal_record(&self, key: &str, record: &Record) -> session_store::Result<String> {
        let plain = serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(STANDARD.encode(self.secrets.seal(key, &plain)))
    }

    /// The record under `key`; one that does not open (edited, copied, forged, or sealed with
    /// another secret) is no session at all.
    fn open_record(&self, key: &str, sealed: &str) -> Option<Record> {
        let opened = STANDARD.decode(sealed).ok().and_then(|bytes| self.secrets.open(key, &bytes));
        let record = opened.and_then(|plain| serde_json::from_slice::<Record>(&plain).ok());
        if record.is_none() {
            tracing::warn!("a session record in Redis did not open (edited, copied or another SESSION_SECRET)");
        }
        record
    }
}

#[async_trait]
impl SessionStore for RedisStores {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let key = Self::key("session", &record.id.to_string());
            let value = self.seal_record(&key, record)?;
            let expiry = self.session_expiry(record);
            let set: Option<String> =
                self.client.set(key, value, Some(expiry), Some(SetOptions::NX), false).await.map_err(backend)?;
            if set.is_some() {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let key = Self::key("session", &record.id.to_string());
        let value = self.seal_record(&key, record)?;
        let expiry = self.session_expiry(record);
        self.client.set::<(), _, _>(key, value, Some(expiry), None, false).await.map_err(backend)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let key = Self::key("session", &session_id.to_string());
        let value: Option<String> = self.client.get(&key).await.map_err(backend)?;
        // A record that opens under another id than the one asked for is not this session's.
        Ok(value.and_then(|v| self.open_record(&key, &v)).filter(|r| r.id == *session_id))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.client.del::<(), _>(Self::key("session", &session_id.to_string())).await.map_err(backend)
    }
}

#[async_trait]
impl SessionBackend for RedisStores {
    async fn ping(&self) -> Result<(), StoreError> {
        RedisStores::ping(self).await
    }
}

// ---- tokens ---------------------------------------------------------------------------------

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

// ---- login-failure counts --------------------------------------------------------------------

/// Drops attempts older than the window from both keys; if either is at its limit, answers the
/// milliseconds until its oldest attempt leaves the window; else counts the attempt on both.
const COUNT_ATTEMPT: &str = r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limits = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limits[i] then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local left = tonumber(oldest[2]) + window - now
    if left > wait then wait = left end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
";

impl RedisStores {
    fn attempt_keys(username: &str, ip: IpAddr) -> [String; 2] {
        let prefix = ClientPrefix::of(ip).to_string();
        [
            Self::key("attempts:address", &prefix),
            Self::key("attempts:account", &format!("{}@{prefix}", super::memory_attempts::account_key(username))),
        ]
    }
}

#[async_trait]
impl AttemptStore for RedisStores {
    async fn begin(&self, username: &str, ip: IpAddr) -> Result<Admission, StoreError> {
        let id = uuid::Uuid::new_v4().as_u64_pair().0;
        let ticket = AttemptTicket { username: username.to_owned(), ip, id };
        if self.limits.per_account == 0 {
            return Ok(Admission::Counted(ticket));
        }
        let keys = Self::attempt_keys(username, ip).to_vec();
        let args = vec![
            unix_ms(SystemTime::now()).to_string(),
            millis(self.limits.window).to_string(),
            self.limits.per_address.max(self.limits.per_account).to_string(),
            self.limits.per_account.to_string(),
            id.to_string(),
        ];
        let wait_ms: i64 = self.client.eval(COUNT_ATTEMPT, keys, args).await.map_err(store_error)?;
        if wait_ms > 0 {
            let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0));
            return Ok(Admission::Wait(wait.max(Duration::from_secs(1))));
        }
        Ok(Admission::Counted(ticket))
    }

    async fn forgive(&self, ticket: AttemptTicket) -> Result<(), StoreError> {
        for key in Self::attempt_keys(&ticket.username, ticket.ip) {
            self.client.zrem::<i64, _, _>(key, ticket.id.to_string()).await.map_err(store_error)?;
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        RedisStores::ping(self).await
    }
}
