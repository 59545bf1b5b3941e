//! Upstream access for the server functions: KubeSphere, called with the signed-in person's
//! own token. The session, the token vault and their stores belong to the server, which puts an
//! [`Authenticated`] into the request's extensions once the person's token is fresh.

pub mod contacts;

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::request::Parts;
use ks_client::{AccessToken, KsClient, KsError, UserApi, WriteHook};
use leptos::prelude::*;

use crate::audit::ssr::ActivityLog;
use crate::audit::{Change, Record, Via};
use crate::error::AppError;

/// Key of the flash (`forms::Flash`) a plain-form submission leaves in the session.
pub const FLASH_KEY: &str = "ks-console.flash";

/// Everything a server function needs, provided as Leptos context by the server.
#[derive(Clone)]
pub struct AppState {
    pub ks: KsClient,
    /// Where every change made through the console is recorded.
    pub activity: Arc<dyn ActivityLog>,
    /// The server's key, for what a page hands the browser to bring back unread and unchanged.
    pub sealer: Arc<dyn Sealer>,
    /// The ways in the sign-in page offers, from KubeSphere, kept briefly.
    pub sign_in: Arc<crate::sign_in_methods::ssr::SignInMethods>,
    /// The origin people browse to (`PUBLIC_ORIGIN`), for links they share (join links).
    pub public_origin: Arc<str>,
    /// Whether people are told of changes (a notification channel is set up).
    pub notify: bool,
}

/// Authenticated encryption with the server's key, bound to a context: what is sealed for one
/// context does not open in another.
pub trait Sealer: Send + Sync {
    fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8>;
    fn open(&self, context: &str, sealed: &[u8]) -> Option<Vec<u8>>;
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("ks", &self.ks).finish_non_exhaustive()
    }
}

/// The activity log of this console.
pub fn activity_log() -> Result<Arc<dyn ActivityLog>, AppError> {
    Ok(use_context::<AppState>().ok_or(AppError::Internal)?.activity)
}

/// The origin people browse to, for links meant to be shared.
pub fn public_origin() -> Result<Arc<str>, AppError> {
    Ok(use_context::<AppState>().ok_or(AppError::Internal)?.public_origin)
}

/// How long a change waits for the activity log before it is reported anyway.
const ACTIVITY_LOG_TIMEOUT: Duration = Duration::from_secs(2);

/// Put into the request extensions by the server's session gate once the user's token is fresh.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub username: String,
    pub access: AccessToken,
    /// Ends this session, for when KubeSphere no longer accepts its token.
    pub end_session: EndSession,
    /// This session's short-lived cache of what every page asks for.
    pub cache: SessionCache,
}

/// The longest a [`SessionCache`] keeps an answer: a change made through another replica, or
/// in KubeSphere's own console, shows within this time.
pub const SESSION_CACHE_MAX_TTL: Duration = Duration::from_secs(10);

type Cached = (Instant, Arc<dyn Any + Send + Sync>);

/// What rarely changes and every page of one session asks KubeSphere for — the clusters, the
/// signed-in person's platform role and role templates — kept for a few seconds. One per
/// session, never shared between people; emptied before and after each of the person's own
/// writes (so a read racing the write cannot keep the old answer) and dropped at sign-out. Concurrent loads of one key wait for a single upstream call.
#[derive(Clone)]
pub struct SessionCache {
    ttl: Duration,
    slots: Arc<Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Cached>>>>>,
}

impl SessionCache {
    /// A cache keeping answers for `ttl`, at most [`SESSION_CACHE_MAX_TTL`]; zero caches nothing.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl: ttl.min(SESSION_CACHE_MAX_TTL), slots: Arc::default() }
    }

    /// The cached value of `key`, or `load`'s (kept when it succeeds).
    pub async fn get_or_load<T, Fut>(&self, key: &str, load: impl FnOnce() -> Fut) -> Result<T, AppError>
    where
        T: Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>>,
    {
        if self.ttl.is_zero() {
            return load().await;
        }
        let cell = {
            let mut slots = self.slots.lock().map_err(|_| AppError::Internal)?;
            let stale = slots.get(key).and_then(|c| c.get()).is_some_and(|(at, _)| at.elapsed() >= self.ttl);
            if stale {
                slots.remove(key);
            }
            slots.entry(key.to_owned()).or_default().clone()
        };
        let (_, value) = cell
            .get_or_try_init(|| async {
                load().await.map(|v| (Instant::now(), Arc::new(v) as Arc<dyn Any + Send + Sync>))
            })
            .await?;
        value.downcast_ref::<T>().cloned().ok_or(AppError::Internal)
    }

    /// The value kept for `key`, if there is a fresh one (nothing is loaded).
    pub fn peek<T: Clone + Send + Sync + 'static>(&self, key: &str) -> Option<T> {
        let slots = self.slots.lock().ok()?;
        let (at, value) = slots.get(key)?.get()?;
        (at.elapsed() < self.ttl).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }

    /// Forgets everything (before a write, whose effect the next page must show).
    pub fn clear(&self) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.clear();
        }
    }

    /// The hook that empties this cache before every write sent upstream and after its answer.
    fn write_hook(&self) -> WriteHook {
        let cache = self.clone();
        WriteHook::new(move || cache.clear())
    }
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

type EndSessionFn = dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Ends the session a request belongs to: forgets its tokens and its record (and so the cookie).
#[derive(Clone)]
pub struct EndSession(Arc<EndSessionFn>);

impl EndSession {
    pub fn new<F, Fut>(end: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self(Arc::new(move || Box::pin(end())))
    }

    pub async fn run(&self) {
        (self.0)().await
    }
}

impl std::fmt::Debug for EndSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EndSession")
    }
}

/// The request id (`x-request-id`) of the request being served, to pass upstream.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

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
        let reason = result.as_ref().err().map(crate::audit::Failure::from_error);
        self.record(via, changes, reason, contacts).await;
        result
    }

    /// [`Upstream::recorded`] for a write whose failure is typed already (the planner's calls).
    pub async fn recorded_typed<T>(
        &self,
        via: Via,
        changes: Vec<Change>,
        write: impl Future<Output = Result<T, crate::audit::Failure>>,
    ) -> Result<T, crate::audit::Failure> {
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
        reason: Option<crate::audit::Failure>,
        contacts: Option<contacts::Contacts>,
    ) {
        let at_ms = crate::audit::ssr::now_ms();
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

/// Sets the response status for `err` and returns it.
pub fn fail_with(err: AppError) -> AppError {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(err.status());
    }
    err
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::{SessionCache, SESSION_CACHE_MAX_TTL};
    use crate::error::AppError;

    async fn load(cache: &SessionCache, key: &str, calls: &AtomicUsize) -> Result<u32, AppError> {
        cache
            .get_or_load(key, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                Ok(7)
            })
            .await
    }

    #[tokio::test]
    async fn an_answer_is_kept_until_cleared_and_concurrent_loads_ask_once() {
        let (cache, calls) = (SessionCache::new(Duration::from_secs(10)), AtomicUsize::new(0));
        let (a, b) = tokio::join!(load(&cache, "k", &calls), load(&cache, "k", &calls));
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(load(&cache, "k", &calls).await.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one upstream load for three asks");
        assert_eq!(cache.peek::<u32>("k"), Some(7));
        assert_eq!(cache.peek::<u32>("missing"), None);
        load(&cache, "other", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "keys are separate");
        cache.clear();
        assert_eq!(cache.peek::<u32>("k"), None);
        load(&cache, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3, "a write empties the cache");
    }

    #[tokio::test]
    async fn answers_expire_failures_are_not_kept_and_the_lifetime_is_at_most_ten_seconds() {
        let (cache, calls) = (SessionCache::new(Duration::from_millis(30)), AtomicUsize::new(0));
        load(&cache, "k", &calls).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        load(&cache, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "an expired answer is asked again");

        let failing = cache.get_or_load::<u32, _>("f", || async { Err(AppError::TemporarilyUnavailable) }).await;
        assert!(failing.is_err());
        assert_eq!(cache.get_or_load("f", || async { Ok(1u32) }).await.unwrap(), 1, "a failure is not kept");

        assert_eq!(SessionCache::new(Duration::from_secs(3600)).ttl, SESSION_CACHE_MAX_TTL);
        let (off, calls) = (SessionCache::new(Duration::ZERO), AtomicUsize::new(0));
        load(&off, "k", &calls).await.unwrap();
        load(&off, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "zero keeps nothing");
    }
}
