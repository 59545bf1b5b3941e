//! An in-memory simulator of KubeSphere 4.1's ks-apiserver HTTP API, following the contract in
//! `kubesphere-api.md`: OAuth, users, clusters, workspaces, projects, members, roles, role
//! templates and bindings with KubeSphere's authorization, plus what tests need around them — a
//! request journal, fault injection and a `/_sim` control API. [`routes::table`] lists the
//! routes.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let base = sim.base_url(); // http://127.0.0.1:PORT
//! # Ok(()) }
//! ```

// Handlers bail out early with the ready ks-apiserver response; boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod auth;
mod authz;
mod bindings;
mod body;
mod clusters;
pub mod config;
mod control;
pub mod errors;
pub mod faults;
mod filters;
pub mod journal;
mod login_records;
mod members;
pub mod net;
mod oauth;
mod projects;
mod query;
mod roles;
mod roletemplates;
pub mod routes;
pub mod seed;
mod server_info;
mod state;
mod users;
mod validation;
mod workspaces;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{KsVersion, SimConfig};
pub use faults::{Fault, FaultAction};
pub use journal::JournalEntry;
pub use routes::{Route, RouteKind};
pub use seed::{
    Seed, SeedError, SeedGlobalRole, SeedProject, SeedRole, SeedUser, SeedWorkspace, DEMO_PASSWORD,
};
pub use state::UserState;

use state::{lock, State};

/// A simulator: cheap to clone, all clones share one world.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<State>,
}

impl FromRef<Simulator> for Arc<State> {
    fn from_ref(sim: &Simulator) -> Self {
        sim.state.clone()
    }
}

impl Simulator {
    pub fn new(config: SimConfig) -> Self {
        Simulator {
            state: Arc::new(State::new(config)),
        }
    }

    /// The whole HTTP API. Serve it with [`Simulator::spawn`] or [`serve`] for the `drop` fault
    /// to cut connections (elsewhere it answers 502 instead).
    pub fn router(&self) -> Router {
        let routes = routes::router()
            .merge(control::routes())
            .fallback(|| async { errors::page_not_found() })
            .method_not_allowed_fallback(|| async { errors::method_not_allowed() })
            .with_state(self.clone());
        // The filters rewrite the path (cluster prefix), so they must run before routing: wrap
        // the routes as a fallback service rather than layering them.
        Router::new()
            .fallback_service(routes)
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                filters::chain,
            ))
    }

    /// Binds `addr` (use port 0 in tests) and serves in a background task until the returned
    /// handle is dropped.
    pub async fn spawn(config: SimConfig, addr: SocketAddr) -> std::io::Result<RunningSim> {
        let sim = Simulator::new(config);
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(sim.clone(), listener, async {
            let _ = rx.await;
        }));
        tracing::debug!(%addr, "simulator listening");
        Ok(RunningSim {
            addr,
            sim,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Every request so far (except `/_sim`), in arrival order.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.state.journal).entries()
    }

    pub fn reset_journal(&self) {
        lock(&self.state.journal).clear();
    }

    /// Journal entries for exactly this path (query excluded).
    pub fn journal_for(&self, path: &str) -> Vec<JournalEntry> {
        self.journal()
            .into_iter()
            .filter(|e| e.path == path)
            .collect()
    }

    /// How many requests reached exactly this path.
    pub fn counter(&self, path: &str) -> usize {
        self.journal().iter().filter(|e| e.path == path).count()
    }

    /// How many `method` requests reached exactly this path.
    pub fn counter_method(&self, method: &str, path: &str) -> usize {
        self.journal()
            .iter()
            .filter(|e| e.path == path && e.method.eq_ignore_ascii_case(method))
            .count()
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.state.faults).add(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Faults still active.
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.state.faults).list()
    }

    /// Every access and refresh token issued so far, revoked and expired ones included.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).issued()
    }

    /// Tokens that would authenticate right now.
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
        self.state
            .db()
            .global_roles
            .values()
            .map(|r| r.to_json())
            .collect()
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
}

/// Serves `sim` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(
    sim: Simulator,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let app = sim
        .router()
        .into_make_service_with_connect_info::<net::Connection>();
    let server =
        axum::serve(net::KillableListener::new(listener), app).with_graceful_shutdown(shutdown);
    if let Err(error) = server.await {
        tracing::error!(%error, "simulator server failed");
    }
}

/// A simulator serving on a local port; shuts down when dropped.
pub struct RunningSim {
    pub addr: SocketAddr,
    pub sim: Simulator,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, waits (up to 5 s) for open requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
