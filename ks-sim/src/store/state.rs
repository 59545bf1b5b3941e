//! Everything behind the simulator's `Arc` that KubeSphere itself keeps: the fixed settings,
//! the resources and the token cache.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::config::SimConfig;
use super::db::Db;
use super::tokens::{TokenIssuer, TokenStore};
use super::util::lock;

/// Settings that stay fixed for the simulator's life.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub access_token_ttl: Duration,
    pub refresh_token_extra_ttl: Duration,
    pub multiple_login: bool,
    pub lockout_max_tries: u32,
    pub lockout_window: Duration,
    pub client_id: String,
    pub client_secret: String,
    pub controller_delay: Duration,
}

/// Everything behind the simulator's `Arc`.
pub(crate) struct State {
    pub settings: Settings,
    pub issuer: TokenIssuer,
    pub db: Mutex<Db>,
    pub tokens: Mutex<TokenStore>,
}

impl State {
    /// The settings of `config` around `db` (built from `config.seed` by the layer above,
    /// which runs KubeSphere's controllers on it).
    pub fn new(config: SimConfig, db: Db) -> Self {
        let settings = Settings {
            access_token_ttl: config.access_token_ttl,
            refresh_token_extra_ttl: config.refresh_token_extra_ttl,
            multiple_login: config.multiple_login,
            lockout_max_tries: config.lockout_max_tries,
            lockout_window: config.lockout_window,
            client_id: config.client_id,
            client_secret: config.client_secret,
            controller_delay: config.controller_delay,
        };
        State { settings, issuer: TokenIssuer::random(), db: Mutex::new(db), tokens: Mutex::new(TokenStore::default()) }
    }

    /// The resources, with lockouts whose window has passed already lifted.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        let mut db = lock(&self.db);
        db.expire_lockouts(self.settings.lockout_window);
        db
    }
}
