//! The in-memory session store. tower-sessions' `MemoryStore` never deletes a record (an expired
//! one is only hidden from `load`), so every sign-in would grow memory for the process's life;
//! this one also forgets expired records, from the server's periodic sweeper.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions::SessionStore;

use super::{SessionBackend, StoreError};

#[derive(Clone, Debug, Default)]
pub struct MemorySessions(Arc<Mutex<HashMap<Id, Record>>>);

impl MemorySessions {
    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Record>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records held, expired or not (for tests and reports).
    pub fn len(&self) -> usize {
        self.records().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets the records whose expiry has passed (the sweeper calls this periodically).
    pub fn forget_expired(&self) {
        let now = OffsetDateTime::now_utc();
        self.records().retain(|_, r| r.expiry_date > now);
    }
}

#[async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut records = self.records();
        while records.contains_key(&record.id) {
            record.id = Id::default();
        }
        records.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.records().insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        Ok(self.records().get(session_id).filter(|r| r.expiry_date > now).cloned())
    }

    /// Forgets one session record (sign-out); nothing here ever reaches KubeSphere.
    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.records().remove(session_id);
        Ok(())
    }
}

#[async_trait]
impl SessionBackend for MemorySessions {
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
