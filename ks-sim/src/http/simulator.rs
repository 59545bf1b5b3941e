//! The [`Simulator`] handle: one world (KubeSphere's state, the journal, the faults) shared by
//! every clone, and the controls tests call from Rust. Serving it is `server`'s business.

use std::sync::{Arc, Mutex};

use axum::extract::FromRef;

use crate::behaviour::bootstrap;
use crate::http::faults::{Fault, Faults};
use crate::http::journal::{Journal, JournalEntry};
use crate::store::clients::OAuthClient;
use crate::store::config::SimConfig;
use crate::store::idp::{linked_users, IdentityProvider};
use crate::store::state::State;
use crate::store::users::UserState;
use crate::store::util::lock;

/// A simulator: cheap to clone, all clones share one world.
#[derive(Clone)]
pub struct Simulator {
    /// What KubeSphere keeps (resources, tokens, settings).
    pub(crate) state: Arc<State>,
    /// What reached the simulator, for tests (the journal filter writes it).
    pub(crate) journal: Arc<Mutex<Journal>>,
    /// Injected faults (the fault filter applies them).
    pub(crate) faults: Arc<Mutex<Faults>>,
}

impl FromRef<Simulator> for Arc<State> {
    fn from_ref(sim: &Simulator) -> Self {
        sim.state.clone()
    }
}

impl Simulator {
    pub fn new(config: SimConfig) -> Self {
        Simulator {
            state: Arc::new(bootstrap::state(config)),
            journal: Arc::new(Mutex::new(Journal::default())),
            faults: Arc::new(Mutex::new(Faults::default())),
        }
    }

    /// Every request so far (except `/_sim`), in arrival order.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.journal).entries()
    }

    pub fn reset_journal(&self) {
        lock(&self.journal).clear();
    }

    /// Journal entries for exactly this path (query excluded).
    pub fn journal_for(&self, path: &str) -> Vec<JournalEntry> {
        self.journal().into_iter().filter(|e| e.path == path).collect()
    }

    /// How many requests reached exactly this path.
    pub fn counter(&self, path: &str) -> usize {
        self.journal().iter().filter(|e| e.path == path).count()
    }

    /// How many `method` requests reached exactly this path.
    pub fn counter_method(&self, method: &str, path: &str) -> usize {
        self.journal().iter().filter(|e| e.path == path && e.method.eq_ignore_ascii_case(method)).count()
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.faults).add(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Faults still active.
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.faults).list()
    }

    /// Every token issued so far (access, refresh, authorization codes, id_tokens), revoked and
    /// expired ones included.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).issued()
    }

    /// Tokens that would authenticate right now (codes and id_tokens too, §12.6).
    pub fn active_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).active()
    }

    /// Revokes every token of `user` (as an admin or `multipleLogin: false` would).
    pub fn revoke_user_tokens(&self, user: &str) {
        self.revoke_user_tokens_counted(user);
    }

    /// Same as [`Simulator::revoke_user_tokens`], returning how many were revoked.
    pub fn revoke_user_tokens_counted(&self, user: &str) -> usize {
        lock(&self.state.tokens).revoke_user(user)
    }

    /// The GlobalRoles (Kubernetes objects), by name.
    pub fn global_roles(&self) -> Vec<serde_json::Value> {
        self.state.db().global_roles.values().map(|r| r.to_json()).collect()
    }

    /// `status.state` of a user (`None` for an unknown user or an empty status).
    pub fn user_state(&self, user: &str) -> Option<UserState> {
        self.state.db().users.get(user).and_then(|u| u.state)
    }

    /// Sets `status.state` (what `PUT /users/{u}` or the lockout controller do). `false` if the
    /// user does not exist. A lock set this way lifts after the lockout window.
    pub fn set_user_state(&self, user: &str, state: UserState) -> bool {
        let mut db = self.state.db();
        let rv = db.bump();
        match db.users.get_mut(user) {
            Some(u) => {
                u.transition(state, None);
                u.failed_logins.clear();
                u.resource_version = rv;
                true
            }
            None => false,
        }
    }

    /// Marks these member clusters not ready (and every other one ready again): requests under
    /// `/clusters/{c}/…` answer 503 and their Cluster objects report `Ready: False`.
    pub fn set_unready_clusters(&self, clusters: Vec<String>) {
        self.state.db().unready_clusters = clusters.into_iter().collect();
    }

    /// The identity providers as configured, with their directories, in configuration order.
    pub fn identity_providers(&self) -> Vec<IdentityProvider> {
        lock(&self.state.identity_providers).clone()
    }

    /// Takes a directory down (`false`: every sign-in reaching it answers 500, §12.2 row 5) or
    /// brings it back. `false` if there is no provider `idp`.
    pub fn set_directory_reachable(&self, idp: &str, reachable: bool) -> bool {
        let mut providers = lock(&self.state.identity_providers);
        match providers.iter_mut().find(|p| p.name == idp) {
            Some(p) => {
                p.reachable = reachable;
                true
            }
            None => false,
        }
    }

    /// The users linked to identity `uid` of `idp` (annotation
    /// `iam.kubesphere.io/identity-provider.<idp>: <uid>`), by name.
    pub fn linked_users(&self, idp: &str, uid: &str) -> Vec<String> {
        linked_users(&self.state.db(), idp, uid).into_iter().map(|u| u.name.clone()).collect()
    }

    /// The clusters currently not ready, by name.
    pub fn unready_clusters(&self) -> Vec<String> {
        self.state.db().unready_clusters.iter().cloned().collect()
    }

    /// Replaces the configured OAuth client's `redirectURIs` (tests learn the console's address
    /// only once it listens).
    pub fn set_client_redirect_uris(&self, uris: Vec<String>) {
        if let Some(client) = lock(&self.state.clients).first_mut() {
            client.redirect_uris = uris;
        }
    }

    /// The registered OAuth clients, the configured one first, secrets included.
    pub fn oauth_clients(&self) -> Vec<OAuthClient> {
        lock(&self.state.clients).clone()
    }

    /// Sets the issuer URL (the portal's public URL): `configs/oauth`, discovery, id_tokens and
    /// where `/oauth/authorize` sends anonymous callers.
    pub fn set_issuer_url(&self, url: impl Into<String>) {
        *lock(&self.state.issuer_url) = url.into();
    }

    /// The issuer URL as it is now.
    pub fn issuer_url(&self) -> String {
        self.state.issuer_url()
    }
}
