//! `POST /oauth/token` with `grant_type=authorization_code`, discovery and the JWKS (§12.6).
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::authorize::{authorize, code_of, code_request, location, start, CALLBACK, TENANT_CALLBACK};
use crate::common::{TestSim, USERS};
use ks_sim::idp::token_claims;

async fn code_for(sim: &TestSim, user: &str, scope: &str) -> String {
    let token = sim.access_token(user).await;
    let mut params = code_request("s");
    params[3] = ("scope", scope);
    params.push(("nonce", "n-9"));
    code_of(&location(&authorize(sim, &params, Some(&token)).await))
}

async fn exchange(sim: &TestSim, form: &[(&str, &str)]) -> (u16, Value) {
    let res = sim.token_form(form).await;
    assert_eq!(res.headers()["cache-control"], "no-store", "on errors too");
    (res.status().as_u16(), res.json().await.unwrap())
}

fn form<'a>(code: &'a str, redirect_uri: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", "kubesphere"),
        ("client_secret", "kubesphere"),
    ]
}

fn oauth_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

#[tokio::test]
async fn the_checks_run_in_order_and_only_a_verified_code_is_spent() {
    let sim = start().await;
    let code = code_for(&sim, "alice", "openid").await;
    let mut f = form(&code, "http://elsewhere/cb");
    f[3] = ("client_id", "nobody");
    f[1] = ("code", "");
    let invalid_client = oauth_error("invalid_client", "The provided client_id is invalid or does not exist.");
    assert_eq!(exchange(&sim, &f).await, (400, invalid_client));
    f[3] = ("client_id", "kubesphere");
    f[4] = ("client_secret", "wrong");
    assert_eq!(exchange(&sim, &f).await, (401, oauth_error("unauthorized_client", "Invalid client credential.")));
    f[4] = ("client_secret", "kubesphere");
    let empty = oauth_error("invalid_request", "The authorization code is empty or missing.");
    assert_eq!(exchange(&sim, &f).await, (400, empty), "the code comes before the redirect URI");
    f[1] = ("code", &code);
    let not_allowed = oauth_error("invalid_request", "Redirect URI is not allowed.");
    assert_eq!(exchange(&sim, &f).await, (400, not_allowed));
    let expired = oauth_error("invalid_grant", "The authorization code is invalid or expired.");
    assert_eq!(exchange(&sim, &form("not-a-code", CALLBACK)).await, (400, expired.clone()));
    // Another token is not a code, and is not spent.
    let (access, refresh) = sim.tokens("bob").await;
    assert_eq!(exchange(&sim, &form(&refresh, CALLBACK)).await, (400, expired.clone()));
    assert_eq!(sim.refresh(&refresh).await.0, 200);
    assert_eq!(exchange(&sim, &form(&access, "")).await, (400, expired));
    // The code survived the refused requests; `code` works as the grant type too.
    let mut f = form(&code, "");
    f[0] = ("grant_type", "code");
    let (status, body) = exchange(&sim, &f).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_code_is_single_use_and_a_bearer_until_it_is_exchanged() {
    let sim = start().await;
    let code = code_for(&sim, "alice", "email").await;
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&code)).await.status(), 200, "§12.6 caution");
    let (status, body) = exchange(&sim, &form(&code, CALLBACK)).await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["access_token", "expires_in", "refresh_token", "token_type"], "no id_token without openid");
    let claims = token_claims(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["username"], "alice");
    assert!(claims.get("extra").is_none());
    assert_eq!(sim.get(&format!("{USERS}/alice"), body["access_token"].as_str()).await.status(), 200);
    let expired = oauth_error("invalid_grant", "The authorization code is invalid or expired.");
    assert_eq!(exchange(&sim, &form(&code, CALLBACK)).await, (400, expired));
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&code)).await.status(), 401);
    assert_eq!(sim.refresh(body["refresh_token"].as_str().unwrap()).await.0, 200, "an ordinary pair");
}

#[tokio::test]
async fn a_code_is_bound_neither_to_its_client_nor_to_its_redirect_uri() {
    let sim = start().await;
    let code = code_for(&sim, "alice", "openid").await;
    let f = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("client_id", "prompter"),
        ("client_secret", "p-secret"),
    ];
    let (status, body) = exchange(&sim, &f).await;
    assert_eq!(status, 200, "aud is kubesphere, prompter exchanges it: {body}");
    assert_eq!(token_claims(body["id_token"].as_str().unwrap()).unwrap()["aud"], json!(["prompter"]));
    let code = code_for(&sim, "bob", "email").await;
    assert_eq!(exchange(&sim, &form(&code, TENANT_CALLBACK)).await.0, 200, "another registered URI");
}

#[tokio::test]
async fn openid_scope_adds_an_rs256_id_token_the_jwks_verifies() {
    let sim = start().await;
    sim.sim().set_issuer_url("http://localhost:4321");
    let code = code_for(&sim, "alice", "openid email profile").await;
    let (status, body) = exchange(&sim, &form(&code, CALLBACK)).await;
    assert_eq!(status, 200, "{body}");
    let id_token = body["id_token"].as_str().unwrap();
    let claims = token_claims(id_token).unwrap();
    assert_eq!(claims["iss"], "http://localhost:4321");
    assert_eq!((claims["sub"].clone(), claims["url"].clone()), (json!("alice"), json!("alice")));
    assert_eq!(claims["aud"], json!(["kubesphere"]));
    assert_eq!(claims["token_type"], "id_token");
    assert_eq!(claims["nonce"], "n-9");
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 7200 + 1800);
    let parts: Vec<&str> = id_token.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let jwks = sim.call("GET", "/oauth/keys", None, None).await.json();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kid"].clone(), key["alg"].clone(), key["use"].clone()),
        (header["kid"].clone(), json!("RS256"), json!("sig"))
    );
    let number = |field: &str| BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(key[field].as_str().unwrap()).unwrap());
    let public = RsaPublicKey::new(number("n"), number("e")).unwrap();
    let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    let input = format!("{}.{}", parts[0], parts[1]);
    VerifyingKey::<Sha256>::new(public).verify(input.as_bytes(), &signature).unwrap();
    // Without `email`/`profile`, neither claim.
    let code = code_for(&sim, "bob", "openid").await;
    let claims = token_claims(exchange(&sim, &form(&code, CALLBACK)).await.1["id_token"].as_str().unwrap()).unwrap();
    assert!(claims.get("email").is_none() && claims.get("preferred_username").is_none(), "{claims}");
}

#[tokio::test]
async fn multiple_login_false_revokes_the_users_other_tokens_at_the_exchange() {
    let sim = TestSim::with(|c| {
        c.multiple_login = false;
        c.client_redirect_uris = vec![CALLBACK.to_owned()];
    })
    .await;
    let session = sim.access_token("alice").await;
    let code = code_for(&sim, "alice", "email").await;
    assert_eq!(exchange(&sim, &form(&code, CALLBACK)).await.0, 200);
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&session)).await.status(), 401, "the portal's session too");
}

#[tokio::test]
async fn the_pre_registration_users_code_gets_no_id_token_and_is_spent_anyway() {
    let sim = TestSim::with(|c| {
        *c = c.clone().with_demo_identity_providers();
        c.client_redirect_uris = vec![CALLBACK.to_owned()];
    })
    .await;
    let (status, pair) = sim.directory_login("partner-ldap", "jo.kim", "Partner-pass-1").await;
    assert_eq!(status, 200);
    let params = code_request("s");
    let code = code_of(&location(&authorize(&sim, &params, pair["access_token"].as_str()).await));
    assert_eq!(token_claims(&code).unwrap()["extra"]["idp"], json!(["partner-ldap"]));
    let server_error = oauth_error("server_error", "An internal server error occurred while processing the request.");
    assert_eq!(exchange(&sim, &form(&code, CALLBACK)).await, (500, server_error));
    assert_eq!(exchange(&sim, &form(&code, CALLBACK)).await.0, 400, "spent");
}

#[tokio::test]
async fn discovery_names_the_issuers_endpoints_and_no_end_session() {
    let sim = start().await;
    sim.sim().set_issuer_url("http://localhost:4321");
    let body = sim.call("GET", "/.well-known/openid-configuration", None, None).await.json();
    assert_eq!(body["issuer"], "http://localhost:4321");
    assert_eq!(body["authorization_endpoint"], "http://localhost:4321/oauth/authorize");
    assert_eq!(body["token_endpoint"], "http://localhost:4321/oauth/token");
    assert_eq!(body["userinfo_endpoint"], "http://localhost:4321/oauth/userinfo");
    assert_eq!(body["jwks_uri"], "http://localhost:4321/oauth/keys");
    assert_eq!(body["grant_types_supported"], json!(["authorization_code", "refresh_token"]));
    assert_eq!(body["code_challenge_methods_supported"], json!(["plain", "S256"]));
    assert_eq!(body["token_endpoint_auth_methods_supported"], json!(["client_secret_post"]));
    assert!(body.get("end_session_endpoint").is_none());
}
