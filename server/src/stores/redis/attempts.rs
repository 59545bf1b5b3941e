//! Login-failure counts in Redis: sorted sets checked and counted by one script, atomically.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use fred::prelude::{LuaInterface, SortedSetsInterface};

use super::{millis, store_error, unix_ms, RedisStores};
use crate::stores::memory_attempts::ClientPrefix;
use crate::stores::{Admission, AttemptStore, AttemptTicket, StoreError};

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
            Self::key(
                "attempts:account",
                &format!("{}@{prefix}", crate::stores::memory_attempts::account_key(username)),
            ),
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
