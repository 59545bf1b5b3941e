//! Token handling: the OAuth grants that turn a password or a refresh token into tokens, and
//! logout. `/oauth/token` is sent exactly once per grant (never retried) and without an
//! Authorization header.

use std::time::Duration;

use serde::Deserialize;

use crate::upstream_body::{read_body, retry_after};
use crate::{AccessToken, CallContext, KsClient, KsError, LoginError, RefreshError, RefreshToken, TokenSet};

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
