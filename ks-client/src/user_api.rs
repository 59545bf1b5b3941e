//! Calls on behalf of one user: the one place a request goes upstream, with the user's bearer
//! token, the request id, the circuit breaker, read retries and the write hook.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::upstream_body::{read_body, retry_after};
use crate::{AccessToken, ApiPath, CallContext, KsClient, KsError, Verb};

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

impl<'a> UserApi<'a> {
    pub(crate) fn new(client: &'a KsClient, token: &'a AccessToken) -> Self {
        Self { client, token, ctx: CallContext::default(), around_write: None }
    }
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
        let attempts = if verb.is_idempotent_read() { 1 + self.client.inner.config.max_read_retries } else { 1 };
        let outcome = with_retries(attempts, || self.send_once(verb, path, body)).await;
        if let Some(hook) = write_hook {
            (hook.0)();
        }
        outcome
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

/// Makes up to `attempts` attempts, with a short growing pause between them, while the
/// upstream is unavailable; any other answer, good or bad, is final.
async fn with_retries<T, F: Future<Output = Result<T, KsError>>>(
    attempts: u32,
    attempt: impl Fn() -> F,
) -> Result<T, KsError> {
    let mut last = KsError::Unavailable { detail: "no attempt made".into() };
    for n in 0..attempts {
        if n > 0 {
            tokio::time::sleep(Duration::from_millis(50 * u64::from(n))).await;
        }
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(e @ KsError::Unavailable { .. }) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}
