//! The request journal and the `/_sim` control API.
#![allow(clippy::unwrap_used)]

use crate::common::{password_form, refresh_form, TestSim, CLIENT, PASSWORD, USERS};
use serde_json::{json, Value};

#[tokio::test]
async fn the_journal_records_requests_without_secrets() {
    let sim = TestSim::start().await;
    let res = sim
        .token_request()
        .header("x-request-id", "req-1")
        .header("x-client-ip", "10.0.0.7")
        .form(&password_form("alice", PASSWORD, CLIENT))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    let res = sim.token_form(&refresh_form(refresh)).await;
    assert_eq!(res.status(), 200);

    let journal = sim.sim().journal();
    assert_eq!(journal.len(), 2);
    let login = &journal[0];
    assert_eq!((login.method.as_str(), login.path.as_str(), login.status), ("POST", "/oauth/token", 200));
    assert_eq!(login.request_id.as_deref(), Some("req-1"));
    assert_eq!(login.x_client_ip.as_deref(), Some("10.0.0.7"));
    assert_eq!(login.user, None);
    assert!(!login.authorization_present);
    let form = login.body.as_ref().unwrap();
    assert_eq!(form["username"], "alice");
    assert_eq!(form["password"], "***");
    assert_eq!(form["client_secret"], "***");
    assert_eq!(journal[1].body.as_ref().unwrap()["refresh_token"], "***");
    assert!(journal[0].seq < journal[1].seq);

    let text = serde_json::to_string(&journal).unwrap();
    assert!(!text.contains(PASSWORD), "no password in the journal");
    assert!(!text.contains(refresh), "no refresh token in the journal");
    for token in sim.sim().issued_tokens() {
        assert!(!text.contains(&token));
    }
}

#[tokio::test]
async fn the_journal_names_the_caller_and_the_token_owner() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    sim.sim().reset_journal();
    sim.get(&format!("{USERS}?limit=10&page=1"), Some(&token)).await;
    sim.sim().revoke_user_tokens("bob");
    sim.get(&format!("{USERS}/bob"), Some(&token)).await;
    sim.get(USERS, None).await;

    let journal = sim.sim().journal();
    assert_eq!(journal.len(), 3);
    assert_eq!(journal[0].user.as_deref(), Some("bob"));
    assert_eq!(journal[0].query.as_deref(), Some("limit=10&page=1"));
    assert_eq!(journal[0].path, USERS);
    assert_eq!(journal[0].status, 200);
    assert!(journal[0].authorization_present);
    assert_eq!(journal[1].user, None, "revoked token: not authenticated");
    assert_eq!(journal[1].bearer_token_owner.as_deref(), Some("bob"));
    assert_eq!(journal[1].status, 401);
    assert_eq!(journal[2].status, 403);
    assert!(!journal[2].authorization_present);
    assert_eq!(sim.sim().counter(USERS), 2);
    assert_eq!(sim.sim().counter_method("GET", &format!("{USERS}/bob")), 1);
}

#[tokio::test]
async fn control_routes_are_not_journaled_and_expose_the_journal() {
    let sim = TestSim::start().await;
    sim.get(USERS, None).await;
    let res = sim.get("/_sim/journal", None).await;
    assert_eq!(res.status(), 200);
    let entries: Vec<ks_sim::JournalEntry> = res.json().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].path, USERS);
    let filtered: Vec<Value> = sim.get("/_sim/journal?path=/nothing", None).await.json().await.unwrap();
    assert!(filtered.is_empty());
    let count: Value = sim.get(&format!("/_sim/counter?path={USERS}"), None).await.json().await.unwrap();
    assert_eq!(count, json!({"count": 1}));
    let res = sim.http.post(sim.url("/_sim/journal/reset")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(sim.sim().journal().is_empty());
}

#[tokio::test]
async fn control_routes_manage_tokens_and_user_state() {
    let sim = TestSim::start().await;
    let token = sim.access_token("carol").await;
    let issued: Vec<String> = sim.get("/_sim/tokens", None).await.json().await.unwrap();
    assert_eq!(issued.len(), 2);
    assert!(issued.contains(&token));

    let res =
        sim.http.put(sim.url("/_sim/users/carol/state")).json(&json!({"state": "Disabled"})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(sim.sim().user_state("carol"), Some(ks_sim::UserState::Disabled));
    assert_eq!(sim.get(&format!("{USERS}/carol"), Some(&token)).await.status(), 401);
    let state: Value = sim.get("/_sim/users/carol/state", None).await.json().await.unwrap();
    assert_eq!(state, json!({"state": "Disabled"}));

    sim.http.put(sim.url("/_sim/users/carol/state")).json(&json!({"state": "Active"})).send().await.unwrap();
    let revoked: Value =
        sim.http.post(sim.url("/_sim/users/carol/revoke-tokens")).send().await.unwrap().json().await.unwrap();
    assert_eq!(revoked, json!({"revoked": 2}));
    assert_eq!(sim.get(&format!("{USERS}/carol"), Some(&token)).await.status(), 401);
    let missing =
        sim.http.put(sim.url("/_sim/users/zed/state")).json(&json!({"state": "Active"})).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
