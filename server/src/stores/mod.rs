//! Where the console keeps what it must remember between requests: session records, the
//! KubeSphere tokens of each session, and counts of failed sign-ins. Each lives behind a small
//! trait so that several replicas can share one store; the in-memory implementations serve one
//! process (the default, and `make run`'s).

mod memory_attempts;
mod memory_sessions;
mod memory_tokens;
mod redis;

use std::fmt::Debug;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use ks_client::TokenSet;
use tower_sessions::session::{Id, Record};
use tower_sessions::{session_store, SessionStore};

pub use memory_attempts::{Limits, LoginThrottle, MAX_LOGIN_NAME};
pub use memory_sessions::MemorySessions;
pub use memory_tokens::MemoryTokens;
pub use redis::RedisStores;

/// A store could not be reached or answered nonsense. Requests that need it fail with 503;
/// `/readyz` says so, so that a load balancer stops sending people here.
#[derive(Debug, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// Session records (tower-sessions' trait) that can also say whether they are reachable.
#[async_trait]
pub trait SessionBackend: SessionStore {
    async fn ping(&self) -> Result<(), StoreError>;
}

/// One session's KubeSphere tokens, as the vault keeps them.
#[derive(Clone, Debug)]
pub struct StoredTokens {
    /// Whose they are: the vault hands them only to a session of this user.
    pub user: String,
    pub tokens: TokenSet,
    /// `None`: the access token does not expire by time (KubeSphere's max age 0). Wall-clock
    /// time, so that every replica reads it alike.
    pub expires_at: Option<SystemTime>,
    /// Which write of the entry this is, as the store read it (empty for tokens not yet stored):
    /// a replacement names the one it replaces.
    pub version: String,
}

/// Held while one session's tokens are refreshed; dropping it lets the next caller in.
pub struct RefreshLock(#[allow(dead_code)] Box<dyn Send + Sync>);

impl RefreshLock {
    pub fn new(guard: impl Send + Sync + 'static) -> Self {
        Self(Box::new(guard))
    }
}

/// Whether reading or replacing tokens counts as the session being used (it extends their idle
/// lifetime): a person's request does, a background job acting for them does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Session,
    Job,
}

/// The token vault's storage. Keys are random and held only in the session record.
#[async_trait]
pub trait TokenStore: Debug + Send + Sync + 'static {
    async fn insert(&self, key: &str, tokens: StoredTokens) -> Result<(), StoreError>;
    /// The tokens under `key`; reading them for a [`TokenUse::Session`] extends their idle lifetime.
    async fn get(&self, key: &str, by: TokenUse) -> Result<Option<StoredTokens>, StoreError>;
    /// Replaces the tokens of a live entry if it is still at `tokens.version` (compare-and-set:
    /// a refresh whose lock lapsed cannot overwrite a newer one); whether it did. For a
    /// [`TokenUse::Job`] the entry's lifetime stays as it was.
    async fn replace(&self, key: &str, tokens: StoredTokens, by: TokenUse) -> Result<bool, StoreError>;
    async fn remove(&self, key: &str) -> Result<Option<StoredTokens>, StoreError>;
    /// Waits until no other caller holds `key`'s refresh lock, then holds it: with KubeSphere's
    /// `multipleLogin: false`, two refreshes of one session would revoke each other.
    async fn lock_refresh(&self, key: &str) -> Result<RefreshLock, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
}

/// What the login throttle decided about one attempt.
#[derive(Debug)]
pub enum Admission {
    /// Counted as a failure already; [`AttemptStore::forgive`] it if the password was right.
    Counted(AttemptTicket),
    /// Too many failures: try again after this long.
    Wait(Duration),
}

/// Names one counted attempt, to take it back.
#[derive(Debug, Clone)]
pub struct AttemptTicket {
    pub(crate) username: String,
    pub(crate) ip: IpAddr,
    pub(crate) id: u64,
}

/// Counts of failed sign-ins. Checking and counting are one step, so parallel attempts cannot
/// all pass the check before one is counted.
#[async_trait]
pub trait AttemptStore: Debug + Send + Sync + 'static {
    async fn begin(&self, username: &str, ip: IpAddr) -> Result<Admission, StoreError>;
    /// The password was right, or KubeSphere could not be asked: the attempt does not count.
    async fn forgive(&self, ticket: AttemptTicket) -> Result<(), StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Key of the signed-in record (the vault's `SessionRecord`) in a session.
pub const SESSION_KEY: &str = "ks-console.auth";

/// The stores of one console process.
#[derive(Clone, Debug)]
pub struct Stores {
    pub sessions: SharedSessions,
    pub tokens: Arc<dyn TokenStore>,
    pub attempts: Arc<dyn AttemptStore>,
}

impl Stores {
    /// Whether every store answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.sessions.0.ping().await?;
        self.tokens.ping().await?;
        self.attempts.ping().await
    }
}

/// A [`SessionBackend`] shared by the session layer and the health check.
#[derive(Clone, Debug)]
pub struct SharedSessions(pub Arc<dyn SessionBackend>);

#[async_trait]
impl SessionStore for SharedSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.0.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.save(record).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        self.0.load(session_id).await
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.0.delete(session_id).await
    }
}
