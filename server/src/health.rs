//! `/livez` (the process is up) and `/readyz` (it can serve: every store answers).
//! Neither needs a session nor sets a cookie. Losing KubeSphere does not make us unready: the
//! console still serves its pages and explains the outage, which is better than being pulled.

use axum::extract::State;
use axum::http::StatusCode;

use crate::ServerContext;

pub async fn livez() -> &'static str {
    "ok"
}

pub async fn readyz(State(ctx): State<ServerContext>) -> (StatusCode, &'static str) {
    match ctx.stores.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "a store is unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable")
        }
    }
}
