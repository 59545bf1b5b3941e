//! Session records in Redis, sealed under their own key, expiring with their session.

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use fred::prelude::{Expiration, KeysInterface, SetOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::{session_store, SessionStore};

use super::{millis, RedisStores};
use crate::stores::{SessionBackend, StoreError};

impl RedisStores {
    /// When Redis forgets the record: at its idle expiry, and never after the absolute lifetime
    /// of the sign-in it holds.
    fn session_expiry(&self, record: &Record) -> Expiration {
        let idle_end = record.expiry_date.unix_timestamp().saturating_mul(1000);
        let signed_in = record
            .data
            .get(crate::stores::SESSION_KEY)
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
