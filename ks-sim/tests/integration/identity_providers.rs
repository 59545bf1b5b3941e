//! Identity providers: the public list and the password grant with `provider` (contract §12.1,
//! §12.2, §12.3 `auto`/`lookup`, §12.6 userinfo).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use crate::common::{TestSim, PASSWORD, USERS};
use ks_sim::idp::token_claims;
use ks_sim::{IdentityProvider, MappingMethod, UserState};
use serde_json::{json, Value};

const CONFIG: &str = "/kapis/config.kubesphere.io/v1alpha2/configs/oauth";
const LINK: &str = "iam.kubesphere.io/identity-provider.corp";

fn invalid() -> (u16, Value) {
    (400, json!({"error": "invalid_grant", "error_description": "Invalid username or password."}))
}

fn server_error() -> (u16, Value) {
    (
        500,
        json!({"error": "server_error", "error_description": "An internal server error occurred while processing the request."}),
    )
}

fn providers() -> Vec<IdentityProvider> {
    vec![
        IdentityProvider::ldap("corp", MappingMethod::Auto)
            .with_display_name("Corporate Directory")
            .with_person("li.wei", "Dir-pass-1", "li.wei@corp.example")
            .with_person("Mei.Tan", "Dir-pass-2", "mei.tan@corp.example")
            .with_person("Ana_Ruiz", "Dir-pass-3", "ana.ruiz@corp.example")
            .with_person("bob", "Dir-pass-4", "bob@corp.example")
            .with_person("erin", "Dir-pass-5", "")
            .with_person("dave", "Dir-pass-6", "")
            .with_person("twin", "Dir-pass-7", "")
            .with_person("TWIN", "Dir-pass-7", "")
            .with_person("copycat", "Dir-pass-8", "alice@example.com"),
        IdentityProvider::ldap("strict", MappingMethod::Lookup).with_person(
            "carol",
            "Dir-pass-1",
            "carol@corp.example",
        ),
        IdentityProvider::ldap("old", MappingMethod::Auto).disabled().with_person("li.wei", "Dir-pass-1", ""),
        IdentityProvider::ldap("down", MappingMethod::Auto).unreachable().with_person("li.wei", "Dir-pass-1", ""),
        IdentityProvider::ldap("quiet", MappingMethod::Auto).hidden().with_person("ops", "Dir-pass-1", ""),
        IdentityProvider::oidc("sso", MappingMethod::Auto, "https://sso.example/realms/x")
            .with_display_name("Company SSO"),
        IdentityProvider::ldap("saml", MappingMethod::Auto).with_type("SAMLIdentityProvider"),
    ]
}

async fn start() -> TestSim {
    TestSim::with(|c| c.identity_providers = providers()).await
}

fn names_of(config: &Value) -> Vec<String> {
    config["identityProviders"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn configs_oauth_is_anonymous_and_lists_every_loaded_provider_without_secrets() {
    let sim = start().await;
    let res = sim.call("GET", CONFIG, None, None).await;
    assert_eq!(res.status, 200, "{res:?}");
    let config = res.json();
    assert_eq!(
        config["issuer"],
        json!({"url": "http://ks-console.kubesphere-system.svc:30880", "accessTokenMaxAge": 7_200_000_000_000_u64,
               "accessTokenInactivityTimeout": 1_800_000_000_000_u64, "maximumClockSkew": 10_000_000_000_u64})
    );
    assert_eq!(
        config["clients"],
        json!([{"name": "kubesphere", "trusted": true, "grantMethod": "auto", "scopeRestrictions": ["openid", "email", "profile"]}])
    );
    let listed: BTreeSet<String> = names_of(&config).into_iter().collect();
    let expected: BTreeSet<String> =
        ["corp", "strict", "old", "down", "quiet", "sso"].into_iter().map(str::to_owned).collect();
    assert_eq!(listed, expected, "hidden and disabled ones included, an unknown type not loaded");
    let find = |name: &str| {
        config["identityProviders"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone()
    };
    assert_eq!(
        find("corp"),
        json!({"name": "corp", "mappingMethod": "auto", "type": "LDAPIdentityProvider", "hidden": false,
               "disabled": false, "displayName": "Corporate Directory",
               "provider": {"host": "corp.example.com:389", "loginAttribute": "uid", "mailAttribute": "mail",
                            "managerDN": "cn=admin,dc=example,dc=com", "userSearchBase": "ou=people,dc=example,dc=com"}})
    );
    assert_eq!((find("old")["disabled"].clone(), find("quiet")["hidden"].clone()), (json!(true), json!(true)));
    let sso = find("sso");
    assert_eq!(sso["type"], "OIDCIdentityProvider");
    assert_eq!(sso["provider"]["clientID"], "kubesphere");
    assert!(sso["provider"]["endpoint"]["tokenURL"].is_string());
    assert!(
        !res.text.to_lowercase().contains("secret") && !res.text.to_lowercase().contains("password"),
        "{}",
        res.text
    );
    // The same for a signed-in user; a bad bearer is 401; members do not serve it.
    let token = sim.access_token("bob").await;
    assert_eq!(sim.call("GET", CONFIG, Some(&token), None).await.status, 200);
    assert_eq!(sim.call("GET", CONFIG, Some("garbage"), None).await.status, 401);
    let member = sim.call("GET", &format!("/clusters/member-1{CONFIG}"), None, None).await;
    assert_eq!(member.status, 404);
}

#[tokio::test]
async fn demo_providers_are_listed_in_no_defined_order_and_strip_nested_secrets() {
    let sim = TestSim::with(|c| *c = c.clone().with_demo_identity_providers()).await;
    let mut orders = BTreeSet::new();
    for _ in 0..20 {
        let config = sim.call("GET", CONFIG, None, None).await;
        assert!(!config.text.contains("Secr3t") && !config.text.contains("manager-"), "{}", config.text);
        orders.insert(names_of(&config.json()));
    }
    assert!(orders.len() > 1, "the order changes: {orders:?}");
    let mut names = orders.into_iter().next().unwrap();
    names.sort();
    assert_eq!(names, ["company-sso", "corp-ldap", "hidden-ldap", "old-ldap", "partner-ldap"]);
    let demo = ks_sim::idp::demo_identity_providers();
    let sso = demo.iter().find(|p| p.name == "company-sso").unwrap();
    assert!(sso.provider["endpoint"].get("clientSecret").is_some(), "configured, only not listed");
}

#[tokio::test]
async fn rows_1_to_3_empty_fields_then_unknown_oauth_or_disabled_providers() {
    let sim = start().await;
    assert_eq!(sim.directory_login("corp", "", "Dir-pass-1").await, invalid());
    assert_eq!(sim.directory_login("nope", "li.wei", "").await, invalid(), "row 1 comes first");
    for provider in ["nope", "sso", "saml", "old"] {
        assert_eq!(sim.directory_login(provider, "li.wei", "Dir-pass-1").await, server_error(), "{provider}");
    }
    assert_eq!(sim.directory_login("old", "li.wei", "wrong").await, server_error(), "before the directory");
}

#[tokio::test]
async fn row_4_unknown_login_or_wrong_password_is_invalid_grant() {
    let sim = start().await;
    assert_eq!(sim.directory_login("corp", "nobody", "Dir-pass-1").await, invalid());
    assert_eq!(sim.directory_login("corp", "li.wei", "Dir-pass-2").await, invalid());
    assert_eq!(sim.directory_login("corp", "li.wei@corp.example", "Dir-pass-1").await, invalid(), "login is uid");
    assert!(sim.sim().linked_users("corp", "li.wei").is_empty());
}

#[tokio::test]
async fn row_5_an_unreachable_directory_or_several_entries_is_500() {
    let sim = start().await;
    assert_eq!(sim.directory_login("down", "li.wei", "wrong").await, server_error());
    assert_eq!(sim.directory_login("corp", "twin", "Dir-pass-7").await, server_error(), "twin and TWIN");
    assert!(sim.sim().set_directory_reachable("corp", false));
    assert_eq!(sim.directory_login("corp", "li.wei", "Dir-pass-1").await, server_error());
    let res = sim
        .http
        .put(format!("{}/_sim/identity-providers/corp/reachable", sim.running.base_url()))
        .json(&json!({"reachable": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(sim.directory_login("corp", "li.wei", "Dir-pass-1").await.0, 200);
    assert!(!sim.sim().set_directory_reachable("nope", false));
}

#[tokio::test]
async fn auto_creates_a_linked_user_named_like_the_lower_cased_login() {
    let sim = start().await;
    let (status, body) = sim.directory_login("corp", "MEI.tan", "Dir-pass-2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let claims = token_claims(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims["username"], "mei.tan");
    assert!(claims.get("extra").is_none(), "no extra from this path: {claims}");
    let admin = sim.access_token("admin").await;
    let user = sim.get_json(&format!("{USERS}/mei.tan"), &admin).await;
    assert_eq!(user["metadata"]["annotations"][LINK], "Mei.Tan", "the uid as the directory stores it");
    assert_eq!(user["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "");
    assert_eq!(user["spec"]["email"], "mei.tan@corp.example");
    assert_eq!(user["status"]["state"], "Active");
    let records = sim.get_json(&format!("{USERS}/mei.tan/loginrecords"), &admin).await;
    assert_eq!(records["items"][0]["spec"]["provider"], "corp");
    assert_eq!(records["items"][0]["spec"]["type"], "Token");
    assert_eq!(records["items"][0]["spec"]["success"], true);
    // The token works; the user has no password; the next sign-in lands in the same user.
    assert_eq!(sim.get(&format!("{USERS}/mei.tan"), body["access_token"].as_str()).await.status(), 200);
    assert_eq!(sim.login("mei.tan", "Dir-pass-2").await.status(), 400);
    assert_eq!(sim.directory_login("corp", "mei.tan", "Dir-pass-2").await.0, 200);
    assert_eq!(sim.sim().linked_users("corp", "Mei.Tan"), ["mei.tan"]);
    let list = sim.get_json(&format!("{USERS}?annotation={LINK}=Mei.Tan"), &admin).await;
    assert_eq!(list["totalItems"], 1);
}

#[tokio::test]
async fn auto_links_an_existing_user_of_that_name_and_unlocks_it() {
    let sim = start().await;
    let (status, body) = sim.directory_login("corp", "bob", "Dir-pass-4").await;
    assert_eq!(status, 200);
    assert_eq!(token_claims(body["access_token"].as_str().unwrap()).unwrap()["username"], "bob");
    let admin = sim.access_token("admin").await;
    let bob = sim.get_json(&format!("{USERS}/bob"), &admin).await;
    assert_eq!(bob["metadata"]["annotations"][LINK], "bob");
    assert_eq!(bob["spec"]["email"], "bob@corp.example", "overwritten by the directory's");
    assert_eq!(bob["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-regular");
    assert_eq!(sim.login("bob", PASSWORD).await.status(), 200, "the local password stays");
    // dave is locked (AuthLimitExceeded): the update makes him Active.
    assert_eq!(sim.directory_login("corp", "dave", "Dir-pass-6").await.0, 200);
    assert_eq!(sim.sim().user_state("dave"), Some(UserState::Active));
}

#[tokio::test]
async fn row_7_auto_fails_for_invalid_names_disabled_users_and_taken_emails() {
    let sim = start().await;
    assert_eq!(sim.directory_login("corp", "ana_ruiz", "Dir-pass-3").await, server_error());
    assert_eq!(sim.directory_login("corp", "erin", "Dir-pass-5").await, server_error(), "erin is Disabled");
    assert_eq!(sim.directory_login("corp", "copycat", "Dir-pass-8").await, server_error(), "alice's e-mail");
    let admin = sim.access_token("admin").await;
    let users = sim.get_json(USERS, &admin).await;
    let text = users.to_string();
    assert!(!text.contains("ana_ruiz") && !text.contains("copycat") && !text.contains(LINK), "{text}");
}

#[tokio::test]
async fn row_6_lookup_refuses_unlinked_identities_and_follows_links() {
    let sim = start().await;
    assert_eq!(sim.directory_login("strict", "carol", "Dir-pass-1").await, server_error(), "no match by name");
    // Pre-provisioned (§12.7): an admin links a user of any name.
    let admin = sim.access_token("admin").await;
    let body = json!({"metadata": {"name": "carol-dir", "annotations": {"iam.kubesphere.io/identity-provider.strict": "carol"}},
                      "spec": {"email": "carol.dir@example.com"}});
    assert_eq!(sim.call("POST", USERS, Some(&admin), Some(body)).await.status, 200);
    let (status, body) = sim.directory_login("strict", "carol", "Dir-pass-1").await;
    assert_eq!(status, 200);
    assert_eq!(token_claims(body["access_token"].as_str().unwrap()).unwrap()["username"], "carol-dir");
    let user = sim.get_json(&format!("{USERS}/carol-dir"), &admin).await;
    assert_eq!(user["spec"]["email"], "carol.dir@example.com", "a linked user's e-mail is left alone");
}

#[tokio::test]
async fn row_8_a_disabled_linked_user_is_suspended_and_a_locked_one_still_signs_in() {
    let sim = start().await;
    assert_eq!(sim.directory_login("corp", "li.wei", "Dir-pass-1").await.0, 200);
    sim.sim().set_user_state("li.wei", UserState::AuthLimitExceeded);
    assert_eq!(sim.directory_login("corp", "li.wei", "Dir-pass-1").await.0, 200, "never 429");
    assert_eq!(sim.sim().user_state("li.wei"), Some(UserState::AuthLimitExceeded), "a link found: no update");
    sim.sim().set_user_state("li.wei", UserState::Disabled);
    assert_eq!(
        sim.directory_login("corp", "li.wei", "Dir-pass-1").await,
        (400, json!({"error": "invalid_grant", "error_description": "Account suspended."}))
    );
}

#[tokio::test]
async fn a_wrong_directory_password_counts_towards_the_same_named_local_lockout() {
    let sim = TestSim::with(|c| {
        c.identity_providers = providers();
        c.lockout_max_tries = 3;
    })
    .await;
    assert_eq!(sim.directory_login("corp", "carol", "wrong").await, invalid(), "not in corp's directory");
    assert_eq!(sim.directory_login("corp", "carol@example.com", "wrong").await, invalid(), "by e-mail");
    assert_eq!(sim.directory_login("corp", "carol", "").await, invalid());
    assert_eq!(sim.sim().user_state("carol"), Some(UserState::AuthLimitExceeded));
    assert_eq!(sim.login("carol", PASSWORD).await.status(), 429);
    assert_eq!(sim.directory_login("corp", "carol", "wrong").await, invalid(), "the directory path never says 429");
    let admin = sim.access_token("admin").await;
    let records = sim.get_json(&format!("{USERS}/carol/loginrecords"), &admin).await;
    assert_eq!(records["totalItems"], 4);
    assert!(records["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["spec"]["provider"] == "corp" && r["spec"]["success"] == false));
}

#[tokio::test]
async fn userinfo_answers_the_callers_claims_and_login_required_to_anonymous() {
    let sim = start().await;
    let res = sim.call("GET", "/oauth/userinfo", None, None).await;
    assert_eq!((res.status, res.text.as_str()), (401, "\"login_required\""));
    let token = sim.access_token("bob").await;
    let res = sim.call("GET", "/oauth/userinfo", Some(&token), None).await;
    assert_eq!(
        res.json(),
        json!({"sub": "bob", "url": "bob", "email": "bob@example.com", "locale": "en", "preferred_username": "bob"})
    );
}
