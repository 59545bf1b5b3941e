//! `POST /login` and `POST /logout`: plain form handlers, so they work with and without the WASM.
//! Browsers get the login page back (with the status) or a redirect; clients that ask for JSON
//! (`Accept: application/json`) get `{code, message}` or `{redirect}`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use app::auth::safe_next_path;
use app::error::AppError;
use app::CspNonce;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use ipnet::IpNet;
use ks_client::{CallContext, Credentials, LoginError};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::request_id::request_id_of;
use crate::stores::{Admission, MAX_LOGIN_NAME};
use crate::vault::{end_session, SessionRecord, SESSION_KEY};
use crate::ServerContext;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// Where the account lives: empty for a KubeSphere account, else an identity provider's name.
    #[serde(default)]
    provider: String,
    #[serde(default)]
    next: Option<String>,
}

/// An identity provider's name as a sign-in form may send it: KubeSphere makes it part of an
/// annotation key, so letters, digits, `.`, `_` and `-`, at most 63 of them.
fn provider_of(raw: &str) -> Result<Option<&str>, ()> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let fits = name.len() <= 63 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if fits {
        Ok(Some(name))
    } else {
        Err(())
    }
}

/// Answer to a JSON client after a successful login or logout.
#[derive(Serialize)]
struct Redirected {
    redirect: String,
}

pub async fn login(State(ctx): State<ServerContext>, session: Session, req: Request) -> Response {
    let request_id = request_id_of(&req);
    let wants_json = wants_json(req.headers());
    let client_ip = client_ip(&req, &ctx.config.trusted_proxies);
    let nonce = req.extensions().get::<CspNonce>().cloned();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        let err = AppError::Invalid(app::error::sentences::enter_credentials());
        return crate::errors::error_response(&err, request_id);
    };
    let next = safe_next_path(form.next.as_deref());
    let kept = (form.username.as_str(), form.provider.as_str());
    let fail = |err: AppError, retry_after: Option<Duration>| {
        failed_login(&ctx, err, retry_after, wants_json, kept, &next, nonce.clone(), request_id.clone())
    };

    let username = form.username.trim();
    if username.is_empty() || form.password.is_empty() {
        return fail(AppError::InvalidCredentials, None).await;
    }
    let provider = provider_of(&form.provider);
    if username.len() > MAX_LOGIN_NAME || provider.is_err() {
        // Refused before counting: no store key grows with what a client sends.
        let err = AppError::InvalidCredentials;
        return failed_login(&ctx, err, None, wants_json, ("", ""), &next, nonce, request_id).await;
    }
    let provider = provider.unwrap_or_default();
    // Counted per way in and login name, as it starts: parallel guesses cannot all pass the
    // check before one is counted.
    let counted_as = provider.map_or_else(|| username.to_owned(), |p| format!("{p}/{username}"));
    let attempt = match client_ip {
        Some(ip) => match ctx.stores.attempts.begin(&counted_as, ip).await {
            Ok(Admission::Counted(ticket)) => Some(ticket),
            Ok(Admission::Wait(wait)) => {
                tracing::warn!(ip = ?client_ip, "login throttled by the console");
                metrics::counter!("ks_console_logins_total", "outcome" => "throttled").increment(1);
                return fail(AppError::TooManyRequests, Some(wait)).await;
            }
            Err(e) => {
                // Without its counts the throttle cannot tell guessing from signing in.
                tracing::error!(error = %e, "login throttle store unavailable");
                return fail(AppError::TemporarilyUnavailable, None).await;
            }
        },
        None => None,
    };

    let call = CallContext { request_id: request_id.clone() };
    let ip_text = client_ip.map(|ip| ip.to_string());
    let credentials = Credentials { username, password: &form.password, provider };
    let outcome = ctx.state.ks.password_grant(credentials, ip_text.as_deref(), &call).await;
    let guessed_wrong = matches!(outcome, Err(LoginError::InvalidCredentials | LoginError::RateLimited { .. }));
    // A wrong guess stays counted; anything else is taken back.
    if let Some(ticket) = attempt.filter(|_| !guessed_wrong) {
        if let Err(e) = ctx.stores.attempts.forgive(ticket).await {
            tracing::warn!(error = %e, "could not take back a login attempt");
        }
    }
    let counted = match &outcome {
        Ok(_) => "success",
        Err(LoginError::InvalidCredentials) => "failure",
        Err(LoginError::RateLimited { .. }) => "locked",
        Err(LoginError::MethodUnavailable) => "unavailable",
        Err(LoginError::Upstream(_)) => "error",
    };
    metrics::counter!("ks_console_logins_total", "outcome" => counted).increment(1);
    let tokens = match outcome {
        Ok(tokens) => tokens,
        Err(LoginError::InvalidCredentials) => return fail(AppError::InvalidCredentials, None).await,
        Err(LoginError::RateLimited { retry_after }) => {
            let lockout = Duration::from_secs(ctx.config.ks_lockout_secs);
            return fail(AppError::AccountLocked, retry_after.or(Some(lockout))).await;
        }
        Err(LoginError::MethodUnavailable) => {
            tracing::warn!(provider = ?provider, "the chosen identity provider could not sign this person in");
            return fail(AppError::SignInMethodUnavailable, None).await;
        }
        Err(LoginError::Upstream(e)) => {
            tracing::warn!(error = %e, "login failed upstream");
            return fail(AppError::from(&e), None).await;
        }
    };

    // The account may have been named by e-mail: the token says who it really is.
    let username = tokens.access.username_claim().unwrap_or_else(|| username.to_owned());
    // A directory person's first sign-in under `manual` mapping: not signed in yet.
    let registering = tokens.access.pre_registration();
    let vault_key = match crate::sign_in::begin_session(&ctx, &session, &username, tokens, &request_id).await {
        Ok(key) => key,
        Err(err) => return fail(err, None).await,
    };
    if let Some(pre) = registering {
        return crate::registration::begin(&ctx, &session, pre, vault_key, (&next, wants_json)).await;
    }
    if let Err(err) = crate::sign_in::finish_sign_in(&ctx, &session, &username, vault_key, None, &request_id).await {
        return fail(err, None).await;
    }
    tracing::info!(user = %username, "signed in");
    if wants_json {
        Json(Redirected { redirect: next }).into_response()
    } else {
        Redirect::to(&next).into_response()
    }
}

#[allow(clippy::too_many_arguments)]
async fn failed_login(
    ctx: &ServerContext,
    err: AppError,
    retry_after: Option<Duration>,
    wants_json: bool,
    (username, provider): (&str, &str),
    next: &str,
    nonce: Option<CspNonce>,
    request_id: Option<String>,
) -> Response {
    let mut res = if wants_json {
        crate::errors::error_response(&err, request_id)
    } else {
        // Render the login page again, with the message and the username kept.
        let kept = [("error", err.code()), ("next", next), ("username", username), ("provider", provider)];
        let query = serde_urlencoded::to_string(kept).unwrap_or_default();
        let mut page_req = Request::get(format!("/login?{query}")).body(Body::empty()).unwrap_or_default();
        if let Some(nonce) = nonce {
            page_req.extensions_mut().insert(nonce);
        }
        let mut res = (ctx.render_page)(page_req).await;
        *res.status_mut() = err.status();
        res
    };
    if let Some(wait) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

pub async fn logout(State(ctx): State<ServerContext>, session: Session, req: Request) -> Response {
    let request_id = request_id_of(&req);
    let wants_json = wants_json(req.headers());
    // Which single sign-on provider the session began with: the sign-in page then offers
    // KubeSphere's (and the provider's) sign-out too.
    let via = session.get::<SessionRecord>(SESSION_KEY).await.ok().flatten().and_then(|r| r.via);
    // Forget everything locally first, so the user is signed out whatever KubeSphere does.
    if let Some(token) = end_session(&session, &ctx.vault).await {
        let call = CallContext { request_id };
        if let Err(e) = ctx.state.ks.logout(&token, &call).await {
            tracing::warn!(error = %e, "KubeSphere logout failed; the session is closed anyway");
        }
    }
    let to = match via {
        Some(via) => format!(
            "/login?{}",
            serde_urlencoded::to_string([("reason", "signed_out"), ("via", &via)]).unwrap_or_default()
        ),
        None => "/login?reason=signed_out".to_owned(),
    };
    if wants_json {
        Json(Redirected { redirect: to }).into_response()
    } else {
        Redirect::to(&to).into_response()
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// The client's address: the peer, unless the peer is a trusted proxy; then `X-Forwarded-For`
/// (all its lines, in order) is read from the right, through trusted proxies, to the first hop
/// that is not one. A hop that is not an address ends the walk at the proxy that reported it.
/// Headers from untrusted peers are ignored.
pub fn client_ip(req: &Request, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        if req.headers().contains_key("x-forwarded-for") {
            warn_once_of_untrusted_forwarding(peer);
        }
        return Some(peer);
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// A proxy in front of the console whose address is not in `TRUSTED_PROXIES` makes every
/// person look alike to the login throttle: say so once, for the operator.
fn warn_once_of_untrusted_forwarding(peer: IpAddr) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "X-Forwarded-For from a peer not in TRUSTED_PROXIES is ignored; if it is your ingress \
             controller, add its pods' addresses to TRUSTED_PROXIES"
        );
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests;
