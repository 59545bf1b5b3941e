//! A per-session rate limit on server functions (governor's keyed GCRA limiter), so that one
//! signed-in browser cannot monopolise the console or KubeSphere. Keys are sessions the gate
//! has already authenticated, so nobody can grow the table with made-up cookies. Per replica.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use app::error::AppError;
use app::upstream::Authenticated;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::request_id::request_id_of;
use crate::ServerContext;

pub type ApiLimiter = Arc<DefaultKeyedRateLimiter<String>>;

/// `per_second` calls on average, bursts of twice that; `None` when switched off.
pub fn api_limiter(per_second: u32) -> Option<ApiLimiter> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
    let limiter: ApiLimiter = Arc::new(RateLimiter::dashmap(Quota::per_second(rate).allow_burst(burst)));
    // Forget sessions that have been quiet long enough to be back at a full burst.
    let sweeping = Arc::clone(&limiter);
    crate::background::spawn_every(Duration::from_secs(60), move || {
        sweeping.retain_recent();
        sweeping.shrink_to_fit();
    });
    Some(limiter)
}

pub async fn limit_api_calls(State(ctx): State<ServerContext>, req: Request, next: Next) -> Response {
    let ext = req.extensions();
    let (Some(limiter), Some(auth), Some(key)) =
        (&ctx.api_limiter, ext.get::<Authenticated>(), ext.get::<crate::session::SessionKey>())
    else {
        return next.run(req).await;
    };
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if let Err(not_until) = limiter.check_key(&key.vault_key) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        tracing::warn!(user = %auth.username, "server-function calls rate limited");
        let err = AppError::TooManyRequests;
        let mut res = crate::errors::error_response(&err, request_id_of(&req));
        let secs = wait.as_secs().max(1).to_string();
        if let Ok(v) = HeaderValue::from_str(&secs) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    next.run(req).await
}
