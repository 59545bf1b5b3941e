//! `/oauth/token` and `/oauth/logout` (contract §2).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::common::{content_type, password_form, refresh_form, TestSim, CLIENT, PASSWORD, USERS};
use base64::Engine as _;
use serde_json::{json, Value};

async fn error_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    assert!(content_type(&res).starts_with("application/json"));
    (status, res.json().await.unwrap())
}

fn oauth_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

#[tokio::test]
async fn password_login_returns_a_bearer_pair_that_is_not_cached() {
    let sim = TestSim::start().await;
    let res = sim.login("admin", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 7200);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(access, refresh);
    assert_eq!(access.split('.').count(), 3, "JWT-shaped");
    assert_eq!(sim.sim().issued_tokens(), vec![access.to_owned(), refresh.to_owned()]);
}

#[tokio::test]
async fn tokens_are_hs256_jwts_naming_the_user_and_unique_per_login() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let sim = TestSim::start().await;
    let (a1, r1) = sim.tokens("alice").await;
    let (a2, _) = sim.tokens("alice").await;
    assert_ne!(a1, a2);
    let decode = |part: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap() };
    let parts: Vec<&str> = a1.split('.').collect();
    assert_eq!(decode(parts[0]), json!({"alg": "HS256", "typ": "JWT"}));
    let claims = decode(parts[1]);
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["token_type"], "access_token");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 7200);
    assert!(claims["jti"].is_string() && claims["iss"].is_string());
    let refresh_claims = decode(r1.split('.').nth(1).unwrap());
    assert_eq!(refresh_claims["token_type"], "refresh_token");
    assert_eq!(refresh_claims["exp"].as_u64().unwrap() - refresh_claims["iat"].as_u64().unwrap(), 9000);
}

#[tokio::test]
async fn login_by_email_issues_tokens_for_the_user_name() {
    let sim = TestSim::start().await;
    let res = sim.login("bob@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let me = sim.get_json(&format!("{USERS}/bob"), body["access_token"].as_str().unwrap()).await;
    assert_eq!(me["metadata"]["name"], "bob");
}

#[tokio::test]
async fn wrong_password_unknown_user_and_empty_fields_are_invalid_grant() {
    let sim = TestSim::start().await;
    let expected = (400, oauth_error("invalid_grant", "Invalid username or password."));
    assert_eq!(error_of(sim.login("admin", "wrong").await).await, expected);
    assert_eq!(error_of(sim.login("nobody", PASSWORD).await).await, expected);
    assert_eq!(error_of(sim.login("", PASSWORD).await).await, expected);
    assert_eq!(error_of(sim.login("admin", "").await).await, expected);
    assert_eq!(error_of(sim.login("nobody@example.com", PASSWORD).await).await, expected);
}

#[tokio::test]
async fn disabled_user_gets_account_suspended_even_with_the_right_password() {
    let sim = TestSim::start().await;
    let expected = (400, oauth_error("invalid_grant", "Account suspended."));
    assert_eq!(error_of(sim.login("erin", PASSWORD).await).await, expected);
    assert_eq!(error_of(sim.login("erin", "wrong").await).await, expected);
}

#[tokio::test]
async fn locked_user_gets_429_rate_limit_exceeded() {
    let sim = TestSim::start().await;
    let expected = (429, oauth_error("invalid_grant", "Rate limit exceeded."));
    assert_eq!(error_of(sim.login("dave", PASSWORD).await).await, expected);
}

#[tokio::test]
async fn unknown_client_id_is_invalid_client() {
    let sim = TestSim::start().await;
    let res = sim.token_form(&password_form("admin", PASSWORD, ("other", "kubesphere"))).await;
    assert_eq!(
        error_of(res).await,
        (400, oauth_error("invalid_client", "The provided client_id is invalid or does not exist."))
    );
}

#[tokio::test]
async fn wrong_client_secret_is_401_unauthorized_client() {
    let sim = TestSim::start().await;
    let res = sim.token_form(&password_form("admin", PASSWORD, ("kubesphere", "nope"))).await;
    assert_eq!(error_of(res).await, (401, oauth_error("unauthorized_client", "Invalid client credential.")));
}

#[tokio::test]
async fn client_credentials_are_configurable() {
    let sim = TestSim::with(|c| {
        c.client_id = "console".into();
        c.client_secret = "s3cret".into();
    })
    .await;
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 400);
    let res = sim.token_form(&password_form("admin", PASSWORD, ("console", "s3cret"))).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn unsupported_grant_type_is_rejected() {
    let sim = TestSim::start().await;
    let res = sim
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "kubesphere"),
            ("client_secret", "kubesphere"),
        ])
        .await;
    assert_eq!(
        error_of(res).await,
        (400, oauth_error("unsupported_grant_type", "The provided grant_type is not supported."))
    );
}

#[tokio::test]
async fn json_body_on_the_token_endpoint_is_415_text() {
    let sim = TestSim::start().await;
    let res = sim
        .token_request()
        .json(&json!({"grant_type": "password", "username": "admin", "password": PASSWORD, "client_id": "kubesphere", "client_secret": "kubesphere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert!(content_type(&res).starts_with("text/plain"));
    assert_eq!(res.text().await.unwrap(), "415: Unsupported Media Type");
}

#[tokio::test]
async fn get_on_the_token_endpoint_is_405_text() {
    let sim = TestSim::start().await;
    let res = sim.get("/oauth/token", None).await;
    assert_eq!(res.status(), 405);
    assert!(content_type(&res).starts_with("text/plain"));
}

#[tokio::test]
async fn ten_failures_lock_the_account_and_the_eleventh_attempt_gets_429() {
    let sim = TestSim::start().await;
    for _ in 0..10 {
        assert_eq!(sim.login("carol", "wrong").await.status(), 400);
    }
    assert_eq!(sim.sim().user_state("carol"), Some(ks_sim::UserState::AuthLimitExceeded));
    let (status, body) = error_of(sim.login("carol", PASSWORD).await).await;
    assert_eq!((status, body["error_description"].as_str().unwrap()), (429, "Rate limit exceeded."));
    let token = sim.access_token("admin").await;
    let carol = sim.get_json(&format!("{USERS}/carol"), &token).await;
    assert_eq!(carol["status"]["state"], "AuthLimitExceeded");
    assert_eq!(carol["status"]["reason"], "Failed login attempts exceed 10 in last 10m0s");
}

#[tokio::test]
async fn the_lock_lifts_after_the_window() {
    let sim = TestSim::with(|c| {
        c.lockout_max_tries = 3;
        c.lockout_window = Duration::from_secs(1);
    })
    .await;
    for _ in 0..3 {
        assert_eq!(sim.login("carol@example.com", "wrong").await.status(), 400);
    }
    assert_eq!(sim.login("carol", PASSWORD).await.status(), 429);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sim.login("carol", PASSWORD).await.status(), 200);
    assert_eq!(sim.sim().user_state("carol"), Some(ks_sim::UserState::Active));
}

#[tokio::test]
async fn failures_older_than_the_window_do_not_count() {
    let sim = TestSim::with(|c| {
        c.lockout_max_tries = 2;
        c.lockout_window = Duration::from_millis(500);
    })
    .await;
    assert_eq!(sim.login("carol", "wrong").await.status(), 400);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sim.login("carol", "wrong").await.status(), 400);
    assert_eq!(sim.login("carol", PASSWORD).await.status(), 200, "the first failure fell out of the window");
}

#[tokio::test]
async fn refresh_grant_issues_a_new_pair_and_keeps_the_old_refresh_token_valid() {
    let sim = TestSim::start().await;
    let (_, refresh) = sim.tokens("bob").await;
    let form = refresh_form(&refresh);
    let res = sim.token_form(&form).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_ne!(body["refresh_token"].as_str().unwrap(), refresh);
    let me = sim.get_json(&format!("{USERS}/bob"), body["access_token"].as_str().unwrap()).await;
    assert_eq!(me["metadata"]["name"], "bob");
    assert_eq!(sim.token_form(&form).await.status(), 200, "old refresh token still valid");
}

#[tokio::test]
async fn refresh_with_an_access_token_or_garbage_is_invalid_grant() {
    let sim = TestSim::start().await;
    let (access, _) = sim.tokens("bob").await;
    let expected = (400, oauth_error("invalid_grant", "The refresh token is invalid or expired."));
    for token in [access.as_str(), "garbage", ""] {
        let res = sim.token_form(&refresh_form(token)).await;
        assert_eq!(error_of(res).await, expected);
    }
}

#[tokio::test]
async fn expired_refresh_token_is_invalid_grant() {
    let sim = TestSim::with(|c| {
        c.access_token_ttl = Duration::from_secs(1);
        c.refresh_token_extra_ttl = Duration::from_secs(0);
    })
    .await;
    let (_, refresh) = sim.tokens("bob").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let res = sim.token_form(&refresh_form(&refresh)).await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn an_invalid_authorization_header_on_the_token_endpoint_is_401() {
    let sim = TestSim::start().await;
    let res = sim
        .token_request()
        .bearer_auth("not-a-token")
        .form(&password_form("admin", PASSWORD, CLIENT))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "Status");
    // The console's habit: the refresh token itself as Bearer is fine.
    let (_, refresh) = sim.tokens("admin").await;
    let res = sim.token_request().bearer_auth(&refresh).form(&refresh_form(&refresh)).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn multiple_login_false_revokes_the_users_other_tokens_at_login() {
    let sim = TestSim::with(|c| c.multiple_login = false).await;
    let (old_access, old_refresh) = sim.tokens("bob").await;
    let alice = sim.access_token("alice").await;
    let new_access = sim.access_token("bob").await;
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&old_access)).await.status(), 401);
    assert!(!sim.sim().active_tokens().contains(&old_refresh));
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&new_access)).await.status(), 200);
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&alice)).await.status(), 200, "other users keep theirs");
}

#[tokio::test]
async fn multiple_login_true_keeps_earlier_sessions() {
    let sim = TestSim::start().await;
    let first = sim.access_token("bob").await;
    let _second = sim.access_token("bob").await;
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&first)).await.status(), 200);
}

#[tokio::test]
async fn revoke_user_tokens_invalidates_every_token_of_that_user() {
    let sim = TestSim::start().await;
    let (access, refresh) = sim.tokens("admin").await;
    let alice = sim.access_token("alice").await;
    sim.sim().revoke_user_tokens("admin");
    assert_eq!(sim.get(&format!("{USERS}/admin"), Some(&access)).await.status(), 401);
    assert!(!sim.sim().active_tokens().contains(&refresh));
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&alice)).await.status(), 200);
    assert_eq!(sim.sim().issued_tokens().len(), 4, "issued tokens are remembered after revocation");
}

#[tokio::test]
async fn a_max_age_of_zero_leaves_expires_in_and_exp_out() {
    let sim = TestSim::with(|c| c.access_token_ttl = Duration::ZERO).await;
    let res = sim.login("bob", PASSWORD).await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("expires_in").is_none(), "omitempty, as KubeSphere: {body}");
    let access = body["access_token"].as_str().unwrap();
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(claims.get("exp").is_none(), "{claims}");
    assert_eq!(sim.get(USERS, Some(access)).await.status().as_u16(), 200);
}
