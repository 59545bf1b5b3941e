//! What the server provides to every page and server function: the shared state, and per
//! request the signed-in person (their fresh token, their cache) and the request id.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ks_client::{AccessToken, KsClient};
use leptos::prelude::*;

use super::SessionCache;
use crate::activity_log::ssr::ActivityLog;
use crate::error::AppError;

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

/// Sets the response status for `err` and returns it.
pub fn fail_with(err: AppError) -> AppError {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(err.status());
    }
    err
}
