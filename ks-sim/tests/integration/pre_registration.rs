//! `manual` mapping: the pre-registration token, its rights, and confirming the username
//! (contract §12.3, §12.4, §12.7).
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, IAM, TENANT, USERS};
use ks_sim::idp::token_claims;
use ks_sim::{IdentityProvider, MappingMethod, PreRegistration};
use serde_json::{json, Value};

const LINK: &str = "iam.kubesphere.io/identity-provider.partners";

async fn start() -> TestSim {
    TestSim::with(|c| {
        c.identity_providers = vec![IdentityProvider::ldap("partners", MappingMethod::Manual)
            .with_person("Jo.Kim", "Partner-pass-1", "jo.kim@partner.example")
            .with_person("noor@partner.example", "Partner-pass-2", "noor@partner.example")
            .with_person("nomail", "Partner-pass-3", "")]
    })
    .await
}

/// Signs in through `partners`, expecting a pre-registration pair (access, refresh).
async fn pre_registration(sim: &TestSim, login: &str, password: &str) -> (String, String) {
    let (status, body) = sim.directory_login("partners", login, password).await;
    assert_eq!(status, 200, "{body}");
    (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
}

fn confirm_body(name: &str, email: &str) -> Value {
    json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
           "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-admin"}},
           "spec": {"email": email}})
}

#[tokio::test]
async fn a_new_identity_gets_a_pre_registration_pair_carrying_the_identity() {
    let sim = start().await;
    let users_before = sim.get_as("admin", USERS).await["totalItems"].clone();
    let (access, refresh) = pre_registration(&sim, "jo.kim", "Partner-pass-1").await;
    let claims = token_claims(&access).unwrap();
    assert_eq!(
        (claims["username"].as_str(), claims["sub"].as_str()),
        (Some("system:pre-registration"), Some("system:pre-registration"))
    );
    assert_eq!(claims["token_type"], "access_token");
    assert_eq!(
        claims["extra"],
        json!({"idp": ["partners"], "uid": ["Jo.Kim"], "username": ["Jo.Kim"], "email": ["jo.kim@partner.example"]})
    );
    let expected = PreRegistration {
        idp: "partners".into(),
        uid: "Jo.Kim".into(),
        username: "Jo.Kim".into(),
        email: "jo.kim@partner.example".into(),
    };
    assert_eq!(PreRegistration::from_token(&access), Some(expected.clone()));
    assert_eq!(PreRegistration::from_token(&refresh), Some(expected));
    assert_eq!(PreRegistration::from_token(&sim.access_token("bob").await), None);
    assert_eq!(token_claims(&refresh).unwrap()["token_type"], "refresh_token");
    // No e-mail in the directory: an empty string.
    let (access, _) = pre_registration(&sim, "nomail", "Partner-pass-3").await;
    assert_eq!(token_claims(&access).unwrap()["extra"]["email"], json!([""]));
    assert_eq!(sim.get_as("admin", USERS).await["totalItems"], users_before, "nobody created");
}

#[tokio::test]
async fn the_pre_registration_user_may_only_list_and_create_users() {
    let sim = start().await;
    let (access, _) = pre_registration(&sim, "jo.kim", "Partner-pass-1").await;
    let list = sim.call("GET", USERS, Some(&access), None).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("alice@example.com"), "every user, e-mails included");
    for (method, path) in [
        ("GET", format!("{USERS}/bob")),
        ("GET", format!("{USERS}/system:pre-registration")),
        ("PUT", format!("{USERS}/bob")),
        ("DELETE", format!("{USERS}/bob")),
        ("GET", format!("{TENANT}/workspacetemplates")),
        ("GET", format!("{IAM}/roletemplates")),
        ("GET", "/kapis/config.kubesphere.io/v1alpha2/configs/oauth".to_owned()),
        ("GET", "/foo".to_owned()),
    ] {
        let res = sim.call(method, &path, Some(&access), Some(json!({}))).await;
        res.assert_forbidden_json();
        assert!(res.text.contains("User \\\"system:pre-registration\\\""), "{method} {path}: {}", res.text);
    }
    let res = sim.call("GET", "/oauth/userinfo", Some(&access), None).await;
    assert_eq!(res.status, 500);
    assert_eq!(res.json()["error"], "server_error");
}

#[tokio::test]
async fn refreshing_before_the_confirmation_finds_no_user() {
    let sim = start().await;
    let (_, refresh) = pre_registration(&sim, "jo.kim", "Partner-pass-1").await;
    assert_eq!(
        sim.refresh(&refresh).await,
        (400, json!({"error": "invalid_grant", "error_description": "Authenticated user does not exist."}))
    );
}

#[tokio::test]
async fn confirming_creates_a_linked_user_without_a_role_and_the_refresh_switches_to_it() {
    let sim = start().await;
    let (access, refresh) = pre_registration(&sim, "noor@partner.example", "Partner-pass-2").await;
    let res = sim.call("POST", USERS, Some(&access), Some(confirm_body("noor", "noor@partner.example"))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let noor = res.json();
    assert_eq!(noor["metadata"]["annotations"][LINK], "noor@partner.example");
    assert_eq!(noor["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "", "the role was dropped");
    assert_eq!(noor["status"]["state"], "Active");
    let admin = sim.access_token("admin").await;
    let bindings =
        sim.get_json(&format!("{IAM}/globalrolebindings?labelSelector=iam.kubesphere.io/user-ref=noor"), &admin).await;
    assert_eq!(bindings["items"], json!([]));
    // The refresh token now gives a pair for noor, without extra.
    let (status, body) = sim.refresh(&refresh).await;
    assert_eq!(status, 200, "{body}");
    let noor_access = body["access_token"].as_str().unwrap();
    let claims = token_claims(noor_access).unwrap();
    assert_eq!(claims["username"], "noor");
    assert!(claims.get("extra").is_none(), "{claims}");
    assert_eq!(sim.get(&format!("{USERS}/noor"), Some(noor_access)).await.status(), 200);
    // From then on the directory sign-in lands in noor.
    let (status, body) = sim.directory_login("partners", "NOOR@partner.example", "Partner-pass-2").await;
    assert_eq!(status, 200);
    assert_eq!(token_claims(body["access_token"].as_str().unwrap()).unwrap()["username"], "noor");
    let records = sim.get_json(&format!("{USERS}/noor/loginrecords"), &admin).await;
    assert_eq!(records["totalItems"], 1, "only the sign-in as noor is recorded: {records}");
    assert_eq!(records["items"][0]["spec"]["provider"], "partners");
}

#[tokio::test]
async fn the_confirmation_is_an_ordinary_create_otherwise() {
    let sim = start().await;
    let (access, refresh) = pre_registration(&sim, "jo.kim", "Partner-pass-1").await;
    let taken = sim.call("POST", USERS, Some(&access), Some(confirm_body("bob", "jo.kim@partner.example"))).await;
    taken.assert_text(409, "users.iam.kubesphere.io \"bob\" already exists");
    let invalid = sim.call("POST", USERS, Some(&access), Some(confirm_body("Jo.Kim", "jo.kim@partner.example"))).await;
    assert_eq!(invalid.status, 422, "{invalid:?}");
    let email = sim.call("POST", USERS, Some(&access), Some(confirm_body("jo", "alice@example.com"))).await;
    email.assert_text(
        403,
        "admission webhook \"users.iam.kubesphere.io\" denied the request: user email: alice@example.com already exists",
    );
    assert!(sim.sim().linked_users("partners", "Jo.Kim").is_empty());
    assert_eq!(sim.refresh(&refresh).await.0, 400);
}

#[tokio::test]
async fn two_users_confirmed_with_one_token_make_the_refresh_fail() {
    let sim = start().await;
    let (access, refresh) = pre_registration(&sim, "jo.kim", "Partner-pass-1").await;
    for name in ["jo", "jo-kim"] {
        let res = sim.call("POST", USERS, Some(&access), Some(confirm_body(name, ""))).await;
        assert_eq!(res.status, 200, "{res:?}");
    }
    assert_eq!(sim.sim().linked_users("partners", "Jo.Kim"), ["jo", "jo-kim"]);
    let (status, body) = sim.refresh(&refresh).await;
    assert_eq!((status, body["error_description"].as_str()), (400, Some("Authenticated user does not exist.")));
    // The sign-in takes the first linked user in list order.
    let (_, body) = sim.directory_login("partners", "jo.kim", "Partner-pass-1").await;
    assert_eq!(token_claims(body["access_token"].as_str().unwrap()).unwrap()["username"], "jo");
}

#[tokio::test]
async fn a_pre_provisioned_link_skips_the_confirmation() {
    let sim = start().await;
    let admin = sim.access_token("admin").await;
    let body = json!({"metadata": {"name": "kim", "annotations": {LINK: "Jo.Kim", "iam.kubesphere.io/globalrole": "platform-regular"}},
                      "spec": {"email": "kim@example.com"}});
    assert_eq!(sim.call("POST", USERS, Some(&admin), Some(body)).await.status, 200);
    let (status, body) = sim.directory_login("partners", "jo.kim", "Partner-pass-1").await;
    assert_eq!(status, 200);
    let claims = token_claims(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["username"], "kim");
    assert!(claims.get("extra").is_none());
}
