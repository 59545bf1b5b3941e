//! The session gate: loads the session, enforces the absolute lifetime, refreshes the
//! KubeSphere token before anything renders (cookies set during streamed SSR can be lost), and
//! turns away requests without a session: 401 for `/api`, a redirect to `/login` for pages.

use std::time::Duration;

use app::auth::{login_url, safe_next_path};
use app::error::AppError;
use app::upstream::{Authenticated, EndSession, RequestId};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ks_client::CallContext;
use tower_sessions::Session;

use crate::clock::now_unix_ms;
use crate::request_id::request_id_of;
use crate::stores::TokenUse;
use crate::vault::{end_session, SessionEnd, SessionRecord, SESSION_KEY};
use crate::ServerContext;

/// Paths that need no session. Everything else is denied by default.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | crate::registration::CONFIRM_PATH
            | crate::single_sign_on::START_PATH
            | crate::single_sign_on::CALLBACK_PATH
            | "/logout"
            | "/language"
            | "/livez"
            | "/readyz"
            | "/favicon.ico"
            | "/robots.txt"
    ) || path.starts_with("/pkg/")
}

/// Which vault entry the signed-in request's session holds (for per-session limits, and for a
/// job to act with), and when its sign-in was (a job never outlives the session's lifetime).
#[derive(Clone, Debug)]
pub struct SessionKey {
    pub vault_key: String,
    pub signed_in_at_ms: u64,
}

pub async fn session_gate(
    State(ctx): State<ServerContext>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let request_id = request_id_of(&req);
    if let Some(id) = &request_id {
        req.extensions_mut().insert(RequestId(id.clone()));
    }
    let path = req.uri().path().to_owned();
    let had_cookie = has_session_cookie(&req, &ctx.cookie_name);

    let record = match session.get::<SessionRecord>(SESSION_KEY).await {
        Ok(record) => record,
        // The store is away: say so, and leave the cookie alone (a 5xx is never saved over).
        Err(e) => {
            tracing::error!(error = %e, "session store unavailable");
            return temporarily_unavailable(&req, request_id);
        }
    };
    let ended = match record {
        None => had_cookie,
        Some(record) => {
            let max_ms = ctx.config.session_max_lifetime_secs.saturating_mul(1000);
            if now_unix_ms().saturating_sub(record.signed_in_at_ms) >= max_ms {
                tracing::info!(user = %record.username, "session reached its maximum lifetime");
                end_session(&session, &ctx.vault).await;
                true
            } else {
                let skew = Duration::from_secs(ctx.config.token_refresh_skew_secs);
                let call = CallContext { request_id: request_id.clone() };
                match ctx
                    .vault
                    .fresh_access_token(
                        (&record.vault_key, &record.username, TokenUse::Session),
                        &ctx.state.ks,
                        skew,
                        &call,
                    )
                    .await
                {
                    Ok(access) => {
                        // A signed-in user has nothing to do on the login page.
                        if path == "/login" && req.method() == Method::GET {
                            let next = req.uri().query().and_then(|q| {
                                serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                                    .ok()?
                                    .into_iter()
                                    .find(|(k, _)| k == "next")
                                    .map(|(_, v)| v)
                            });
                            return Redirect::to(&safe_next_path(next.as_deref())).into_response();
                        }
                        let end_session = {
                            let (session, vault) = (session.clone(), ctx.vault.clone());
                            EndSession::new(move || {
                                let (session, vault) = (session.clone(), vault.clone());
                                async move {
                                    end_session(&session, &vault).await;
                                }
                            })
                        };
                        let cache = ctx.vault.cache_for(&record.vault_key);
                        req.extensions_mut().insert(SessionKey {
                            vault_key: record.vault_key,
                            signed_in_at_ms: record.signed_in_at_ms,
                        });
                        req.extensions_mut().insert(Authenticated {
                            username: record.username,
                            access,
                            end_session,
                            cache,
                        });
                        return next.run(req).await;
                    }
                    Err(SessionEnd::Upstream(e)) => {
                        // KubeSphere could not be asked: keep the session, report the outage.
                        let err = AppError::from(&e);
                        tracing::warn!(error = %e, "token refresh failed upstream");
                        if is_public(&path) {
                            return next.run(req).await;
                        }
                        return crate::errors::error_response(&err, request_id);
                    }
                    Err(SessionEnd::Store(e)) => {
                        tracing::error!(error = %e, "token store unavailable");
                        return temporarily_unavailable(&req, request_id);
                    }
                    Err(SessionEnd::Gone | SessionEnd::RefreshRejected) => {
                        tracing::info!(user = %record.username, "KubeSphere ended the session");
                        end_session(&session, &ctx.vault).await;
                        true
                    }
                }
            }
        }
    };

    if path == crate::registration::CONFIRM_PATH && req.method() == Method::GET {
        if let Some(elsewhere) = crate::registration::prepare_page(&session, &mut req).await {
            return elsewhere;
        }
    }
    if is_public(&path) {
        return next.run(req).await;
    }
    let err = if ended { AppError::SessionExpired } else { AppError::NotSignedIn };
    // A page's own form (`/onboard`) posted by a browser whose session ended goes to sign in,
    // like a page; server functions and other clients get the error itself.
    let browser_form = req.method() == Method::POST
        && req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if path.starts_with("/api/") || !(matches!(*req.method(), Method::GET | Method::HEAD) || browser_form) {
        return crate::errors::error_response(&err, request_id);
    }
    let here = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let reason = ended.then_some(&err);
    Redirect::to(&login_url(here, reason)).into_response()
}

/// 503 with a sentence: JSON for server functions, a small page for a browser.
fn temporarily_unavailable(req: &Request, request_id: Option<String>) -> Response {
    let err = AppError::TemporarilyUnavailable;
    let mut res = if req.uri().path().starts_with("/api/") || *req.method() != Method::GET {
        crate::errors::error_response(&err, request_id)
    } else {
        let locale = app::language::locale();
        let page = format!(
            "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{title} · KS Console</title></head>\
             <body><main><h1>{title}</h1><p>{message}</p><p><a href=\"\">{again}</a></p></main></body></html>",
            lang = app::language::html_tag(locale),
            title = app::error::sentences::unavailable_title(),
            message = err.message(),
            again = app::error::sentences::try_again(),
        );
        (err.status(), axum::response::Html(page)).into_response()
    };
    res.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
    res
}

fn has_session_cookie(req: &Request, name: &str) -> bool {
    crate::single_sign_on::cookie_value(req.headers(), name).is_some()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_the_login_flow_health_and_assets_are_public() {
        for p in ["/login", "/logout", "/livez", "/readyz", "/pkg/ks-console.wasm", "/favicon.ico"] {
            assert!(is_public(p), "{p}");
        }
        for p in ["/", "/api/current_user", "/users", "/login/x", "/pkgs", "/api/login"] {
            assert!(!is_public(p), "{p}");
        }
    }

    #[test]
    fn a_session_cookie_is_recognised_by_name() {
        let req = |c: &str| Request::builder().header("cookie", c).body(axum::body::Body::empty()).unwrap();
        assert!(has_session_cookie(&req("a=1; ks-console=abc"), "ks-console"));
        assert!(!has_session_cookie(&req("other=ks-console"), "ks-console"));
        assert!(!has_session_cookie(&req("ks-console-x=1"), "ks-console"));
    }
}
