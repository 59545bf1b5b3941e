//! The authentication and authorization filters (contract §1.2, §1.6 B, §6).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::common::{content_type, TestSim, PASSWORD, USERS};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

#[tokio::test]
async fn anonymous_list_is_403_status_json_for_system_anonymous() {
    let sim = TestSim::start().await;
    let res = sim.get(USERS, None).await;
    assert_eq!(res.status(), 403);
    assert!(content_type(&res).starts_with("application/json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
            "message":"users.iam.kubesphere.io is forbidden: User \"system:anonymous\" cannot list resource \"users\" in API group \"iam.kubesphere.io\" at the cluster scope",
            "reason":"Forbidden","details":{"group":"iam.kubesphere.io","kind":"users"},"code":403})
    );
}

#[tokio::test]
async fn anonymous_request_to_an_unknown_path_is_403_not_404() {
    let sim = TestSim::start().await;
    let res = sim.get("/foo", None).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "forbidden: User \"system:anonymous\" cannot get path \"/foo\"");
}

#[tokio::test]
async fn bad_token_is_401_status_json_token_not_found_in_cache() {
    let sim = TestSim::start().await;
    let (token, _) = sim.tokens("bob").await;
    sim.sim().revoke_user_tokens("bob");
    let res = sim.get(USERS, Some(&token)).await;
    assert_eq!(res.status(), 401);
    assert!(content_type(&res).starts_with("application/json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"token not found in cache","reason":"Unauthorized","code":401})
    );
}

#[tokio::test]
async fn garbage_and_forged_tokens_are_401() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let mut forged: Vec<&str> = token.split('.').collect();
    forged[2] = "AAAA";
    for bad in ["garbage".to_owned(), forged.join(".")] {
        let res = sim.get(USERS, Some(&bad)).await;
        assert_eq!(res.status(), 401, "{bad}");
        assert_eq!(res.json::<Value>().await.unwrap()["reason"], "Unauthorized");
    }
}

#[tokio::test]
async fn expired_token_is_401_jwt_token_is_expired() {
    let sim = TestSim::with(|c| c.access_token_ttl = Duration::from_secs(1)).await;
    let res = sim.login("bob", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["expires_in"], 1);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(sim.get(USERS, Some(token)).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let res = sim.get(USERS, Some(token)).await;
    assert_eq!(res.status(), 401);
    let message = res.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("jwt: token is expired by "), "{message}");
    assert!(message.ends_with('s'), "{message}");
}

#[tokio::test]
async fn disabled_users_valid_token_is_401_account_is_not_active() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    assert!(sim.sim().set_user_state("bob", ks_sim::UserState::Disabled));
    let res = sim.get(&format!("{USERS}/bob"), Some(&token)).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["message"], "account is not active");
}

#[tokio::test]
async fn a_lock_does_not_invalidate_existing_tokens() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    sim.sim().set_user_state("bob", ks_sim::UserState::AuthLimitExceeded);
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&token)).await.status(), 200);
    assert_eq!(sim.login("bob", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn basic_auth_works_and_its_failures_count_towards_the_lockout() {
    let sim = TestSim::with(|c| c.lockout_max_tries = 2).await;
    let basic = |user: &str, password: &str| format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
    let res = sim
        .http
        .get(sim.url(&format!("{USERS}/alice")))
        .header("authorization", basic("alice", PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for _ in 0..2 {
        let res = sim.http.get(sim.url(USERS)).header("authorization", basic("carol", "wrong")).send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["kind"], "Status");
    }
    assert_eq!(sim.login("carol", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn x_kubesphere_authorization_is_an_alias_header() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let res = sim
        .http
        .get(sim.url(&format!("{USERS}/alice")))
        .header("x-kubesphere-authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn regular_user_reading_another_user_is_403_with_the_name_in_details() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let res = sim.get(&format!("{USERS}/alice"), Some(&token)).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["message"],
        "users.iam.kubesphere.io \"alice\" is forbidden: User \"bob\" cannot get resource \"users\" in API group \"iam.kubesphere.io\" at the cluster scope"
    );
    assert_eq!(body["details"], json!({"name": "alice", "group": "iam.kubesphere.io", "kind": "users"}));
    assert_eq!(body["code"], 403);
}

#[tokio::test]
async fn a_custom_role_with_view_users_may_read_other_users() {
    let mut seed = ks_sim::Seed::demo();
    seed.users.iter_mut().find(|u| u.name == "carol").unwrap().global_role = Some("platform-auditor".into());
    let sim = TestSim::with(|c| c.seed = seed).await;
    let token = sim.access_token("carol").await;
    let alice = sim.get_json(&format!("{USERS}/alice"), &token).await;
    assert_eq!(alice["metadata"]["name"], "alice");
}

#[tokio::test]
async fn version_and_healthz_answer_without_a_token() {
    let sim = TestSim::start().await;
    let res = sim.get("/version", None).await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["gitVersion"], "v4.1.3");
    assert_eq!(body["kubernetes"]["gitVersion"], "v1.28.4");
    let res = sim.get("/healthz", None).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(content_type(&res), "text/plain; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), "ok");
    let old = TestSim::with(|c| c.ks_version = ks_sim::KsVersion::V4_1_2).await;
    let body: Value = old.get("/version", None).await.json().await.unwrap();
    assert_eq!(body["gitVersion"], "v4.1.2");
}

#[tokio::test]
async fn login_records_list_successful_and_failed_password_checks() {
    let sim = TestSim::start().await;
    assert_eq!(sim.login("bob", "wrong-Passw0rd").await.status().as_u16(), 400);
    let token = sim.access_token("bob").await;
    let path = format!("{USERS}/bob/loginrecords");
    let records = sim.get_json(&path, &token).await;
    assert_eq!(records["totalItems"], 2, "{records}");
    // Both were made within one second: KubeSphere orders such ties by their random names.
    let items = records["items"].as_array().unwrap();
    let success = items.iter().find(|r| r["spec"]["success"] == true).unwrap();
    assert_eq!(success["kind"], "LoginRecord");
    assert_eq!(success["spec"]["reason"], "authenticated successfully");
    assert_eq!(success["metadata"]["labels"]["iam.kubesphere.io/user-ref"], "bob");
    let failure = items.iter().find(|r| r["spec"]["success"] == false).unwrap();
    assert_eq!(failure["spec"]["reason"], "incorrect password");
    // Platform admins may read anyone's; other users only their own.
    let admin = sim.access_token("admin").await;
    assert_eq!(sim.get_json(&path, &admin).await["totalItems"], 2);
    let carol = sim.access_token("carol").await;
    assert_eq!(sim.get(&path, Some(&carol)).await.status().as_u16(), 403);
}
