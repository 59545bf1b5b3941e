//! Binding names are object names (contract §11 "Binding names can collide"): a member grant
//! deletes the member's other bindings in the scope, then creates `{user}-{role}`, which fails
//! with 409 when a binding of that name exists (WorkspaceRoleBindings are cluster-scoped,
//! RoleBindings unique per namespace).
#![allow(clippy::unwrap_used)]

use crate::common::{names, TestSim, IAM, PASSWORD, TENANT, USERS};
use serde_json::{json, Value};

fn workspace(name: &str, manager: &str) -> Value {
    json!({
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"manager": manager}}, "placement": {"clusters": [{"name": "host"}]}},
    })
}

async fn post(sim: &TestSim, token: &str, path: &str, body: Value) {
    let res = sim.call("POST", path, Some(token), Some(body)).await;
    assert_eq!(res.status, 200, "POST {path}: {res:?}");
}

/// zoe, workspace `zoe-sandbox` managed by carol (binding `zoe-sandbox-admin`), and workspace
/// `sandbox` where zoe is `sandbox-regular`.
async fn zoe_world(sim: &TestSim, admin: &str) {
    let zoe = json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": "zoe", "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": "zoe@example.com", "password": PASSWORD}});
    post(sim, admin, USERS, zoe).await;
    post(sim, admin, &format!("{TENANT}/workspacetemplates"), workspace("zoe-sandbox", "carol")).await;
    post(sim, admin, &format!("{TENANT}/workspacetemplates"), workspace("sandbox", "admin")).await;
    let members = format!("{IAM}/workspaces/sandbox/workspacemembers");
    post(sim, admin, &members, json!([{"username": "zoe", "roleRef": "sandbox-regular"}])).await;
}

async fn zoe_in_sandbox(sim: &TestSim, admin: &str) -> Value {
    sim.get_json(&format!("{IAM}/workspaces/sandbox/workspacemembers?name=zoe"), admin).await
}

#[tokio::test]
async fn granting_a_role_whose_binding_name_is_taken_answers_409_after_the_old_role_is_gone() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    zoe_world(&sim, &admin).await;
    let members = format!("{IAM}/workspaces/sandbox/workspacemembers");
    assert_eq!(names(&zoe_in_sandbox(&sim, &admin).await), ["zoe"]);
    sim.call("POST", &members, Some(&admin), Some(json!([{"username": "zoe", "roleRef": "sandbox-admin"}])))
        .await
        .assert_text(409, "workspacerolebindings.iam.kubesphere.io \"zoe-sandbox-admin\" already exists");
    assert_eq!(zoe_in_sandbox(&sim, &admin).await, json!({"items": null, "totalItems": 0}), "sandbox-regular is gone");
    sim.call("GET", &format!("{members}/zoe"), Some(&admin), None).await.assert_text(400, "member zoe not exist");
    // The binding of that name still is carol's, in zoe-sandbox.
    let taken = sim.get_json(&format!("{IAM}/workspacerolebindings/zoe-sandbox-admin"), &admin).await;
    assert_eq!(taken["subjects"][0]["name"], "carol");
    assert_eq!(taken["metadata"]["labels"]["kubesphere.io/workspace"], "zoe-sandbox");
    // The PUT path (change of role) ends the same way.
    post(&sim, &admin, &members, json!([{"username": "zoe", "roleRef": "sandbox-viewer"}])).await;
    sim.call(
        "PUT",
        &format!("{members}/zoe"),
        Some(&admin),
        Some(json!({"username": "zoe", "roleRef": "sandbox-admin"})),
    )
    .await
    .assert_text(409, "workspacerolebindings.iam.kubesphere.io \"zoe-sandbox-admin\" already exists");
    assert_eq!(zoe_in_sandbox(&sim, &admin).await["totalItems"], 0, "sandbox-viewer is gone too");
    let zoe = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=zoe"), &admin)
        .await;
    assert_eq!(zoe["items"], json!([]));
}

#[tokio::test]
async fn project_binding_names_are_unique_per_namespace() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    // A custom role `x-viewer` in demo-web: bob granted it wants `bob-x-viewer`, the name of
    // user bob-x's `viewer` binding.
    let role = json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "Role",
        "metadata": {"name": "x-viewer", "annotations": {"kubesphere.io/creator": "admin"}},
        "aggregationRoleTemplates": {"templateNames": ["project-view-members"]}});
    post(&sim, &admin, &format!("{IAM}/namespaces/demo-web/roles"), role).await;
    let members = format!("{IAM}/namespaces/demo-web/namespacemembers");
    post(&sim, &admin, &members, json!([{"username": "bob-x", "roleRef": "viewer"}])).await;
    sim.call("POST", &members, Some(&admin), Some(json!([{"username": "bob", "roleRef": "x-viewer"}])))
        .await
        .assert_text(409, "rolebindings.iam.kubesphere.io \"bob-x-viewer\" already exists");
    let left = sim.get_json(&format!("{members}?name=bob"), &admin).await;
    assert_eq!(names(&left), ["bob-x"], "bob's operator role is gone");
    post(&sim, &admin, &members, json!([{"username": "bob", "roleRef": "operator"}])).await;
    sim.call("PUT", &format!("{members}/bob"), Some(&admin), Some(json!({"username": "bob", "roleRef": "x-viewer"})))
        .await
        .assert_text(409, "rolebindings.iam.kubesphere.io \"bob-x-viewer\" already exists");
    // The same name in another namespace is another object.
    let other = format!("{IAM}/namespaces/team-b-data/namespacemembers");
    post(&sim, &admin, &other, json!([{"username": "bob-x", "roleRef": "viewer"}])).await;
    let bindings =
        sim.get_json(&format!("{IAM}/rolebindings?labelSelector=iam.kubesphere.io/user-ref=bob-x"), &admin).await;
    assert_eq!(names(&bindings), ["bob-x-viewer", "bob-x-viewer"]);
}

#[tokio::test]
async fn a_new_workspace_takes_over_the_binding_named_like_its_admin_role() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let zoe = json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": "zoe", "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": "zoe@example.com", "password": PASSWORD}});
    post(&sim, &admin, USERS, zoe).await;
    post(&sim, &admin, &format!("{TENANT}/workspacetemplates"), workspace("sandbox", "admin")).await;
    let members = format!("{IAM}/workspaces/sandbox/workspacemembers");
    post(&sim, &admin, &members, json!([{"username": "zoe", "roleRef": "sandbox-admin"}])).await;
    // The workspace controller's `CreateOrUpdate` of `zoe-sandbox-admin` rewrites zoe's binding.
    post(&sim, &admin, &format!("{TENANT}/workspacetemplates"), workspace("zoe-sandbox", "carol")).await;
    let all = sim.get_json(&format!("{IAM}/workspacerolebindings"), &admin).await;
    let named: Vec<&Value> =
        all["items"].as_array().unwrap().iter().filter(|b| b["metadata"]["name"] == "zoe-sandbox-admin").collect();
    assert_eq!(named.len(), 1, "one object per name");
    assert_eq!(named[0]["subjects"][0]["name"], "carol");
    assert_eq!(named[0]["roleRef"]["name"], "zoe-sandbox-admin");
    assert_eq!(zoe_in_sandbox(&sim, &admin).await["totalItems"], 0);
}
