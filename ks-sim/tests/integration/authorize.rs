//! `/oauth/authorize`: KubeSphere as the OpenID provider, every step of §12.5 in order.
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, USERS};
use ks_sim::idp::token_claims;
use ks_sim::{GrantMethod, OAuthClient};
use serde_json::{json, Value};

pub const CALLBACK: &str = "http://127.0.0.1:9/oauth/callback";
/// A second registered URI, with a query of its own.
pub const TENANT_CALLBACK: &str = "http://127.0.0.1:9/cb?tenant=a";

/// The configured client `kubesphere` with two redirect URIs, plus a `prompt` client and a
/// `deny` client with the same ones.
pub async fn start() -> TestSim {
    TestSim::with(|c| {
        c.client_redirect_uris = vec![CALLBACK.to_owned(), TENANT_CALLBACK.to_owned()];
        c.other_clients = vec![
            OAuthClient::new("prompter", "p-secret")
                .with_grant_method(GrantMethod::Prompt)
                .with_scopes(["openid", "email", "profile"])
                .with_redirect_uris([CALLBACK]),
            OAuthClient::new("denier", "d-secret")
                .with_grant_method(GrantMethod::Deny)
                .with_scopes(["openid"])
                .with_redirect_uris([CALLBACK]),
        ];
    })
    .await
}

/// `/oauth/authorize?` with these parameters, as `token` (or anonymous).
pub async fn authorize(sim: &TestSim, params: &[(&str, &str)], token: Option<&str>) -> reqwest::Response {
    let mut req = sim.http.get(sim.url("/oauth/authorize")).query(params);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// The parameters of a code request by `kubesphere` to `CALLBACK`.
pub fn code_request(state: &str) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "kubesphere"),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email profile"),
        ("state", state),
    ]
}

/// The code a 302 to the redirect URI carries.
pub fn code_of(location: &str) -> String {
    let query = location.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    pairs.into_iter().find(|(k, _)| k == "code").unwrap().1
}

async fn json_error(res: reqwest::Response) -> (u16, Value) {
    (res.status().as_u16(), res.json().await.unwrap())
}

fn error_location(base: &str, error: &str, description: &str, state: Option<&str>) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    format!("{base}?{}", serde_urlencoded::to_string(pairs).unwrap())
}

#[tokio::test]
async fn steps_1_and_2_unknown_client_and_unregistered_redirect_are_400_json_without_redirect() {
    let sim = start().await;
    let token = sim.access_token("alice").await;
    let mut params = code_request("s");
    params[1] = ("client_id", "nobody");
    params[2] = ("redirect_uri", "http://elsewhere/cb");
    let expected =
        json!({"error": "invalid_client", "error_description": "The provided client_id is invalid or does not exist."});
    assert_eq!(json_error(authorize(&sim, &params, Some(&token)).await).await, (400, expected));
    let not_allowed = json!({"error": "invalid_request", "error_description": "Redirect URI is not allowed."});
    for uri in [
        "http://elsewhere/cb",
        "http://127.0.0.1:9/oauth/callback/",
        "http://127.0.0.1:9/oauth",
        "HTTP://127.0.0.1:9/oauth/callback",
        "http://127.0.0.1:9/cb?tenant=b",
    ] {
        let mut params = code_request("s");
        params[2] = ("redirect_uri", uri);
        assert_eq!(json_error(authorize(&sim, &params, Some(&token)).await).await, (400, not_allowed.clone()), "{uri}");
    }
    // A client without redirect URIs (the shipped kind) can never use the flow.
    let bare = TestSim::start().await;
    let token = bare.access_token("alice").await;
    let mut params = code_request("s");
    params[2] = ("redirect_uri", "");
    assert_eq!(json_error(authorize(&bare, &params, Some(&token)).await).await, (400, not_allowed));
}

#[tokio::test]
async fn step_3_scope_errors_replace_the_redirect_uris_query() {
    let sim = start().await;
    let invalid = "The requested scope is invalid or not supported.";
    for scope in ["openid offline_access", "", "openid  email"] {
        let mut params = code_request("st 1");
        params[2] = ("redirect_uri", TENANT_CALLBACK);
        params[3] = ("scope", scope);
        let res = authorize(&sim, &params, None).await;
        assert_eq!(res.status(), 302, "{scope:?}");
        let expected = error_location("http://127.0.0.1:9/cb", "invalid_scope", invalid, Some("st 1"));
        assert_eq!(location(&res), expected, "{scope:?}: tenant=a is gone");
    }
    // Without `state`, no state; an empty redirect_uri means the first registered one.
    let res = authorize(&sim, &[("client_id", "kubesphere"), ("response_type", "code"), ("scope", "x")], None).await;
    assert_eq!(location(&res), error_location(CALLBACK, "invalid_scope", invalid, None));
}

#[tokio::test]
async fn step_3_response_type_then_deny_come_before_the_caller() {
    let sim = start().await;
    for rt in ["code id_token", "foo", "code code"] {
        let mut params = code_request("s");
        params[0] = ("response_type", rt);
        let res = authorize(&sim, &params, None).await;
        let description = format!("The provided response_type {rt} is not supported by the authorization server.");
        assert_eq!(location(&res), error_location(CALLBACK, "unsupported_response_type", &description, Some("s")));
    }
    let mut params = code_request("s");
    params[1] = ("client_id", "denier");
    params[3] = ("scope", "openid");
    let denied = "The resource owner or authorization server denied the request.";
    let res = authorize(&sim, &params, None).await;
    assert_eq!(location(&res), error_location(CALLBACK, "invalid_grant", denied, Some("s")), "before login");
    let token = sim.access_token("alice").await;
    let res = authorize(&sim, &params, Some(&token)).await;
    assert_eq!(location(&res), error_location(CALLBACK, "invalid_grant", denied, Some("s")));
}

#[tokio::test]
async fn step_4_anonymous_callers_go_to_the_issuer_or_get_login_required() {
    let sim = start().await;
    sim.sim().set_issuer_url("http://localhost:1234");
    let res = authorize(&sim, &code_request("s"), None).await;
    assert_eq!((res.status().as_u16(), location(&res)), (302, "http://localhost:1234".to_owned()));
    let mut params = code_request("s");
    params.push(("prompt", "none"));
    let res = authorize(&sim, &params, None).await;
    assert_eq!(location(&res), error_location(CALLBACK, "login_required", "Not authenticated.", Some("s")));
    // An invalid bearer never reaches the handler.
    let res = authorize(&sim, &code_request("s"), Some("garbage")).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["kind"], "Status");
}

#[tokio::test]
async fn step_5_prompt_none_needs_grant_method_auto_and_prompt_has_no_consent_screen() {
    let sim = start().await;
    let token = sim.access_token("alice").await;
    let mut params = code_request("s");
    params[1] = ("client_id", "prompter");
    params.push(("prompt", "none"));
    let res = authorize(&sim, &params, Some(&token)).await;
    let consent = "Consent is required before proceeding with the request.";
    assert_eq!(location(&res), error_location(CALLBACK, "interaction_required", consent, Some("s")));
    params.pop();
    let res = authorize(&sim, &params, Some(&token)).await;
    assert!(location(&res).starts_with(&format!("{CALLBACK}?code=")), "prompt behaves like auto");
    let mut params = code_request("s");
    params.push(("prompt", "none"));
    assert!(location(&authorize(&sim, &params, Some(&token)).await).contains("code="), "auto: fine");
}

#[tokio::test]
async fn step_6_a_code_is_added_to_the_redirect_uris_own_query_keys_sorted() {
    let sim = start().await;
    let token = sim.access_token("alice").await;
    let mut params = code_request("z/1");
    params[2] = ("redirect_uri", TENANT_CALLBACK);
    params.push(("nonce", "n-1"));
    let res = authorize(&sim, &params, Some(&token)).await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let target = location(&res);
    let code = code_of(&target);
    assert_eq!(target, format!("http://127.0.0.1:9/cb?code={code}&state=z%2F1&tenant=a"));
    let claims = token_claims(&code).unwrap();
    assert_eq!(claims["token_type"], "code");
    assert_eq!((claims["username"].clone(), claims["sub"].clone()), (json!("alice"), json!("alice")));
    assert_eq!(claims["aud"], json!(["kubesphere"]));
    assert_eq!(claims["scopes"], json!(["openid", "email", "profile"]));
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 600);
    assert!(claims.get("extra").is_none());
    // `token` is a valid response type but not served; POST takes a form body only.
    let mut params = code_request("s");
    params[0] = ("response_type", "token");
    let unsupported = "The provided response_type is not supported by the authorization server.";
    let res = authorize(&sim, &params, Some(&token)).await;
    assert_eq!(location(&res), error_location(CALLBACK, "unsupported_response_type", unsupported, Some("s")));
    let form =
        sim.http.post(sim.url("/oauth/authorize")).bearer_auth(&token).form(&code_request("p")).send().await.unwrap();
    assert_eq!(form.status(), 302);
    assert!(location(&form).ends_with("&state=p"));
    let json = sim.http.post(sim.url("/oauth/authorize")).bearer_auth(&token).json(&json!({})).send().await.unwrap();
    assert_eq!(json.status(), 415);
    // Basic credentials sign the caller in too.
    let basic = sim
        .http
        .get(sim.url("/oauth/authorize"))
        .query(&code_request("b"))
        .basic_auth("bob", Some(ks_sim::DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(token_claims(&code_of(&location(&basic))).unwrap()["username"], "bob");
}

#[tokio::test]
async fn implicit_id_token_needs_a_nonce_and_comes_in_the_fragment() {
    let sim = start().await;
    let token = sim.access_token("alice").await;
    let mut params = code_request("a/b");
    params[0] = ("response_type", "id_token");
    let res = authorize(&sim, &params, Some(&token)).await;
    assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (200, String::new()), "no nonce: nothing");
    params.push(("nonce", "n-2"));
    let res = authorize(&sim, &params, Some(&token)).await;
    let target = location(&res);
    let (base, fragment) = target.split_once('#').unwrap();
    assert_eq!(base, CALLBACK);
    let (id_token, state) = fragment.strip_prefix("id_token=").unwrap().split_once('&').unwrap();
    assert_eq!(state, "state=a%252Fb", "Go escapes the encoded fragment once more");
    let claims = token_claims(id_token).unwrap();
    assert_eq!(claims["token_type"], "id_token");
    assert_eq!(claims["nonce"], "n-2");
    assert_eq!(claims["email"], "alice@example.com");
    // Like every cached token, it works as a bearer (§12.6 caution).
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(id_token)).await.status(), 200);
}
