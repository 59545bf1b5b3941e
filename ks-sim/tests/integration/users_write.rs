//! Creating and updating users (contract §3.1, §3.2, §5).
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, IAM, PASSWORD, USERS};
use serde_json::{json, Value};

fn new_user(name: &str, email: &str, role: &str, password: &str) -> Value {
    json!({
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": name, "annotations": {
            "iam.kubesphere.io/globalrole": role,
            "iam.kubesphere.io/uninitialized": "true",
            "kubesphere.io/creator": "admin"}},
        "spec": {"email": email, "password": password, "lang": "en"},
    })
}

#[tokio::test]
async fn admin_creates_an_active_user_bound_to_the_global_role() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let body = new_user("zoe", "zoe@example.com", "platform-regular", "Passw0rd!");
    let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let zoe = res.json();
    assert_eq!(zoe["metadata"]["name"], "zoe");
    assert_eq!(zoe["status"]["state"], "Active");
    assert!(zoe["spec"].get("password").is_none());
    assert!(!res.text.contains("Passw0rd!"));
    assert_eq!(zoe["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-regular");
    let bindings =
        sim.get_json(&format!("{IAM}/globalrolebindings?labelSelector=iam.kubesphere.io/user-ref=zoe"), &token).await;
    assert_eq!(bindings["items"][0]["metadata"]["name"], "zoe-platform-regular");
    assert_eq!(bindings["items"][0]["roleRef"]["name"], "platform-regular");
    assert_eq!(sim.login("zoe", "Passw0rd!").await.status(), 200);
}

#[tokio::test]
async fn unknown_global_role_is_404_and_creates_nothing() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let body = new_user("zoe", "zoe@example.com", "nope", "Passw0rd");
    let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
    res.assert_text(404, "globalroles.iam.kubesphere.io \"nope\" not found");
    let res = sim.call("GET", &format!("{USERS}/zoe"), Some(&token), None).await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn invalid_user_name_is_422_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let body = new_user("Bad", "bad@example.com", "platform-regular", "Passw0rd");
    let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
    assert_eq!(res.status, 422);
    assert!(res.text.starts_with("User.iam.kubesphere.io \"Bad\" is invalid: metadata.name: Invalid value: "));
}

#[tokio::test]
async fn weak_passwords_are_422_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    for (password, detail) in [
        ("Sh0rt", "should be at least 8 chars long"),
        ("alllowercase1", "should match"),
        ("NoDigitsHere", "should match"),
        ("Line\nBreak1", "should match"),
    ] {
        let body = new_user("zoe", "zoe@example.com", "platform-regular", password);
        let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
        assert_eq!(res.status, 422, "{password}");
        assert!(res.text.starts_with("User.iam.kubesphere.io \"zoe\" is invalid: spec.password: Invalid value: "));
        assert!(res.text.contains(detail), "{}", res.text);
        // Kubernetes echoes the rejected value, quoted (which is why the console redacts logs).
        let quoted = serde_json::to_string(password).unwrap();
        assert!(res.text.contains(&format!("Invalid value: {quoted}:")), "{}", res.text);
    }
}

#[tokio::test]
async fn bad_or_taken_email_is_403_text_from_the_webhook() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim.call("POST", USERS, Some(&token), Some(new_user("zoe", "foo", "platform-regular", "Passw0rd"))).await;
    res.assert_text(403, "admission webhook \"users.iam.kubesphere.io\" denied the request: invalid email address:foo");
    let body = new_user("zoe", "bob@example.com", "platform-regular", "Passw0rd");
    let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
    res.assert_text(
        403,
        "admission webhook \"users.iam.kubesphere.io\" denied the request: user email: bob@example.com already exists",
    );
}

#[tokio::test]
async fn duplicate_user_is_409_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let body = new_user("bob", "", "platform-regular", "Passw0rd");
    let res = sim.call("POST", USERS, Some(&token), Some(body)).await;
    res.assert_text(409, "users.iam.kubesphere.io \"bob\" already exists");
}

#[tokio::test]
async fn non_json_and_empty_bodies_are_400_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim
        .http
        .post(sim.url(USERS))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.text().await.unwrap(), "Unable to unmarshal content of type:text/plain\n");
    let res = sim
        .http
        .post(sim.url(USERS))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.text().await.unwrap(), "EOF\n");
}

#[tokio::test]
async fn put_user_is_a_full_replace_that_keeps_password_and_switches_state() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let mut bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    bob["metadata"]["annotations"] = json!({"iam.kubesphere.io/globalrole": "platform-regular"});
    bob["spec"] = json!({"email": "bobby@example.com"});
    bob["status"]["state"] = json!("Disabled");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let updated = res.json();
    assert_eq!(updated["spec"]["email"], "bobby@example.com");
    assert_eq!(updated["spec"]["lang"], "");
    assert!(updated["metadata"]["annotations"].get("kubesphere.io/alias-name").is_none());
    assert_eq!(updated["status"]["state"], "Disabled");
    assert_eq!(sim.login("bob", PASSWORD).await.status(), 400, "Disabled");
    let mut bob = updated;
    bob["status"]["state"] = json!("Active");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob)).await;
    assert_eq!(res.status, 200);
    assert_eq!(sim.login("bob", PASSWORD).await.status(), 200, "password kept");
}

#[tokio::test]
async fn put_user_with_another_name_is_400_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    let res = sim.call("PUT", &format!("{USERS}/carol"), Some(&token), Some(bob)).await;
    res.assert_text(400, "the name of the object (bob) does not match the name on the URL (carol)");
}

#[tokio::test]
async fn admin_rebinds_the_global_role() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let mut bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    bob["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] = json!("platform-auditor");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob)).await;
    assert_eq!(res.status, 200);
    let list = sim.get_json(&format!("{USERS}?globalrole=platform-auditor"), &token).await;
    assert_eq!(crate::common::names(&list), ["bob", "grace"]);
    let bindings =
        sim.get_json(&format!("{IAM}/globalrolebindings?labelSelector=iam.kubesphere.io/user-ref=bob"), &token).await;
    assert_eq!(crate::common::names(&bindings), ["bob-platform-auditor"]);
}

#[tokio::test]
async fn user_may_update_themself_but_not_rebind_their_role_which_is_written_first() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let mut bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    bob["spec"]["description"] = json!("hello");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob.clone())).await;
    assert_eq!(res.status, 200, "{res:?}");
    let mut bob = res.json();
    bob["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] = json!("platform-admin");
    bob["spec"]["description"] = json!("escalated");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob)).await;
    res.assert_text(403, "users.iam.kubesphere.io \"bob\" is forbidden: update global role binding is not allowed");
    let bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    assert_eq!(bob["spec"]["description"], "escalated", "written before the check");
    assert_eq!(bob["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-regular");
}

#[tokio::test]
async fn rebinding_to_an_unknown_role_is_404_after_the_write() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let mut bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    bob["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] = json!("nope");
    bob["spec"]["description"] = json!("changed");
    let res = sim.call("PUT", &format!("{USERS}/bob"), Some(&token), Some(bob)).await;
    res.assert_text(404, "globalroles.iam.kubesphere.io \"nope\" not found");
    let bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    assert_eq!(bob["spec"]["description"], "changed");
}

#[tokio::test]
async fn regular_user_cannot_create_or_change_other_users() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let body = new_user("zoe", "zoe@example.com", "platform-regular", "Passw0rd");
    sim.call("POST", USERS, Some(&token), Some(body)).await.assert_forbidden_json();
    let carol = sim.get_as("admin", &format!("{USERS}/carol")).await;
    sim.call("PUT", &format!("{USERS}/carol"), Some(&token), Some(carol)).await.assert_forbidden_json();
    let alice = sim.access_token("alice").await;
    let body = new_user("zoe", "zoe@example.com", "platform-regular", "Passw0rd");
    sim.call("POST", USERS, Some(&alice), Some(body)).await.assert_forbidden_json();
}

#[tokio::test]
async fn password_change_checks_the_current_password_for_oneself() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let path = format!("{USERS}/bob/password");
    let res = sim
        .call("PUT", &path, Some(&token), Some(json!({"currentPassword": "wrong", "password": "N3wPassword"})))
        .await;
    res.assert_text(400, "incorrect old password");
    let res = sim
        .call("PUT", &path, Some(&token), Some(json!({"currentPassword": PASSWORD, "password": "N3wPassword"})))
        .await;
    assert_eq!((res.status, res.json()), (200, json!({"message": "success"})));
    assert_eq!(sim.login("bob", "N3wPassword").await.status(), 200);
    let admin = sim.access_token("admin").await;
    let res =
        sim.call("PUT", &format!("{USERS}/carol/password"), Some(&admin), Some(json!({"password": "Adm1nSet!"}))).await;
    assert_eq!(res.status, 200);
    assert_eq!(sim.login("carol", "Adm1nSet!").await.status(), 200);
    sim.call(
        "PUT",
        &format!("{USERS}/carol/password"),
        Some(&token),
        Some(json!({"currentPassword": "Adm1nSet!", "password": "Xx1xxxxxx"})),
    )
    .await
    .assert_forbidden_json();
}
