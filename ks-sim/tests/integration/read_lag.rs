//! `--read-lag-ms`: handlers answer lists and gets from informer caches that trail the writes
//! (contract §11 "Handlers read from informer caches").
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::common::{names, TestSim, IAM, PASSWORD, TENANT, USERS};
use serde_json::{json, Value};

/// Long enough for a few local calls on a busy machine to fit inside the window.
const LAG: Duration = Duration::from_millis(1500);

async fn lagging() -> TestSim {
    TestSim::with(|c| c.read_lag = LAG).await
}

fn new_user(name: &str, email: &str) -> Value {
    json!({
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": email, "password": PASSWORD},
    })
}

async fn after_the_lag() {
    tokio::time::sleep(LAG + Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_user_created_just_now_is_missing_from_lists_and_gets_until_the_caches_catch_up() {
    let sim = lagging().await;
    let admin = sim.access_token("admin").await;
    let res = sim.call("POST", USERS, Some(&admin), Some(new_user("x", "x@example.com"))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let list = sim.get_json(&format!("{USERS}?names=x"), &admin).await;
    assert_eq!(list, json!({"items": [], "totalItems": 0}), "not in the cache yet");
    sim.call("GET", &format!("{USERS}/x"), Some(&admin), None)
        .await
        .assert_text(404, "users.iam.kubesphere.io \"x\" not found");
    // Writes go to the live data: the name is taken, and authentication is live too.
    let again = sim.call("POST", USERS, Some(&admin), Some(new_user("x", "x2@example.com"))).await;
    again.assert_text(409, "users.iam.kubesphere.io \"x\" already exists");
    assert_eq!(sim.login("x", PASSWORD).await.status(), 200, "token checks are not cached in the simulator");
    after_the_lag().await;
    assert_eq!(names(&sim.get_json(&format!("{USERS}?names=x"), &admin).await), ["x"]);
    assert_eq!(sim.get_json(&format!("{USERS}/x"), &admin).await["spec"]["email"], "x@example.com");
}

#[tokio::test]
async fn without_a_read_lag_every_read_sees_the_last_write() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    sim.call("POST", USERS, Some(&admin), Some(new_user("x", "x@example.com"))).await;
    assert_eq!(names(&sim.get_json(&format!("{USERS}?names=x"), &admin).await), ["x"]);
    let ws = format!("{IAM}/workspaces/demo/workspacemembers");
    sim.call("POST", &ws, Some(&admin), Some(json!([{"username": "x", "roleRef": "demo-regular"}]))).await;
    assert_eq!(names(&sim.get_json(&format!("{ws}?name=x"), &admin).await), ["x"]);
    let res = sim.call("POST", &ws, Some(&admin), Some(json!([{"username": "x", "roleRef": "demo-regular"}]))).await;
    assert_eq!(res.status, 200, "same role: nothing to do");
}

#[tokio::test]
async fn a_member_added_just_now_is_missing_from_the_member_lists() {
    let sim = lagging().await;
    let alice = sim.access_token("alice").await;
    let ws = format!("{IAM}/workspaces/demo/workspacemembers");
    let ns = format!("{IAM}/namespaces/demo-web/namespacemembers");
    let res = sim.call("POST", &ws, Some(&alice), Some(json!([{"username": "frank", "roleRef": "demo-viewer"}]))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let res = sim.call("POST", &ns, Some(&alice), Some(json!([{"username": "frank", "roleRef": "viewer"}]))).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(sim.get_json(&format!("{ws}?name=frank"), &alice).await, json!({"items": null, "totalItems": 0}));
    assert_eq!(sim.get_json(&format!("{ns}?name=frank"), &alice).await, json!({"items": null, "totalItems": 0}));
    sim.call("GET", &format!("{ws}/frank"), Some(&alice), None).await.assert_text(400, "member frank not exist");
    let bindings = format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=frank");
    let admin = sim.access_token("admin").await;
    assert_eq!(sim.get_json(&bindings, &admin).await["items"], json!([]));
    // A change of role right after the invitation: the handler's "is a member?" check misses it.
    sim.call(
        "PUT",
        &format!("{ws}/frank"),
        Some(&alice),
        Some(json!({"username": "frank", "roleRef": "demo-regular"})),
    )
    .await
    .assert_text(400, "member frank not exist");
    after_the_lag().await;
    let members = sim.get_json(&format!("{ws}?name=frank"), &alice).await;
    assert_eq!(members["items"][0]["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"], "demo-viewer");
    assert_eq!(names(&sim.get_json(&format!("{ns}?name=frank"), &alice).await), ["frank"]);
    assert_eq!(names(&sim.get_json(&bindings, &admin).await), ["frank-demo-viewer"]);
}

#[tokio::test]
async fn re_adding_a_member_with_the_same_role_inside_the_lag_collides() {
    let sim = lagging().await;
    let alice = sim.access_token("alice").await;
    let ws = format!("{IAM}/workspaces/demo/workspacemembers");
    let ns = format!("{IAM}/namespaces/demo-web/namespacemembers");
    let ws_body = json!([{"username": "x", "roleRef": "demo-regular"}]);
    let ns_body = json!([{"username": "x", "roleRef": "viewer"}]);
    assert_eq!(sim.call("POST", &ws, Some(&alice), Some(ws_body.clone())).await.status, 200);
    assert_eq!(sim.call("POST", &ns, Some(&alice), Some(ns_body.clone())).await.status, 200);
    sim.call("POST", &ws, Some(&alice), Some(ws_body.clone()))
        .await
        .assert_text(409, "workspacerolebindings.iam.kubesphere.io \"x-demo-regular\" already exists");
    sim.call("POST", &ns, Some(&alice), Some(ns_body.clone()))
        .await
        .assert_text(409, "rolebindings.iam.kubesphere.io \"x-viewer\" already exists");
    after_the_lag().await;
    // Once the caches hold the bindings, the same role is recognised and nothing happens.
    assert_eq!(sim.call("POST", &ws, Some(&alice), Some(ws_body)).await.status, 200);
    assert_eq!(sim.call("POST", &ns, Some(&alice), Some(ns_body)).await.status, 200);
    assert_eq!(names(&sim.get_json(&format!("{ws}?name=x"), &alice).await), ["x"]);
}

#[tokio::test]
async fn workspace_and_namespace_and_role_lists_lag_too() {
    let sim = lagging().await;
    let admin = sim.access_token("admin").await;
    let workspace = json!({
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
        "metadata": {"name": "fresh"},
        "spec": {"template": {"spec": {"manager": "admin"}}, "placement": {"clusters": [{"name": "host"}]}},
    });
    assert_eq!(
        sim.call("POST", &format!("{TENANT}/workspacetemplates"), Some(&admin), Some(workspace)).await.status,
        200
    );
    let project = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "fresh-web", "labels": {"kubesphere.io/managed": "true"},
                     "annotations": {"kubesphere.io/creator": "admin"}}});
    let res = sim.call("POST", &format!("{TENANT}/workspaces/fresh/namespaces"), Some(&admin), Some(project)).await;
    assert_eq!(res.status, 200);
    let workspaces = sim.get_json(&format!("{TENANT}/workspacetemplates?names=fresh"), &admin).await;
    assert_eq!(workspaces["totalItems"], 0);
    assert_eq!(sim.get_json(&format!("{TENANT}/workspaces/fresh/namespaces"), &admin).await["totalItems"], 0);
    assert_eq!(sim.get_json(&format!("{TENANT}/namespaces?names=fresh-web"), &admin).await["totalItems"], 0);
    assert_eq!(sim.get_json(&format!("{IAM}/workspaces/fresh/workspaceroles"), &admin).await["items"], json!([]));
    // An invitation at once finds no role in the handler's cache either.
    sim.call(
        "POST",
        &format!("{IAM}/workspaces/fresh/workspacemembers"),
        Some(&admin),
        Some(json!([{"username": "bob", "roleRef": "fresh-regular"}])),
    )
    .await
    .assert_text(404, "workspaceroles.iam.kubesphere.io \"fresh-regular\" not found");
    after_the_lag().await;
    assert_eq!(names(&sim.get_json(&format!("{TENANT}/workspacetemplates?names=fresh"), &admin).await), ["fresh"]);
    assert_eq!(names(&sim.get_json(&format!("{TENANT}/workspaces/fresh/namespaces"), &admin).await), ["fresh-web"]);
    assert_eq!(
        sim.get_json(&format!("{IAM}/workspaces/fresh/workspaceroles"), &admin).await["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}
