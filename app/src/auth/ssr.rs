//! Server-side session plumbing shared by the server functions and the axum middleware.
//!
//! The KubeSphere tokens never enter the session record (which is serialised into the store):
//! they live in the [`TokenVault`], keyed by a random id that the record holds. That keeps token
//! types free of `Serialize`, and gives each session one lock to make refreshes single-flight.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::request::Parts;
use ks_client::{AccessToken, CallContext, KsClient, KsError, RefreshError, TokenSet, UserApi};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::AppError;

/// Key of the [`SessionRecord`] in the tower-sessions store.
pub const SESSION_KEY: &str = "ks-console.auth";
/// Key of the [`crate::forms::Flash`] left by a plain-form submission.
pub const FLASH_KEY: &str = "ks-console.flash";

/// What the session store keeps about a signed-in user: no secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub username: String,
    /// Key into the [`TokenVault`].
    pub vault_key: String,
    /// Unix milliseconds of the login, for the absolute session lifetime.
    pub signed_in_at_ms: u64,
}

/// Everything a server function needs, provided as Leptos context by the server.
#[derive(Clone, Debug)]
pub struct AppState {
    pub ks: KsClient,
    pub vault: TokenVault,
}

/// Put into the request extensions by the session middleware once the user's token is fresh.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub username: String,
    pub vault_key: String,
    pub access: AccessToken,
}

/// The request id (`x-request-id`) of the request being served, to pass upstream.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

#[derive(Debug)]
struct VaultEntry {
    tokens: TokenSet,
    /// `None`: the access token does not expire by time (KubeSphere's max age 0).
    expires_at: Option<Instant>,
    last_used: Instant,
}

/// Server-side home of the KubeSphere tokens, one entry per signed-in session.
#[derive(Clone, Debug, Default)]
pub struct TokenVault {
    entries: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<VaultEntry>>>>>,
}

/// Why a session can no longer be used.
#[derive(Debug)]
pub enum SessionEnd {
    /// The vault has no entry (server restarted, signed out elsewhere, swept).
    Gone,
    /// KubeSphere refused the refresh token.
    RefreshRejected,
    /// KubeSphere could not be asked; the session is kept.
    Upstream(KsError),
}

impl TokenVault {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<VaultEntry>>>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores fresh tokens and returns the key to keep in the session record.
    pub fn insert(&self, tokens: TokenSet) -> String {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let now = Instant::now();
        let entry = VaultEntry { expires_at: tokens.expires_in.map(|d| now + d), tokens, last_used: now };
        self.map().insert(key.clone(), Arc::new(tokio::sync::Mutex::new(entry)));
        key
    }

    /// Removes the entry and returns its access token (to revoke it upstream).
    pub async fn remove(&self, key: &str) -> Option<AccessToken> {
        let entry = self.map().remove(key)?;
        let guard = entry.lock().await;
        Some(guard.tokens.access.clone())
    }

    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops entries unused for longer than `idle` (their sessions have expired in the store).
    pub fn sweep(&self, idle: Duration) {
        let now = Instant::now();
        self.map().retain(|_, entry| match entry.try_lock() {
            Ok(e) => now.duration_since(e.last_used) <= idle,
            Err(_) => true, // in use right now
        });
    }

    /// An access token that will stay valid for at least `skew`, refreshing it first if needed.
    /// Concurrent requests of one session wait on the same lock, so only one refresh grant is
    /// sent: with `multipleLogin: false` two racing refreshes would revoke each other.
    pub async fn fresh_access_token(
        &self,
        key: &str,
        ks: &KsClient,
        skew: Duration,
        ctx: &CallContext,
    ) -> Result<AccessToken, SessionEnd> {
        let entry = self.map().get(key).cloned().ok_or(SessionEnd::Gone)?;
        let mut guard = entry.lock().await;
        let now = Instant::now();
        guard.last_used = now;
        if guard.expires_at.is_none_or(|at| at > now + skew) {
            return Ok(guard.tokens.access.clone());
        }
        match ks.refresh_grant(&guard.tokens.refresh, ctx).await {
            Ok(tokens) => {
                guard.expires_at = tokens.expires_in.map(|d| Instant::now() + d);
                guard.tokens = tokens;
                tracing::debug!("refreshed the KubeSphere access token");
                Ok(guard.tokens.access.clone())
            }
            Err(RefreshError::Rejected) => {
                drop(guard);
                self.map().remove(key);
                Err(SessionEnd::RefreshRejected)
            }
            Err(RefreshError::Upstream(e)) => Err(SessionEnd::Upstream(e)),
        }
    }
}

/// Ends the current session: forgets the tokens and flushes the record (and so the cookie).
pub async fn end_session(session: &Session, vault: &TokenVault) -> Option<AccessToken> {
    let record = session.get::<SessionRecord>(SESSION_KEY).await.ok().flatten();
    let token = match record {
        Some(r) => vault.remove(&r.vault_key).await,
        None => None,
    };
    if let Err(e) = session.flush().await {
        tracing::warn!(error = %e, "could not flush the session");
    }
    token
}

/// Upstream access for one server-function call, on behalf of the signed-in user.
pub struct Upstream {
    state: AppState,
    auth: Authenticated,
    request_id: Option<String>,
}

impl Upstream {
    /// Requires a signed-in user (the session middleware has checked and refreshed the token).
    pub fn from_context() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or(AppError::Internal)?;
        let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
        let Some(auth) = parts.extensions.get::<Authenticated>().cloned() else {
            return Err(fail_with(AppError::NotSignedIn));
        };
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        Ok(Self { state, auth, request_id })
    }

    pub fn username(&self) -> &str {
        &self.auth.username
    }

    /// Runs one upstream call. A KubeSphere 401 ends the session (the user must sign in again);
    /// every failure becomes an [`AppError`] with its HTTP status set on the response.
    pub async fn call<'a, T, F, Fut>(&'a self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(UserApi<'a>) -> Fut,
        Fut: Future<Output = Result<T, KsError>>,
    {
        self.call_mapped(f, |_| None).await
    }

    /// Like [`Upstream::call`], with `explain` turning specific KubeSphere answers into a more
    /// precise error (e.g. a 409 into "that username is taken").
    pub async fn call_mapped<'a, T, F, Fut>(
        &'a self,
        f: F,
        explain: impl Fn(&KsError) -> Option<AppError>,
    ) -> Result<T, AppError>
    where
        F: FnOnce(UserApi<'a>) -> Fut,
        Fut: Future<Output = Result<T, KsError>>,
    {
        let api = self.state.ks.as_user(&self.auth.access).with_request_id(self.request_id.clone());
        match f(api).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let app = explain(&e).unwrap_or_else(|| AppError::from(&e));
                if app == AppError::SessionExpired {
                    if let Ok(session) = leptos_axum::extract::<Session>().await {
                        end_session(&session, &self.state.vault).await;
                    }
                }
                tracing::info!(error = %e, request_id = ?self.request_id, "upstream call failed");
                Err(fail_with(app))
            }
        }
    }
}

impl Upstream {
    /// Like [`Upstream::call`], for optional reads: any failure is logged and reported as
    /// `None`, without setting an error status; a KubeSphere 401 still ends the session.
    pub async fn call_quiet<'a, T, F, Fut>(&'a self, f: F) -> Option<T>
    where
        F: FnOnce(UserApi<'a>) -> Fut,
        Fut: Future<Output = Result<T, KsError>>,
    {
        let api = self.state.ks.as_user(&self.auth.access).with_request_id(self.request_id.clone());
        match f(api).await {
            Ok(v) => Some(v),
            Err(e) => {
                if matches!(e, KsError::Unauthenticated { .. }) {
                    if let Ok(session) = leptos_axum::extract::<Session>().await {
                        end_session(&session, &self.state.vault).await;
                    }
                }
                tracing::debug!(error = %e, "optional upstream read failed");
                None
            }
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// Sets the response status for `err` and returns it.
pub fn fail_with(err: AppError) -> AppError {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(err.status());
    }
    err
}
