//! The in-memory [`TokenStore`], for one process. Entries unused for longer than the session's
//! idle lifetime are dropped by the server's sweeper (their sessions have expired too).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{RefreshLock, StoreError, StoredTokens, TokenStore, TokenUse};

#[derive(Debug)]
struct Slot {
    tokens: StoredTokens,
    last_used: Instant,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone, Debug, Default)]
pub struct MemoryTokens(Arc<Mutex<HashMap<String, Slot>>>);

impl MemoryTokens {
    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh version for an entry's next write.
    fn next_version(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    /// The vault keys held (for tests acting as another replica would).
    pub fn keys(&self) -> Vec<String> {
        self.slots().keys().cloned().collect()
    }

    /// Entries held (for tests and reports).
    pub fn len(&self) -> usize {
        self.slots().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops entries unused for longer than `idle`, unless a refresh holds them right now.
    pub fn forget_idle(&self, idle: Duration) {
        let now = Instant::now();
        self.slots().retain(|_, slot| now.duration_since(slot.last_used) <= idle || slot.refresh.try_lock().is_err());
    }
}

#[async_trait]
impl TokenStore for MemoryTokens {
    async fn insert(&self, key: &str, tokens: StoredTokens) -> Result<(), StoreError> {
        let tokens = StoredTokens { version: self.next_version(), ..tokens };
        let slot = Slot { tokens, last_used: Instant::now(), refresh: Arc::default() };
        self.slots().insert(key.to_owned(), slot);
        Ok(())
    }

    async fn get(&self, key: &str, by: TokenUse) -> Result<Option<StoredTokens>, StoreError> {
        Ok(self.slots().get_mut(key).map(|slot| {
            if by == TokenUse::Session {
                slot.last_used = Instant::now();
            }
            slot.tokens.clone()
        }))
    }

    async fn replace(&self, key: &str, tokens: StoredTokens, by: TokenUse) -> Result<bool, StoreError> {
        let version = self.next_version();
        let mut slots = self.slots();
        let Some(slot) = slots.get_mut(key).filter(|slot| slot.tokens.version == tokens.version) else {
            return Ok(false);
        };
        slot.tokens = StoredTokens { version, ..tokens };
        if by == TokenUse::Session {
            slot.last_used = Instant::now();
        }
        Ok(true)
    }

    async fn remove(&self, key: &str) -> Result<Option<StoredTokens>, StoreError> {
        Ok(self.slots().remove(key).map(|slot| slot.tokens))
    }

    async fn lock_refresh(&self, key: &str) -> Result<RefreshLock, StoreError> {
        // A key that is gone gets a lock of its own; the caller then finds no tokens.
        let lock = self.slots().get(key).map(|slot| Arc::clone(&slot.refresh)).unwrap_or_default();
        Ok(RefreshLock::new(lock.lock_owned().await))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn tokens() -> StoredTokens {
        let set = ks_client::TokenSet {
            access: ks_client::AccessToken::new("a"),
            refresh: ks_client::RefreshToken::new("r"),
            expires_in: None,
        };
        StoredTokens { user: "bob".into(), tokens: set, expires_at: None, version: String::new() }
    }

    #[tokio::test]
    async fn a_replacement_over_a_version_replaced_meanwhile_is_refused() {
        let store = MemoryTokens::default();
        store.insert("k", tokens()).await.unwrap();
        let read = store.get("k", TokenUse::Session).await.unwrap().unwrap();
        let stale = read.version.clone();
        assert!(store
            .replace("k", StoredTokens { version: read.version, ..tokens() }, TokenUse::Session)
            .await
            .unwrap());
        assert!(!store.replace("k", StoredTokens { version: stale, ..tokens() }, TokenUse::Session).await.unwrap());
    }

    #[tokio::test]
    async fn a_job_reading_or_replacing_tokens_does_not_keep_the_session_alive() {
        let store = MemoryTokens::default();
        store.insert("k", tokens()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        store.get("k", TokenUse::Job).await.unwrap();
        let read = store.get("k", TokenUse::Job).await.unwrap().unwrap();
        assert!(store.replace("k", StoredTokens { version: read.version, ..tokens() }, TokenUse::Job).await.unwrap());
        store.forget_idle(Duration::from_millis(20));
        assert!(store.get("k", TokenUse::Session).await.unwrap().is_none(), "idle for its owner: gone");
        store.insert("k", tokens()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        store.get("k", TokenUse::Session).await.unwrap();
        store.forget_idle(Duration::from_millis(20));
        assert!(store.get("k", TokenUse::Session).await.unwrap().is_some(), "used by its owner: kept");
    }
}
