//! Upstream access for the server functions: KubeSphere, called with the signed-in person's
//! own token. The session, the token vault and their stores belong to the server, which puts an
//! [`Authenticated`] into the request's extensions once the person's token is fresh.
//!
//! - `context`: what the server provides (the state, the person, the request id);
//! - `cache`: the session's short-lived cache;
//! - this module: [`Upstream`], the calls themselves and the record of every write.

mod cache;
pub mod contacts;
mod context;

use std::future::Future;
use std::time::Duration;

use http::request::Parts;
use ks_client::{KsError, UserApi};
use leptos::prelude::*;

pub use cache::{SessionCache, SESSION_CACHE_MAX_TTL};
pub use context::{activity_log, fail_with, public_origin, AppState, Authenticated, EndSession, RequestId, Sealer};

use crate::activity_log::{Change, Record, Via};
use crate::error::AppError;

/// How long a change waits for the activity log before it is reported anyway.
const ACTIVITY_LOG_TIMEOUT: Duration = Duration::from_secs(2);

/// Upstream access for one server-function call, on behalf of the signed-in user.
pub struct Upstream {
    state: AppState,
    auth: Authenticated,
    request_id: Option<String>,
}

impl Upstream {
    /// Calls on behalf of `auth`, outside any request (a bulk job runs as its owner).
    pub fn new(state: AppState, auth: Authenticated, request_id: Option<String>) -> Self {
        Self { state, auth, request_id }
    }

    /// The signed-in person of the request being served: only `#[server]` bodies ask, and pass
    /// it on. Requires a signed-in user (the session middleware has checked and refreshed the
    /// token).
    pub fn from_context() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or(AppError::Internal)?;
        let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
        let Some(auth) = parts.extensions.get::<Authenticated>().cloned() else {
            return Err(fail_with(AppError::NotSignedIn));
        };
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        Ok(Self { state, auth, request_id })
    }

    /// What every call shares: the client, the activity log, the sealer, the ways in.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn username(&self) -> &str {
        &self.auth.username
    }

    /// The signed-in person's session cache.
    pub fn cache(&self) -> &SessionCache {
        &self.auth.cache
    }

    fn api(&self) -> UserApi<'_> {
        self.state
            .ks
            .as_user(&self.auth.access)
            .with_request_id(self.request_id.clone())
            .around_write(self.auth.cache.write_hook())
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
        match f(self.api()).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let app = explain(&e).unwrap_or_else(|| AppError::from(&e));
                if app == AppError::SessionExpired {
                    self.auth.end_session.run().await;
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
        self.read(f).await.ok()
    }

    /// Like [`Upstream::call`], for reads whose refusal is itself an answer (a workspace the
    /// caller may not read, a cluster that is not ready): KubeSphere's error comes back as it
    /// is and no status is set; a 401 still ends the session.
    pub async fn read<'a, T, F, Fut>(&'a self, f: F) -> Result<T, KsError>
    where
        F: FnOnce(UserApi<'a>) -> Fut,
        Fut: Future<Output = Result<T, KsError>>,
    {
        let answer = f(self.api()).await;
        if let Err(e) = &answer {
            if matches!(e, KsError::Unauthenticated { .. }) {
                self.auth.end_session.run().await;
            }
            tracing::debug!(error = %e, request_id = ?self.request_id, "upstream read failed or refused");
        }
        answer
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Runs a write (`changes` are what it asks KubeSphere for) and records it in the activity
    /// log, done or failed. A log that cannot be written does not change the outcome the person
    /// sees: it is reported to operators (the log line and the server's failure counter).
    pub async fn recorded<T>(
        &self,
        via: Via,
        changes: Vec<Change>,
        write: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let (result, contacts) = tokio::join!(write, self.contacts(&changes));
        let reason = result.as_ref().err().map(crate::activity_log::Failure::from_error);
        self.record(via, changes, reason, contacts).await;
        result
    }

    /// [`Upstream::recorded`] for a write whose failure is typed already (the planner's calls).
    pub async fn recorded_typed<T>(
        &self,
        via: Via,
        changes: Vec<Change>,
        write: impl Future<Output = Result<T, crate::activity_log::Failure>>,
    ) -> Result<T, crate::activity_log::Failure> {
        let (result, contacts) = tokio::join!(write, self.contacts(&changes));
        self.record(via, changes, result.as_ref().err().cloned(), contacts).await;
        result
    }

    /// Who the changes concern, read while the write is in flight (nothing when nobody is told).
    async fn contacts(&self, changes: &[Change]) -> Option<contacts::Contacts> {
        if !self.state.notify {
            return None;
        }
        Some(contacts::contacts(self, changes).await)
    }

    async fn record(
        &self,
        via: Via,
        changes: Vec<Change>,
        reason: Option<crate::activity_log::Failure>,
        contacts: Option<contacts::Contacts>,
    ) {
        let at_ms = crate::activity_log::ssr::now_ms();
        // English words for whoever reads the database itself; pages use the typed reason.
        let message = reason.as_ref().map(|r| r.text_in(crate::language::Locale::en));
        let records: Vec<Record> = changes
            .into_iter()
            .map(|change| Record {
                at_ms,
                actor: self.auth.username.clone(),
                change,
                succeeded: reason.is_none(),
                message: message.clone(),
                reason: reason.clone(),
                request_id: self.request_id.clone(),
                via,
            })
            .collect();
        let notices = match contacts {
            Some(mut contacts) => {
                contacts::complete(self, &mut contacts, &records).await;
                contacts::notices(&records, &contacts)
            }
            None => Vec::new(),
        };
        let appended = tokio::time::timeout(ACTIVITY_LOG_TIMEOUT, self.state.activity.append(&records, &notices)).await;
        match appended {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, request_id = ?self.request_id, changes = records.len(), "activity log: a change was not recorded")
            }
            Err(_) => {
                tracing::error!(request_id = ?self.request_id, changes = records.len(), "activity log: a change was not recorded (timed out)")
            }
        }
    }
}
