//! Everything behind the simulator's `Arc` that KubeSphere itself keeps: the fixed settings,
//! the resources (live, plus the lagging copies handlers read), the token cache, the identity
//! providers (with the codes their stand-in issued) and the OAuth clients.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::clients::OAuthClient;
use super::config::SimConfig;
use super::db::Db;
use super::history::{DbGuard, DbRead, History};
use super::idp::{IdentityProvider, IdpCodes};
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
    pub controller_delay: Duration,
    /// How far handlers' reads (the informer caches) lag behind the writes.
    pub read_lag: Duration,
}

/// Everything behind the simulator's `Arc`.
pub(crate) struct State {
    pub settings: Settings,
    pub issuer: TokenIssuer,
    db: Mutex<Db>,
    /// Copies of `db` for lagging reads; `None` without a lag.
    history: Option<Mutex<History>>,
    pub tokens: Mutex<TokenStore>,
    /// The identity providers, in configuration order (a directory can go down while running).
    pub identity_providers: Mutex<Vec<IdentityProvider>>,
    /// The one-time codes the OAuth providers' stand-in issued (`/_idp/{idp}/login`).
    pub idp_codes: Mutex<IdpCodes>,
    /// The registered OAuth clients, the configured one first (its redirect URIs can change).
    pub clients: Mutex<Vec<OAuthClient>>,
    /// The issuer URL (the portal's public URL); set while running once the portal listens.
    pub issuer_url: Mutex<String>,
}

impl State {
    /// The settings of `config` around `db` (built from `config.seed` by the layer above,
    /// which runs KubeSphere's controllers on it).
    pub fn new(config: SimConfig, db: Db) -> Self {
        let clients = config.oauth_clients();
        let settings = Settings {
            access_token_ttl: config.access_token_ttl,
            refresh_token_extra_ttl: config.refresh_token_extra_ttl,
            multiple_login: config.multiple_login,
            lockout_max_tries: config.lockout_max_tries,
            lockout_window: config.lockout_window,
            controller_delay: config.controller_delay,
            read_lag: config.read_lag,
        };
        let history = (!settings.read_lag.is_zero()).then(|| Mutex::new(History::new(settings.read_lag, &db)));
        State {
            settings,
            issuer: TokenIssuer::random(),
            db: Mutex::new(db),
            history,
            tokens: Mutex::new(TokenStore::default()),
            identity_providers: Mutex::new(config.identity_providers),
            idp_codes: Mutex::new(IdpCodes::default()),
            clients: Mutex::new(clients),
            issuer_url: Mutex::new(config.issuer_url),
        }
    }

    /// The registered client named `client_id` (`GetOAuthClient`: the first of that name).
    pub fn client(&self, client_id: &str) -> Option<OAuthClient> {
        lock(&self.clients).iter().find(|c| c.name == client_id).cloned()
    }

    /// The client the portal stand-in signs in with: `kubesphere` (the official console's
    /// default) when registered, otherwise the configured one.
    pub fn portal_client(&self) -> Option<OAuthClient> {
        let clients = lock(&self.clients);
        clients.iter().find(|c| c.name == "kubesphere").or_else(|| clients.first()).cloned()
    }

    /// The issuer URL as it is now.
    pub fn issuer_url(&self) -> String {
        lock(&self.issuer_url).clone()
    }

    /// The live resources (writes, and the reads that are not cached: authentication,
    /// authorization, the API server's own create/update checks), with lockouts whose window
    /// has passed already lifted.
    pub fn db(&self) -> DbGuard<'_> {
        let mut db = lock(&self.db);
        let unlocked = db.expire_lockouts(self.settings.lockout_window);
        DbGuard::new(db, self.history.as_ref(), unlocked)
    }

    /// The resources as ks-apiserver's informer caches hold them: `read_lag` old, or `None`
    /// without a lag (then read the live [`State::db`]). Never locks the live database, so a
    /// handler may hold both.
    pub fn cached(&self) -> Option<Arc<Db>> {
        self.history.as_ref().and_then(|h| lock(h).lagged())
    }

    /// What a handler's list or get answers from: the cached copy, or the live database
    /// without a lag. Do not call it while holding [`State::db`].
    pub fn db_for_read(&self) -> DbRead<'_> {
        match self.cached() {
            Some(db) => DbRead::Lagged(db),
            None => DbRead::Live(self.db()),
        }
    }
}
