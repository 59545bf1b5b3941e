//! Registered OAuth clients (§12.1 `clients`, §12.5): how `configs/oauth` lists them and how
//! the token endpoint finds them.
#![allow(clippy::unwrap_used)]

use crate::common::{password_form, TestSim, PASSWORD};
use ks_sim::{GrantMethod, OAuthClient};
use serde_json::{json, Value};

const CONFIG: &str = "/kapis/config.kubesphere.io/v1alpha2/configs/oauth";

async fn clients() -> TestSim {
    TestSim::with(|c| {
        c.client_redirect_uris = vec!["http://console.example/oauth/callback".to_owned()];
        c.other_clients = vec![
            OAuthClient::new("grafana", "grafana-Secr3t")
                .with_scopes(["openid"])
                .with_redirect_uris(["http://grafana.example/login/generic_oauth"]),
            OAuthClient::new("robot", "robot-Secr3t").trusted().with_grant_method(GrantMethod::Deny),
        ];
    })
    .await
}

#[tokio::test]
async fn configs_oauth_lists_every_client_with_its_redirect_uris_and_no_secret() {
    let sim = clients().await;
    let res = sim.call("GET", CONFIG, None, None).await;
    assert_eq!(res.status, 200);
    assert!(!res.text.contains("Secr3t") && !res.text.contains("\"secret\""), "{}", res.text);
    assert_eq!(
        res.json()["clients"],
        json!([
            {"name": "kubesphere", "trusted": true, "grantMethod": "auto",
             "scopeRestrictions": ["openid", "email", "profile"],
             "redirectURIs": ["http://console.example/oauth/callback"]},
            {"name": "grafana", "trusted": false, "grantMethod": "auto", "scopeRestrictions": ["openid"],
             "redirectURIs": ["http://grafana.example/login/generic_oauth"]},
            {"name": "robot", "trusted": true, "grantMethod": "deny"},
        ])
    );
    // A test learns the console's address late: the redirect URIs change while running.
    sim.sim().set_client_redirect_uris(vec!["http://127.0.0.1:1/cb".to_owned(), "http://127.0.0.1:1/cb2".to_owned()]);
    let listed = sim.call("GET", CONFIG, None, None).await.json();
    assert_eq!(listed["clients"][0]["redirectURIs"], json!(["http://127.0.0.1:1/cb", "http://127.0.0.1:1/cb2"]));
    sim.sim().set_client_redirect_uris(Vec::new());
    assert!(sim.call("GET", CONFIG, None, None).await.json()["clients"][0].get("redirectURIs").is_none());
}

#[tokio::test]
async fn the_default_client_is_the_shipped_one_without_redirect_uris() {
    let sim = TestSim::start().await;
    let listed = sim.call("GET", CONFIG, None, None).await.json();
    assert_eq!(
        listed["clients"],
        json!([{"name": "kubesphere", "trusted": true, "grantMethod": "auto", "scopeRestrictions": ["openid", "email", "profile"]}])
    );
}

async fn password_grant(sim: &TestSim, client_id: &str, secret: &str) -> (u16, Value) {
    let res = sim.token_form(&password_form("alice", PASSWORD, (client_id, secret))).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn the_token_endpoint_finds_any_client_and_the_password_grant_needs_a_trusted_one() {
    let sim = clients().await;
    assert_eq!(password_grant(&sim, "robot", "robot-Secr3t").await.0, 200, "trusted, even with deny");
    let unsupported =
        json!({"error": "unsupported_grant_type", "error_description": "The provided grant_type is not supported."});
    assert_eq!(password_grant(&sim, "grafana", "grafana-Secr3t").await, (400, unsupported));
    let wrong = json!({"error": "unauthorized_client", "error_description": "Invalid client credential."});
    assert_eq!(password_grant(&sim, "grafana", "kubesphere").await, (401, wrong), "the secret comes first");
    let unknown =
        json!({"error": "invalid_client", "error_description": "The provided client_id is invalid or does not exist."});
    assert_eq!(password_grant(&sim, "", "").await, (400, unknown));
    // The configured client made untrusted: no password grant for the console either.
    let untrusted = TestSim::with(|c| c.client_trusted = false).await;
    assert_eq!(password_grant(&untrusted, "kubesphere", "kubesphere").await.0, 400);
    let listed = untrusted.call("GET", CONFIG, None, None).await.json();
    assert_eq!(listed["clients"][0]["trusted"], false);
}
