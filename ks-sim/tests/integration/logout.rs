//! `GET /oauth/logout` (contract §2.4, corrected by §12.8).
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, USERS};
use serde_json::{json, Value};

#[tokio::test]
async fn logout_revokes_that_token_only() {
    let sim = TestSim::start().await;
    let (first, refresh) = sim.tokens("alice").await;
    let second = sim.access_token("alice").await;
    let res = sim.get("/oauth/logout", Some(&first)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"message": "success"}));
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&first)).await.status(), 401);
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&second)).await.status(), 200);
    assert!(sim.sim().active_tokens().contains(&refresh), "logout keeps the refresh token");
    // Logging out again with the revoked token: the authentication filter answers.
    let res = sim.get("/oauth/logout", Some(&first)).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["message"], "token not found in cache");
}

#[tokio::test]
async fn logout_without_a_token_is_a_successful_no_op() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let res = sim.get("/oauth/logout", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"message": "success"}));
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&token)).await.status(), 200);
}

#[tokio::test]
async fn logout_with_a_redirect_uri_revokes_and_redirects_but_only_with_a_bearer() {
    let sim = TestSim::start().await;
    // §12.8: without an Authorization header the answer is always 200, never a redirect.
    let res = sim.get("/oauth/logout?post_logout_redirect_uri=http://console/login&state=xyz", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"message": "success"}));
    let token = sim.access_token("alice").await;
    let res = sim
        .get("/oauth/logout?post_logout_redirect_uri=http://console/login%3Fz%3D1%26a%3D2&state=x%2Fy", Some(&token))
        .await;
    assert_eq!(res.status(), 302);
    // Its own query re-encoded with `state` added, keys sorted (Go's `Values.Encode`).
    assert_eq!(res.headers()["location"], "http://console/login?a=2&state=x%2Fy&z=1");
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&token)).await.status(), 401, "revoked");
    // Not validated: anything goes.
    let token = sim.access_token("alice").await;
    let res = sim.get("/oauth/logout?post_logout_redirect_uri=https://evil.example/", Some(&token)).await;
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (302, "https://evil.example/"));
}

#[tokio::test]
async fn logout_reads_only_the_authorization_header_and_only_bearer_tokens() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let res = sim
        .http
        .get(sim.url("/oauth/logout?post_logout_redirect_uri=http://console/login"))
        .header("x-kubesphere-authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the alias authenticates, but logout reads Authorization only");
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&token)).await.status(), 200, "not revoked");
    let res = sim
        .http
        .get(sim.url("/oauth/logout?post_logout_redirect_uri=http://console/login"))
        .basic_auth("alice", Some(crate::common::PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
