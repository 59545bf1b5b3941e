//! Upstream access for the server functions: KubeSphere, called with the signed-in person's
//! own token. The session, the token vault and their stores belong to the server, which puts an
//! [`Authenticated`] into the request's extensions once the person's token is fresh.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;
use ks_client::{AccessToken, KsClient, KsError, UserApi};
use leptos::prelude::*;

use crate::error::AppError;

/// Key of the [`crate::forms::Flash`] left by a plain-form submission.
pub const FLASH_KEY: &str = "ks-console.flash";

/// Everything a server function needs, provided as Leptos context by the server.
#[derive(Clone, Debug)]
pub struct AppState {
    pub ks: KsClient,
}

/// Put into the request extensions by the server's session gate once the user's token is fresh.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub username: String,
    pub access: AccessToken,
    /// Ends this session, for when KubeSphere no longer accepts its token.
    pub end_session: EndSession,
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
        let api = self.state.ks.as_user(&self.auth.access).with_request_id(self.request_id.clone());
        match f(api).await {
            Ok(v) => Some(v),
            Err(e) => {
                if matches!(e, KsError::Unauthenticated { .. }) {
                    self.auth.end_session.run().await;
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
