//! The shared client: how to reach ks-apiserver, the HTTP client built from that (timeouts, no
//! redirects) and the circuit breaker every call passes.

use std::sync::Arc;
use std::time::Duration;

use crate::breaker::Breaker;
use crate::user_api::UserApi;
use crate::{AccessToken, KsError};

/// How to reach ks-apiserver and how patient to be with it.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `http://ks-apiserver.kubesphere-system` (no trailing slash needed).
    pub base_url: String,
    pub oauth_client_id: String,
    pub oauth_client_secret: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Extra attempts for a failed read (GET). Writes and `/oauth/token` are never retried.
    pub max_read_retries: u32,
    /// Consecutive upstream failures that open the circuit breaker (0 disables it).
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
    /// Logout is best effort: it must not hold the user up.
    pub logout_timeout: Duration,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            oauth_client_id: "kubesphere".into(),
            oauth_client_secret: "kubesphere".into(),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            max_read_retries: 1,
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(5),
            logout_timeout: Duration::from_secs(2),
        }
    }
}

/// The shared client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct KsClient {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    pub(crate) base: String,
    pub(crate) breaker: Breaker,
}

/// Per-call context that is not a secret: the request id that ties our logs to KubeSphere's.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    pub request_id: Option<String>,
}

impl KsClient {
    pub fn new(config: ClientConfig) -> Result<Self, KsError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| KsError::Unavailable { detail: format!("building HTTP client: {e}") })?;
        let base = config.base_url.trim_end_matches('/').to_owned();
        let breaker = Breaker::new(config.breaker_threshold, config.breaker_cooldown);
        Ok(Self { inner: Arc::new(Inner { http, config, base, breaker }) })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Calls made with `token`, i.e. with the permissions of the user who owns it.
    pub fn as_user<'a>(&'a self, token: &'a AccessToken) -> UserApi<'a> {
        UserApi::new(self, token)
    }
}
