//! Single sign-on through KubeSphere's console (the "portal") with the authorization-code flow
//! (`shared/kubesphere-api.md` §12.5–§12.6). `GET /login/sso` sends the browser to the portal's
//! `/oauth/authorize`; KubeSphere sends it back to `GET /oauth/callback` with a one-time code,
//! which is exchanged here, server-side, for the person's tokens.
//!
//! KubeSphere checks neither `state` nor PKCE and does not bind a code to the browser, so the
//! console binds the flow itself: a fresh `state` and PKCE verifier, and the page to return to,
//! live in a sealed cookie for ten minutes; the callback refuses anything whose `state` is not
//! that cookie's, before any exchange. Nothing is stored server-side for a signed-out visitor.

use std::time::Duration;

use app::auth::safe_next_path;
use app::error::AppError;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use ks_client::{CallContext, CodeError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::Session;

use crate::clock::now_unix_ms;
use crate::request_id::request_id_of;
use crate::ServerContext;

pub const START_PATH: &str = "/login/sso";
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// How long a started sign-in may take (KubeSphere's codes live as long).
const FLOW_LIFETIME: Duration = Duration::from_secs(600);

/// The flow's cookie name: `__Host-` wherever TLS is used, as the session cookie's.
pub fn flow_cookie_name(uses_tls: bool) -> &'static str {
    if uses_tls {
        "__Host-ks-console-sso"
    } else {
        "ks-console-sso"
    }
}

/// What a started sign-in keeps in its sealed cookie.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    state: String,
    verifier: String,
    next: String,
    provider: String,
    started_ms: u64,
}

#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    provider: String,
    #[serde(default)]
    next: Option<String>,
}

fn random_text() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn login_page_with(err: &AppError, next: &str) -> Response {
    let query = serde_urlencoded::to_string([("error", err.code()), ("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// `GET /login/sso?provider=…&next=…`: starts a sign-in through KubeSphere's console.
pub async fn start(State(ctx): State<ServerContext>, Query(start): Query<Start>) -> Response {
    let next = safe_next_path(start.next.as_deref());
    let sign_in = &ctx.state.sign_in;
    let Some(settings) = sign_in.single_sign_on_settings() else {
        return login_page_with(&AppError::SignInMethodUnavailable, &next);
    };
    // Only a provider the sign-in page offers right now.
    let known = sign_in.known(&ctx.state.ks).await;
    if !known.single_sign_on().iter().any(|m| m.name == start.provider) {
        return login_page_with(&AppError::SignInMethodUnavailable, &next);
    }
    let flow = Flow {
        state: random_text(),
        verifier: random_text(),
        next,
        provider: start.provider,
        started_ms: now_unix_ms(),
    };
    // KubeSphere does not check PKCE yet; sent so that it holds the day it does.
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(flow.verifier.as_bytes()));
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", ctx.config.oauth_client_id.as_str()),
        ("redirect_uri", settings.callback_url.as_str()),
        ("scope", "openid"),
        ("state", flow.state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap_or_default();
    let to = format!("{}/oauth/authorize?{query}", settings.portal_url);
    let mut res = Redirect::to(&to).into_response();
    set_flow_cookie(&ctx, &mut res, Some(&flow));
    res
}

/// Sets the flow cookie (`None`: removes it). Always `SameSite=Lax`: a strict cookie would not
/// come back with the portal's redirect.
fn set_flow_cookie(ctx: &ServerContext, res: &mut Response, flow: Option<&Flow>) {
    let name = flow_cookie_name(ctx.config.uses_tls());
    let value = flow
        .and_then(|f| serde_json::to_vec(f).ok())
        .map(|plain| URL_SAFE_NO_PAD.encode(ctx.secrets.seal(name, &plain)));
    let max_age = if value.is_some() { FLOW_LIFETIME.as_secs() } else { 0 };
    let cookie = Cookie::build((name, value.unwrap_or_default()))
        .http_only(true)
        .secure(ctx.config.uses_tls())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(tower_sessions::cookie::time::Duration::seconds(i64::try_from(max_age).unwrap_or(600)))
        .build();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The flow this browser started, if its cookie opens and has not outlived [`FLOW_LIFETIME`].
fn flow_of(ctx: &ServerContext, headers: &HeaderMap) -> Option<Flow> {
    let name = flow_cookie_name(ctx.config.uses_tls());
    let sealed = URL_SAFE_NO_PAD.decode(cookie_value(headers, name)?).ok()?;
    let flow: Flow = serde_json::from_slice(&ctx.secrets.open(name, &sealed)?).ok()?;
    let age = now_unix_ms().saturating_sub(flow.started_ms);
    (age < u64::try_from(FLOW_LIFETIME.as_millis()).unwrap_or(u64::MAX)).then_some(flow)
}

/// Compares without an early exit, so the time taken tells nothing about the expected value.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

/// `GET /oauth/callback?code=…&state=…` (or `?error=…&state=…`): checks the state against this
/// browser's flow, exchanges the code once and signs the person in. The flow cookie is removed
/// whatever happens; the code is never logged.
pub async fn callback(State(ctx): State<ServerContext>, session: Session, req: Request) -> Response {
    let request_id = request_id_of(&req);
    let answer = Query::<Callback>::try_from_uri(req.uri()).map(|q| q.0).ok();
    let flow = flow_of(&ctx, req.headers());
    let mut res = finish(&ctx, &session, answer, flow, request_id).await;
    set_flow_cookie(&ctx, &mut res, None);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn finish(
    ctx: &ServerContext,
    session: &Session,
    answer: Option<Callback>,
    flow: Option<Flow>,
    request_id: Option<String>,
) -> Response {
    let incomplete = |why: &str, next: &str| {
        tracing::info!(why, "single sign-on refused at the callback");
        metrics::counter!("ks_console_logins_total", "outcome" => "failure").increment(1);
        login_page_with(&AppError::SingleSignOnIncomplete, next)
    };
    let Some(flow) = flow else { return incomplete("no sign-in was started in this browser, or it expired", "/") };
    let Some(answer) = answer else { return incomplete("an unreadable answer", &flow.next) };
    if !same_text(&answer.state, &flow.state) {
        return incomplete("the state is not this browser's", &flow.next);
    }
    if !answer.error.is_empty() {
        // KubeSphere refused the request itself (client, scope, grant method): the operator's matter.
        tracing::warn!(error = %answer.error, "KubeSphere refused the single sign-on request; check the console's OAuth client (deploy/README.md)");
        metrics::counter!("ks_console_logins_total", "outcome" => "unavailable").increment(1);
        return login_page_with(&AppError::SignInMethodUnavailable, &flow.next);
    }
    if answer.code.is_empty() {
        return incomplete("no code", &flow.next);
    }
    let Some(settings) = ctx.state.sign_in.single_sign_on_settings() else {
        return login_page_with(&AppError::SignInMethodUnavailable, &flow.next);
    };
    let call = CallContext { request_id: request_id.clone() };
    let tokens = match ctx.state.ks.code_grant(&answer.code, &settings.callback_url, &call).await {
        Ok(tokens) => tokens,
        Err(CodeError::Rejected) => {
            return incomplete("KubeSphere refused the code (used, expired or unknown)", &flow.next)
        }
        Err(CodeError::Upstream(e)) => {
            tracing::warn!(error = %e, "the code exchange failed");
            metrics::counter!("ks_console_logins_total", "outcome" => "error").increment(1);
            let err = match AppError::from(&e) {
                // 400/401 from the token endpoint: the client's registration or secret.
                AppError::Invalid(_) | AppError::SessionExpired | AppError::Forbidden => {
                    AppError::SignInMethodUnavailable
                }
                other => other,
            };
            return login_page_with(&err, &flow.next);
        }
    };
    // A code is issued for a signed-in KubeSphere user; the pre-registration user has no page here.
    let Some(username) = tokens.access.username_claim().filter(|_| tokens.access.pre_registration().is_none()) else {
        crate::sign_in::revoke(ctx, &tokens.access, &request_id).await;
        return incomplete("the tokens name no user", &flow.next);
    };
    let vault_key = match crate::sign_in::begin_session(ctx, session, &username, tokens, &request_id).await {
        Ok(key) => key,
        Err(err) => return login_page_with(&err, &flow.next),
    };
    if let Err(err) =
        crate::sign_in::finish_sign_in(ctx, session, &username, vault_key, Some(flow.provider.clone()), &request_id)
            .await
    {
        return login_page_with(&err, &flow.next);
    }
    metrics::counter!("ks_console_logins_total", "outcome" => "success").increment(1);
    tracing::info!(user = %username, provider = %flow.provider, "signed in through single sign-on");
    continue_to(&flow.next)
}

/// The page after the callback. A redirect would carry on the portal's cross-site navigation,
/// on which a `SameSite=Strict` session cookie is not sent; a page of our own that moves on is
/// same-site, so the person arrives signed in with either setting.
fn continue_to(next: &str) -> Response {
    let next = html_escape(next);
    let (lang, signed_in, go_on) = (
        app::language::html_tag(app::language::locale()),
        app::error::sentences::signed_in(),
        app::error::sentences::continue_on(),
    );
    Html(format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={next}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{signed_in} · KS Console</title></head>\
         <body><main><p>{signed_in} <a href=\"{next}\">{go_on}</a></p></main></body></html>"
    ))
    .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The value of the cookie `name` the browser sent (every `Cookie` line read).
pub(crate) fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_compare_whole() {
        assert!(same_text("abc", "abc"));
        assert!(!same_text("abc", "abd") && !same_text("abc", "ab") && !same_text("", "a"));
    }

    #[test]
    fn the_continue_page_cannot_be_broken_out_of() {
        let html = html_escape("/x\"><script>");
        assert!(!html.contains('"') && !html.contains('<'));
    }
}
