//! The stores in Redis (`SESSION_STORE=redis://…` or `rediss://…`), shared by every replica,
//! through the `fred` client. Session records expire with Redis TTLs; records and the KubeSphere
//! tokens are sealed with a key derived from `SESSION_SECRET`, each bound to its own Redis key,
//! before they are written (reading or writing Redis opens no door); a token refresh
//! holds a Redis lock (with a timeout), so one replica refreshes and the others read the result;
//! login-failure counts are sorted sets checked and counted by one script, atomically. A session
//! record's TTL ends at its idle expiry or at the sign-in's absolute lifetime, whichever is first.

mod attempts;
mod sessions;
mod tokens;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fred::prelude::{Builder, Client, ClientLike, Config, ReconnectPolicy};

use super::{Limits, StoreError};
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
