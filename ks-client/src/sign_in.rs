//! What KubeSphere tells anyone about signing in (`configs/oauth`, §12.1) and the
//! authorization-code exchange (§12.6). Both are asked without an Authorization header.

use std::time::Duration;

use crate::model::OAuthConfiguration;
use crate::upstream_body::read_body;
use crate::{CallContext, KsClient, KsError, TokenSet};

/// Why an authorization code gave no tokens.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// Unknown, expired, already used or not a code: the person starts again.
    #[error("the authorization code is invalid or expired")]
    Rejected,
    /// KubeSphere refused the client or its redirect URI, or did not answer: an operator's matter.
    #[error(transparent)]
    Upstream(KsError),
}

impl KsClient {
    /// KubeSphere's public sign-in configuration: its identity providers (hidden and disabled ones
    /// included) and its OAuth clients, within `timeout` (a sign-in page waits for it). The
    /// answer also holds hosts and DNs: never logged.
    pub async fn oauth_configuration(
        &self,
        timeout: Duration,
        ctx: &CallContext,
    ) -> Result<OAuthConfiguration, KsError> {
        const OPERATION: &str = "GET /kapis/config.kubesphere.io/v1alpha2/configs/oauth";
        let url = format!("{}/kapis/config.kubesphere.io/v1alpha2/configs/oauth", self.inner.base);
        let mut req = self.inner.http.get(url).timeout(timeout);
        if let Some(id) = &ctx.request_id {
            req = req.header("x-request-id", id);
        }
        let started = std::time::Instant::now();
        let res = req.send().await.map_err(|e| {
            crate::telemetry::observe(OPERATION, started, "error");
            KsError::from_transport(&e)
        })?;
        let status = res.status().as_u16();
        crate::telemetry::observe(OPERATION, started, &status.to_string());
        if status != 200 {
            return Err(KsError::from_status(status, read_body(res).await, None));
        }
        res.json()
            .await
            .map_err(|_| KsError::Invalid { status: 200, detail: "configs/oauth answered something unreadable".into() })
    }

    /// Exchanges an authorization code for the person's tokens (`grant_type=authorization_code`,
    /// `client_secret_post`), sent once and never retried: KubeSphere revokes a code after
    /// every exchange. `redirect_uri` must be the one the authorize request named.
    pub async fn code_grant(&self, code: &str, redirect_uri: &str, ctx: &CallContext) -> Result<TokenSet, CodeError> {
        let config = &self.inner.config;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", config.oauth_client_id.as_str()),
            ("client_secret", config.oauth_client_secret.as_str()),
        ];
        match self.token_request(&form, None, ctx).await.map_err(CodeError::Upstream)? {
            Ok(tokens) => Ok(tokens),
            Err((400, err, _)) if err == "invalid_grant" => Err(CodeError::Rejected),
            Err((status, err, retry_after)) => Err(CodeError::Upstream(KsError::from_status(status, err, retry_after))),
        }
    }
}
