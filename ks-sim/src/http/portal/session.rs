//! The portal's session (the `token` cookie, as kubesphere/console's `server/controllers/
//! session.js`) and the requests it forwards to the apiserver: `/oauth/*` and discovery with
//! the cookie as the bearer (`server/proxy.js`), the password grant of its sign-in form, the
//! OAuth providers' callback and its own sign-out.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Path, Request, State as AxState};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::Value;

use super::pages::{self, ProviderLink};
use super::Portal;
use crate::behaviour::authn;
use crate::http::go_url;
use crate::store::idp::{token_claims, PRE_REGISTRATION_USER};

/// The session cookie: the portal's KubeSphere access token.
pub(crate) const TOKEN: &str = "token";
/// Where a pending `/oauth/authorize` waits while the person signs in.
const AUTHORIZE_URL: &str = "authAuthorizeUrl";
const MAX_BODY: usize = 1024 * 1024;

/// The value of cookie `name` in the request (the first one).
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for `name` (HttpOnly, SameSite=Lax, Path=/); `None` clears it.
fn set_cookie(response: &mut Response, name: &str, value: Option<&str>) {
    let line = match value {
        Some(v) => format!("{name}={v}; Path=/; HttpOnly; SameSite=Lax"),
        None => format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    if let Ok(value) = HeaderValue::from_str(&line) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A 302, as koa's `ctx.redirect`.
pub(crate) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// `/oauth/*` and `/.well-known/openid-configuration`: forwarded with the `token` cookie as the
/// bearer (the browser's cookies and referer are not). Without a session, `/oauth/authorize`
/// first keeps its path and query in `authAuthorizeUrl` for the sign-in to resume.
pub(crate) async fn forward(AxState(portal): AxState<Portal>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let token = cookie(&parts.headers, TOKEN);
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let mut headers = parts.headers.clone();
    headers.remove(header::COOKIE);
    headers.remove(header::REFERER);
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let mut response = portal.call(parts.method, &path_and_query, headers, token.as_deref(), body).await;
    if parts.uri.path() == "/oauth/authorize" && token.is_none() {
        set_cookie(&mut response, AUTHORIZE_URL, Some(&go_url::query_escape(&path_and_query)));
    }
    response
}

/// `GET /`: who is signed in, or the sign-in page.
pub(crate) async fn home(AxState(portal): AxState<Portal>, headers: HeaderMap) -> Response {
    let Some(token) = cookie(&headers, TOKEN) else {
        return found("/login");
    };
    let mut bearer = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
        bearer.insert(header::AUTHORIZATION, value);
    }
    match authn::authenticate(&portal.sim.state, &bearer) {
        Ok(caller) if caller.authenticated => pages::home(&caller.name),
        _ => found("/login"),
    }
}

/// `GET /login`.
pub(crate) async fn login_page(AxState(portal): AxState<Portal>) -> Response {
    pages::login(None, &provider_links(&portal))
}

/// The visible, enabled OAuth providers, labelled with their display names (the official
/// portal titles its buttons with the names).
fn provider_links(portal: &Portal) -> Vec<ProviderLink> {
    let providers = crate::store::util::lock(&portal.sim.state.identity_providers);
    providers
        .iter()
        .filter(|p| p.is_oauth() && !p.hidden && !p.disabled)
        .map(|p| ProviderLink {
            name: p.name.clone(),
            label: if p.display_name.is_empty() { p.name.clone() } else { p.display_name.clone() },
        })
        .collect()
}

/// The `access_token` of a 200 token answer.
async fn access_token(response: Response) -> Option<String> {
    if response.status() != StatusCode::OK {
        return None;
    }
    let body = to_bytes(response.into_body(), MAX_BODY).await.ok()?;
    serde_json::from_slice::<Value>(&body).ok()?["access_token"].as_str().map(str::to_owned)
}

/// `POST /login` (`handleLogin`): the password grant with the portal's client, then — in the
/// official portal's order — the first-login password change, another user's session (home),
/// the pending authorize (the only way it resumes), or home.
pub(crate) async fn login_submit(AxState(portal): AxState<Portal>, req: Request) -> Response {
    let client_ip = portal.client_ip(&req);
    let previous = cookie(req.headers(), TOKEN);
    let pending = cookie(req.headers(), AUTHORIZE_URL).and_then(|v| go_url::query_unescape(&v));
    let form = to_bytes(req.into_body(), MAX_BODY).await.unwrap_or_default();
    let form = go_url::parse_query(std::str::from_utf8(&form).unwrap_or_default());
    let Some(client) = portal.sim.state.portal_client() else {
        return pages::failed(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Log in to KubeSphere",
            "No OAuth client is registered.",
        );
    };
    let mut grant = go_url::Values::new();
    for (k, v) in [
        ("grant_type", "password"),
        ("username", go_url::get(&form, "username")),
        ("password", go_url::get(&form, "password")),
        ("client_id", client.name.as_str()),
        ("client_secret", client.secret.as_str()),
    ] {
        go_url::add(&mut grant, k, v);
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
    if let Some(ip) = client_ip.and_then(|ip| HeaderValue::from_str(&ip).ok()) {
        headers.insert("x-client-ip", ip);
    }
    let body = Bytes::from(go_url::encode(&grant));
    let response = portal.call(Method::POST, "/oauth/token", headers, None, body).await;
    let status = response.status();
    let Some(token) = access_token(response).await else {
        let message = match status.as_u16() {
            400 | 401 => "Incorrect username or password.".to_owned(),
            429 => "Too many failed login attempts. Try again later.".to_owned(),
            other => format!("Cannot log in: KubeSphere answered {other}."),
        };
        return pages::login(Some(&message), &provider_links(&portal));
    };
    let claims = token_claims(&token).unwrap_or_default();
    let username = claims["username"].as_str().unwrap_or_default().to_owned();
    let uninitialized = claims["extra"]["uninitialized"][0] == "true";
    let other_user = previous
        .and_then(|t| token_claims(&t))
        .and_then(|c| c["username"].as_str().map(str::to_owned))
        .is_some_and(|last| !last.is_empty() && last != username);
    let (location, resumes) = if username == PRE_REGISTRATION_USER {
        ("/login/confirm".to_owned(), false)
    } else if uninitialized {
        ("/password/confirm".to_owned(), false)
    } else if other_user {
        ("/".to_owned(), false)
    } else if let Some(url) = pending {
        (url, true)
    } else {
        ("/".to_owned(), false)
    };
    let mut response = found(&location);
    set_cookie(&mut response, TOKEN, Some(&token));
    if resumes {
        set_cookie(&mut response, AUTHORIZE_URL, None);
    }
    response
}

/// `GET /oauth/redirect/{idp}` (`handleOAuthLogin`): the provider's code to the apiserver's
/// callback (without `state` and `redirect_url`), the session set, then home — a pending
/// authorize is not resumed.
pub(crate) async fn oauth_redirect(
    AxState(portal): AxState<Portal>,
    Path(idp): Path<String>,
    req: Request,
) -> Response {
    let mut query = go_url::parse_query(req.uri().query().unwrap_or_default());
    query.remove("state");
    query.remove("redirect_url");
    let mut path = format!("/oauth/callback/{}", go_url::path_escape(&idp));
    if !query.is_empty() {
        path = format!("{path}?{}", go_url::encode(&query));
    }
    let response = portal.call(Method::GET, &path, HeaderMap::new(), None, Bytes::new()).await;
    let status = response.status();
    if status != StatusCode::OK {
        let text = to_bytes(response.into_body(), MAX_BODY).await.unwrap_or_default();
        let message = String::from_utf8_lossy(&text).trim().to_owned();
        return pages::failed(status, "Log in to KubeSphere", &message);
    }
    let Some(token) = access_token(response).await else {
        return pages::failed(StatusCode::BAD_GATEWAY, "Log in to KubeSphere", "KubeSphere answered no token.");
    };
    let pre_registration = token_claims(&token).is_some_and(|c| c["username"] == PRE_REGISTRATION_USER);
    let mut response = found(if pre_registration { "/login/confirm" } else { "/" });
    set_cookie(&mut response, TOKEN, Some(&token));
    response
}

/// `GET /logout` (`handleLogout`): the session's token revoked (`/oauth/logout`), the cookies
/// cleared, then the sign-in page; a token KubeSphere refuses (401) shows as the error.
pub(crate) async fn logout(AxState(portal): AxState<Portal>, headers: HeaderMap) -> Response {
    let token = cookie(&headers, TOKEN);
    let answer = portal.call(Method::GET, "/oauth/logout", HeaderMap::new(), token.as_deref(), Bytes::new()).await;
    let mut response = if answer.status().is_success() || answer.status().is_redirection() {
        found("/login")
    } else {
        let message = format!("KubeSphere answered {} to the sign-out.", answer.status().as_u16());
        pages::failed(answer.status(), "Sign out", &message)
    };
    set_cookie(&mut response, TOKEN, None);
    set_cookie(&mut response, AUTHORIZE_URL, None);
    response
}

/// A request the apiserver router answers in-process (so the journal records it).
pub(crate) fn api_request(
    method: Method,
    path_and_query: &str,
    mut headers: HeaderMap,
    bearer: Option<&str>,
    body: Bytes,
) -> Option<http::Request<Body>> {
    if let Some(token) = bearer {
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).ok()?);
    }
    let mut request = http::Request::builder().method(method).uri(path_and_query).body(Body::from(body)).ok()?;
    *request.headers_mut() = headers;
    Some(request)
}
