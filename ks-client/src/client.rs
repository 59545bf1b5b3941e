//! The HTTP side: timeouts, no redirects, retries for reads only, a circuit breaker, and the
//! mapping of upstream answers to [`KsError`].

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::breaker::Breaker;
use crate::model::{ListResult, User};
use crate::{AccessToken, ApiPath, KsError, LoginError, RefreshError, RefreshToken, TokenSet, Verb};

const IAM: &str = "/kapis/iam.kubesphere.io/v1beta1";
/// Upstream bodies are logged, never shown; this bounds what a log line can carry.
const MAX_LOGGED_BODY: usize = 2048;

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

/// What a person typed to sign in, and where the account lives (`None`: a KubeSphere account).
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub provider: Option<&'a str>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("provider", &self.provider).finish_non_exhaustive()
    }
}

/// Per-call context that is not a secret: the request id that ties our logs to KubeSphere's.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
struct OAuthTokenResponse {
    access_token: String,
    refresh_token: String,
    /// Absent when KubeSphere's access-token max age is 0 (`omitempty`).
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
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
        UserApi { client: self, token, ctx: CallContext::default(), around_write: None }
    }

    /// The OAuth password grant (`shared/kubesphere-api.md` §2.1; with `provider`, §12.2: a
    /// password-type identity provider such as LDAP). `client_ip` is forwarded as
    /// `x-client-ip`, which KubeSphere records in its login history.
    pub async fn password_grant(
        &self,
        credentials: Credentials<'_>,
        client_ip: Option<&str>,
        ctx: &CallContext,
    ) -> Result<TokenSet, LoginError> {
        let mut form = vec![
            ("grant_type", "password"),
            ("username", credentials.username),
            ("password", credentials.password),
            ("client_id", self.inner.config.oauth_client_id.as_str()),
            ("client_secret", self.inner.config.oauth_client_secret.as_str()),
        ];
        if let Some(provider) = credentials.provider {
            form.push(("provider", provider));
        }
        let response = self.token_request(&form, client_ip, ctx).await.map_err(LoginError::Upstream)?;
        match response {
            Ok(tokens) => Ok(tokens),
            Err((429, _, retry_after)) => Err(LoginError::RateLimited { retry_after }),
            // KubeSphere answers 400 invalid_grant for a wrong password, an unknown user and a
            // suspended account alike (and 401 for a bad client secret).
            Err((400, err, _)) if err == "invalid_grant" => Err(LoginError::InvalidCredentials),
            // A provider that is unknown, disabled, unreachable, or that may not map this person
            // (§12.2 rows 2, 3, 5, 6, 7): a 500, not a wrong password.
            Err((500, _, _)) if credentials.provider.is_some() => Err(LoginError::MethodUnavailable),
            Err((status, err, retry_after)) => {
                Err(LoginError::Upstream(KsError::from_status(status, err, retry_after)))
            }
        }
    }

    /// The OAuth refresh grant (§2.2).
    pub async fn refresh_grant(&self, refresh: &RefreshToken, ctx: &CallContext) -> Result<TokenSet, RefreshError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", self.inner.config.oauth_client_id.as_str()),
            ("client_secret", self.inner.config.oauth_client_secret.as_str()),
        ];
        match self.token_request(&form, None, ctx).await.map_err(RefreshError::Upstream)? {
            Ok(tokens) => Ok(tokens),
            Err((400 | 401, _, _)) => Err(RefreshError::Rejected),
            Err((status, err, retry_after)) => {
                Err(RefreshError::Upstream(KsError::from_status(status, err, retry_after)))
            }
        }
    }

    /// Revokes the access token upstream (`GET /oauth/logout`, §2.4), best effort and bounded
    /// by the logout timeout.
    pub async fn logout(&self, token: &AccessToken, ctx: &CallContext) -> Result<(), KsError> {
        let url = format!("{}/oauth/logout", self.inner.base);
        let mut req = self.inner.http.get(url).bearer_auth(token.expose()).timeout(self.inner.config.logout_timeout);
        if let Some(id) = &ctx.request_id {
            req = req.header("x-request-id", id);
        }
        let started = std::time::Instant::now();
        let res = req.send().await.map_err(|e| {
            crate::telemetry::observe("GET /oauth/logout", started, "error");
            KsError::from_transport(&e)
        })?;
        let status = res.status().as_u16();
        crate::telemetry::observe("GET /oauth/logout", started, &status.to_string());
        if status == 200 {
            Ok(())
        } else {
            Err(KsError::from_status(status, read_body(res).await, None))
        }
    }

    /// Sends one form to `/oauth/token`, exactly once (never retried, no Authorization header).
    /// `Err((status, oauth error code, retry-after))` for a non-200 answer.
    pub(crate) async fn token_request(
        &self,
        form: &[(&str, &str)],
        client_ip: Option<&str>,
        ctx: &CallContext,
    ) -> Result<Result<TokenSet, (u16, String, Option<Duration>)>, KsError> {
        let started = std::time::Instant::now();
        let Ok(permit) = self.inner.breaker.admit() else {
            crate::telemetry::observe("POST /oauth/token", started, "breaker_open");
            return Err(KsError::Unavailable { detail: "circuit breaker open".into() });
        };
        let url = format!("{}/oauth/token", self.inner.base);
        let mut req = self.inner.http.post(url).form(form);
        if let Some(ip) = client_ip {
            req = req.header("x-client-ip", ip);
        }
        if let Some(id) = &ctx.request_id {
            req = req.header("x-request-id", id);
        }
        let result = req.send().await;
        let res = match result {
            Ok(res) => res,
            Err(e) => {
                let err = KsError::from_transport(&e);
                permit.record(true);
                crate::telemetry::observe("POST /oauth/token", started, "error");
                return Err(err);
            }
        };
        let status = res.status().as_u16();
        permit.record(status >= 500);
        crate::telemetry::observe("POST /oauth/token", started, &status.to_string());
        if status == 200 {
            let body: OAuthTokenResponse =
                res.json().await.map_err(|e| KsError::Unavailable { detail: format!("token response: {e}") })?;
            let access = AccessToken::new(body.access_token);
            // Without `expires_in`, the JWT's own `exp` decides; without both, the token does
            // not expire by time (KubeSphere's max age 0) and a 401 ends the session instead.
            let expires_in = body.expires_in.map(Duration::from_secs).or_else(|| access.lifetime_left());
            return Ok(Ok(TokenSet { access, refresh: RefreshToken::new(body.refresh_token), expires_in }));
        }
        let retry_after = retry_after(&res);
        let text = read_body(res).await;
        let code = serde_json::from_str::<OAuthError>(&text).map(|e| e.error).unwrap_or_default();
        tracing::info!(status, oauth_error = %code, request_id = ?ctx.request_id, "token endpoint refused");
        Ok(Err((status, code, retry_after)))
    }
}

/// Called before every write (POST or PUT) is sent and again once it is answered: what a caller
/// cached about the user's world may be about to change, and a read that raced the write may
/// have cached what was there before.
#[derive(Clone)]
pub struct WriteHook(Arc<dyn Fn() + Send + Sync>);

impl WriteHook {
    pub fn new(hook: impl Fn() + Send + Sync + 'static) -> Self {
        Self(Arc::new(hook))
    }
}

impl std::fmt::Debug for WriteHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteHook")
    }
}

/// Calls on behalf of one user. Built by [`KsClient::as_user`].
#[derive(Debug)]
pub struct UserApi<'a> {
    client: &'a KsClient,
    token: &'a AccessToken,
    ctx: CallContext,
    around_write: Option<WriteHook>,
}

impl UserApi<'_> {
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.ctx.request_id = request_id;
        self
    }

    /// Runs `hook` before each write this handle sends and after its answer (or failure).
    pub fn around_write(mut self, hook: WriteHook) -> Self {
        self.around_write = Some(hook);
        self
    }

    /// `GET /kapis/iam.kubesphere.io/v1beta1/users/{name}`
    pub async fn get_user(&self, name: &str) -> Result<User, KsError> {
        self.send(Verb::Get, &ApiPath::fixed(IAM).lit("users").seg(name), None::<&()>).await
    }

    /// `GET /kapis/iam.kubesphere.io/v1beta1/users` with list parameters (§1.5).
    pub async fn list_users(&self, params: &[(&str, &str)]) -> Result<ListResult<User>, KsError> {
        let mut path = ApiPath::fixed(IAM).lit("users");
        for (k, v) in params {
            path = path.query(k, *v);
        }
        self.send(Verb::Get, &path, None::<&()>).await
    }

    /// The one place a request goes upstream: bearer token, request id, breaker, read retries.
    pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        verb: Verb,
        path: &ApiPath,
        body: Option<&B>,
    ) -> Result<T, KsError> {
        let write_hook = self.around_write.as_ref().filter(|_| !verb.is_idempotent_read());
        if let Some(hook) = write_hook {
            (hook.0)();
        }
        let outcome = self.send_with_retries(verb, path, body).await;
        if let Some(hook) = write_hook {
            (hook.0)();
        }
        outcome
    }

    async fn send_with_retries<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        verb: Verb,
        path: &ApiPath,
        body: Option<&B>,
    ) -> Result<T, KsError> {
        let inner = &self.client.inner;
        let attempts = if verb.is_idempotent_read() { 1 + inner.config.max_read_retries } else { 1 };
        let mut last = KsError::Unavailable { detail: "no attempt made".into() };
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            }
            match self.send_once(verb, path, body).await {
                Ok(value) => return Ok(value),
                Err(e @ KsError::Unavailable { .. }) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    async fn send_once<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        verb: Verb,
        path: &ApiPath,
        body: Option<&B>,
    ) -> Result<T, KsError> {
        let inner = &self.client.inner;
        if !path.is_sendable() {
            return Err(KsError::Invalid {
                status: 400,
                detail: format!("refused to send a . or .. segment: {}", path.as_path()),
            });
        }
        let operation = format!("{} {}", verb.method(), path.template());
        let started = std::time::Instant::now();
        let Ok(permit) = inner.breaker.admit() else {
            crate::telemetry::observe(&operation, started, "breaker_open");
            return Err(KsError::Unavailable { detail: "circuit breaker open".into() });
        };
        let url = format!("{}{}", inner.base, path.as_path());
        let mut req = inner.http.request(verb.method(), url).query(path.query_pairs()).bearer_auth(self.token.expose());
        if let Some(id) = &self.ctx.request_id {
            req = req.header("x-request-id", id);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let mut answered = None;
        let outcome = async {
            let res = req.send().await.map_err(|e| KsError::from_transport(&e))?;
            let status = res.status().as_u16();
            answered = Some(status);
            if status == 200 {
                return res
                    .json::<T>()
                    .await
                    .map_err(|e| KsError::Unavailable { detail: format!("decoding {}: {e}", path.as_path()) });
            }
            let retry_after = retry_after(&res);
            let detail = read_body(res).await;
            tracing::info!(status, verb = ?verb, path = path.as_path(), request_id = ?self.ctx.request_id,
                upstream_body = %detail, "KubeSphere answered with an error");
            Err(KsError::from_status(status, detail, retry_after))
        }
        .await;
        permit.record(matches!(&outcome, Err(e) if e.is_upstream_failure()));
        crate::telemetry::observe(&operation, started, &crate::telemetry::outcome_of(answered));
        outcome
    }
}

fn retry_after(res: &reqwest::Response) -> Option<Duration> {
    res.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The upstream body, for the logs and for telling refusals apart: bounded, and with every
/// value Kubernetes echoes back (`Invalid value: "…"`, which may be a submitted password)
/// redacted before it can reach a log line.
pub(crate) async fn read_body(res: reqwest::Response) -> String {
    let mut text = redact_echoed_values(&res.text().await.unwrap_or_default());
    if text.len() > MAX_LOGGED_BODY {
        let mut cut = MAX_LOGGED_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text.trim_end().to_owned()
}

/// Replaces each quoted value after `Invalid value: ` with `"[redacted]"` (escapes inside the
/// quotes are honoured, so a value cannot end the redaction early).
fn redact_echoed_values(body: &str) -> String {
    const MARK: &str = "Invalid value: \"";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        out.push_str("[redacted]\"");
        let value = &rest[at + MARK.len()..];
        let mut escaped = false;
        let end = value
            .char_indices()
            .find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
            .map_or(value.len(), |(i, _)| i + 1);
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_echoed_values;

    #[test]
    fn echoed_values_never_reach_the_logs() {
        let body = r#"User.iam.kubesphere.io "zed" is invalid: spec.password: Invalid value: "Sec\"ret\nPass1": spec.password in body should match '^x$'"#;
        let redacted = redact_echoed_values(body);
        assert!(!redacted.contains("Sec") && !redacted.contains("Pass1"), "{redacted}");
        assert!(
            redacted.ends_with(r#"Invalid value: "[redacted]": spec.password in body should match '^x$'"#),
            "{redacted}"
        );
        assert_eq!(redact_echoed_values("member alice not exist"), "member alice not exist");
    }
}
