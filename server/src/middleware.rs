//! The middleware stack, in one place and in order (outermost first), the way crates.io builds
//! its own: what every response gets, the load limits, then the app's own guards.

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::Router;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::service::SignedCookie;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::{self, Config};
use crate::stores::SharedSessions;
use crate::{errors, forms, language, metrics, rate_limit, request_id, secrets, security, session, ServerContext};

/// `app` behind every layer, `health` behind the outer ones only (probes must get through when
/// the console is busy, and never need a session).
pub(crate) fn around(ctx: &ServerContext, app: Router, health: Router) -> Router {
    // Outer stack, for every response including health checks (outermost first): the request's
    // language; request ids for every log line and response; tracing; metrics; security headers
    // and the CSP nonce; every JSON error in its one shape; a panic answered as a 500.
    let outer = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(language::scope))
        .layer(axum::middleware::from_fn(request_id::sanitize_request_id))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(request_id::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(from_fn_with_state(ctx.clone(), security::security_headers))
        .layer(axum::middleware::from_fn(errors::answer_errors))
        .layer(CatchPanicLayer::custom(errors::panic_response));
    // Load limits, for the app but not the health checks: more than the configured number of
    // requests at once are refused with 503 at once rather than queued, and no request runs
    // longer than the request timeout.
    let load = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async { StatusCode::SERVICE_UNAVAILABLE }))
        .layer(LoadShedLayer::new())
        // tokio's semaphore holds at most MAX_PERMITS: a larger setting means "no limit", not a panic.
        .layer(GlobalConcurrencyLimitLayer::new(
            ctx.config.max_concurrent_requests.clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(ctx.config.request_timeout_secs),
        ));
    // Inner stack, for the app itself: the Host check (DNS rebinding); a bound on request bodies
    // (every form of the app is small; leptos registers each server function's own route, so the
    // bound sits here, in front of all of them: a larger body is refused with 413 before it is
    // read); the same-origin guard (before anything reads the session); the session; plain-form
    // (no WASM) submissions turned into post/redirect/get; the session gate (default-deny and
    // token refresh); the rate limit of server-function calls.
    let sessions = session_layer(&ctx.config, ctx.stores.sessions.clone(), ctx.secrets.cookie_key());
    let inner = ServiceBuilder::new()
        .layer(from_fn_with_state(ctx.clone(), security::host_guard))
        .layer(axum::middleware::from_fn(forms::limit_body))
        .layer(from_fn_with_state(ctx.clone(), security::same_origin_guard))
        .layer(from_fn_with_state(ctx.clone(), secrets::accept_previous_secret))
        .layer(sessions)
        .layer(from_fn_with_state(ctx.clone(), forms::plain_form_submissions))
        .layer(from_fn_with_state(ctx.clone(), session::session_gate))
        .layer(from_fn_with_state(ctx.clone(), rate_limit::limit_api_calls));
    Router::new().merge(health).merge(app.layer(inner).layer(load)).layer(outer)
}

/// The session cookie is signed: a session id read from the store forges nothing.
fn session_layer(
    config: &Config,
    store: SharedSessions,
    key: tower_sessions::cookie::Key,
) -> SessionManagerLayer<SharedSessions, SignedCookie> {
    let same_site = match config.cookie_same_site {
        config::SameSiteSetting::Lax => SameSite::Lax,
        config::SameSiteSetting::Strict => SameSite::Strict,
    };
    let idle = i64::try_from(config.session_idle_timeout_secs).unwrap_or(i64::MAX);
    SessionManagerLayer::new(store)
        .with_name(crate::cookie_name(config))
        .with_http_only(true)
        .with_secure(config.uses_tls())
        .with_same_site(same_site)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(idle)))
        // Every request of a signed-in user extends the idle deadline.
        .with_always_save(true)
        .with_signed(key)
}
