//! The in-memory session store. tower-sessions' `MemoryStore` never deletes a record (an expired
//! one is only hidden from `load`), so every sign-in would grow memory for the process's life;
//! this one also deletes expired records, from a sweeper task (`ExpiredDeletion`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::SessionStore;

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

    /// Deletes expired records every `period`, for as long as the runtime runs.
    pub fn spawn_sweeper(&self, period: Duration) {
        let store = self.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let mut tick = tokio::time::interval(period);
                loop {
                    tick.tick().await;
                    // Cannot fail: the records live in this process.
                    let _ = store.delete_expired().await;
                }
            });
        }
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

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.records().remove(session_id);
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for MemorySessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc();
        self.records().retain(|_, r| r.expiry_date > now);
        Ok(())
    }
}
