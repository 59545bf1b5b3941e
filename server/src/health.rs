//! `/livez` (the process is up) and `/readyz` (it can serve: the session store answers).
//! Neither needs a session nor sets a cookie. Losing KubeSphere does not make us unready: the
//! console still serves its pages and explains the outage, which is better than being pulled.

use axum::extract::State;
use axum::http::StatusCode;
use tower_sessions::session::Id;
use tower_sessions::SessionStore;

use crate::ServerContext;

pub async fn livez() -> &'static str {
    "ok"
}

pub async fn readyz(State(ctx): State<ServerContext>) -> (StatusCode, &'static str) {
    match ctx.store.load(&Id::default()).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "session store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "session store unreachable")
        }
    }
}
